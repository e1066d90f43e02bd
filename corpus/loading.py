"""Reading a corpus: text files (newspaper pages, one or more articles) and JSONL files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from corpus.model import Article
from corpus.newspaper import split_articles

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl",)


class CorpusError(ValueError):
    """The corpus cannot be read; the message says which file and what to fix."""


class EmptyCorpus(CorpusError):
    """The corpus holds no article."""


def corpus_files(paths: Sequence[Path]) -> list[Path]:
    """The readable files under paths (folders are walked in name order)."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise CorpusError(
                f"corpus path {path} does not exist: pass a .txt, .md or .jsonl file or a folder"
            )
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES
            )
        elif path.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES:
            files.append(path)
        else:
            raise CorpusError(
                f"{path}: unsupported file type {path.suffix!r}; use .txt, .md or .jsonl"
            )
    return files


def doc_prefix(path: Path) -> str:
    """A stable, URL-safe id stem for the articles of a text file."""
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", path.stem) or "doc"


def read_text_file(path: Path) -> list[Article]:
    try:
        page = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text ({exc.reason}); convert it to UTF-8") from exc
    articles = split_articles(page, doc_prefix(path))
    return [replace(a, source=str(path)) for a in articles]


def read_jsonl_file(path: Path) -> list[Article]:
    articles: list[Article] = []
    with path.open(encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise CorpusError(f"{path}:{lineno}: each line must be a JSON object")
            doc_id, title, text = record.get("id"), record.get("title", ""), record.get("text")
            if not isinstance(doc_id, str) or not doc_id.strip():
                raise CorpusError(f"{path}:{lineno}: field 'id' must be a non-empty string")
            if not isinstance(text, str):
                raise CorpusError(f"{path}:{lineno}: field 'text' must be a string")
            if not isinstance(title, str):
                raise CorpusError(f"{path}:{lineno}: field 'title' must be a string")
            extra = {k: v for k, v in record.items() if k not in ("id", "title", "text", "byline")}
            byline = record.get("byline", "")
            articles.append(
                Article(
                    doc_id=doc_id.strip(),
                    title=title.strip(),
                    text=text,
                    byline=byline if isinstance(byline, str) else "",
                    source=str(path),
                    metadata=extra,
                )
            )
    return articles


def load_corpus(paths: Sequence[Path]) -> list[Article]:
    """Every article of the corpus, in corpus order; ids are unique and texts non-empty."""
    articles: list[Article] = []
    for path in corpus_files(paths):
        reader = read_jsonl_file if path.suffix.lower() in JSONL_SUFFIXES else read_text_file
        articles.extend(a for a in reader(path) if a.text.strip())
    if not articles:
        shown = ", ".join(str(p) for p in paths)
        raise EmptyCorpus(f"no articles found in {shown}: add .txt, .md or .jsonl files")
    _check_unique_ids(articles)
    return articles


def _check_unique_ids(articles: Iterable[Article]) -> None:
    seen: dict[str, str] = {}
    for a in articles:
        if a.doc_id in seen:
            raise CorpusError(
                f"article id {a.doc_id!r} appears twice ({seen[a.doc_id]} and {a.source})"
            )
        seen[a.doc_id] = a.source
