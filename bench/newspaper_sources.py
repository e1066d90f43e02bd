"""The articles damaged pages are made of: paragraphs of the evaluation corpora grouped by
title (a lone long paragraph cut into paragraphs at sentence ends), and the compact form texts
are compared in."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FILES = (
    Path("/work/shared/eval/cmrc2018/docs.jsonl"),
    Path("/work/shared/eval/drcd/docs.jsonl"),
)
FINAL = "。！？!?；;"
CLOSERS = "”’」』）)》"
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
SENTENCE_RE = re.compile(rf"[^{FINAL}]*[{FINAL}]+[{CLOSERS}]*")
# A paragraph opens on a word, a number or an opening bracket or quote; one that opens on a comma
# or a closing mark is a scrap the corpora's extraction left, which no reader could place.
_PARAGRAPH_OPENERS = "“「『《（(【〈\"'"


@dataclass(frozen=True, slots=True)
class SourceArticle:
    title: str
    paragraphs: tuple[str, ...]


def compact(text: str) -> str:
    """The form texts are compared in: NFKC, lower case, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def split_sentences(text: str) -> list[str]:
    return [m.group() for m in SENTENCE_RE.finditer(text)]


def _opens_paragraph(text: str) -> bool:
    return bool(text) and (text[0].isalnum() or text[0] in _PARAGRAPH_OPENERS)


def _clean_paragraph(text: str) -> str:
    """A paragraph that ends a sentence (a trailing fragment is dropped), on one line."""
    text = re.sub(r"\s+", "", text)
    return "".join(split_sentences(text))


def load_source_articles(files: Sequence[Path] = SOURCE_FILES) -> list[SourceArticle]:
    """Articles of at least two paragraphs from the corpora, paragraphs grouped by title."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for path in files:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                para = _clean_paragraph(record["text"])
                if (
                    len(para) >= 40
                    and len(CJK_RE.findall(para)) > len(para) / 2
                    and _opens_paragraph(para)
                ):
                    title = record["title"].strip()
                    # the corpora repeat passages; an article must not repeat itself before damage
                    if not _repeats(para, grouped[title]):
                        grouped[title].append(para)
    articles: list[SourceArticle] = []
    for title, paras in grouped.items():
        if len(paras) == 1:
            paras = _split_long_paragraph(paras[0])
        if len(paras) >= 2 and title:
            articles.append(SourceArticle(title, tuple(paras)))
    return articles


def _repeats(text: str, earlier: Sequence[str], length: int = 24) -> bool:
    joined = "\n".join(earlier) + "\n" + text
    seen: set[str] = set()
    for k in range(len(joined) - length + 1):
        gram = joined[k : k + length]
        if gram in seen:
            return True
        seen.add(gram)
    return False


def _split_long_paragraph(text: str) -> list[str]:
    """Cut a long paragraph into paragraphs of two or three sentences."""
    sentences = split_sentences(text)
    paras: list[str] = []
    k = 0
    while k < len(sentences):
        size = 2 + (k // 2) % 2
        paras.append("".join(sentences[k : k + size]))
        k += size
    return [p for p in paras if len(p) >= 20 and _opens_paragraph(p)]
