"""Reading a corpus: text files (newspaper pages, one or more articles) and JSONL files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from corpus.formats import (
    JSONL_SUFFIXES,
    TEXT_FORMATS,
    TEXT_SUFFIXES,
    CorpusError,
    EmptyCorpus,
    TextFormat,
)
from corpus.model import Article
from corpus.newspaper import split_articles
from corpus.plain import looks_like_page, parse_article

__all__ = ["JSONL_SUFFIXES", "TEXT_FORMATS", "TEXT_SUFFIXES", "CorpusError", "EmptyCorpus"]
__all__ += ["TextFormat", "load_corpus"]


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


def read_text_file(path: Path, text_format: TextFormat = "auto") -> list[Article]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text ({exc.reason}); convert it to UTF-8") from exc
    return [replace(a, source=str(path)) for a in text_articles(text, path, text_format)]


def text_articles(text: str, path: Path, text_format: TextFormat = "auto") -> list[Article]:
    """The articles of one text file: a newspaper page split into its articles, or one plain
    article (a Markdown file is never read as a page unless asked)."""
    prefix = doc_prefix(path)
    if text_format == "page":
        return split_articles(text, prefix)
    if text_format == "auto" and path.suffix.lower() != ".md":
        page = split_articles(text, prefix)
        if looks_like_page(sum(1 for a in page if a.byline)):
            return page
    article = parse_article(text, prefix)
    return [article] if article else []


def read_jsonl_file(path: Path) -> list[Article]:
    with path.open(encoding="utf-8-sig") as fh:
        return [replace(a, source=str(path)) for a in jsonl_articles(fh, path)]


def jsonl_articles(lines: Iterable[str], path: Path) -> list[Article]:
    """One article a JSON line: {"id", "title", "text"} plus optional byline and metadata."""
    articles: list[Article] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise CorpusError(f"{path}:{lineno}: each line must be a JSON object")
        articles.append(article_of_record(record, f"{path}:{lineno}"))
    return articles


def article_of_record(record: dict[str, Any], where: str) -> Article:
    """An article from its JSON fields; `where` names the record in error messages."""
    for key, value in record.items():
        try:  # JSON's \\ud800 escapes decode to lone surrogates, which nothing downstream can store
            json.dumps({key: value}, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise CorpusError(
                f"{where}: field {key!r} is not valid Unicode (a lone surrogate); fix the text"
            ) from exc
    doc_id, title, text = record.get("id"), record.get("title", ""), record.get("text")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise CorpusError(f"{where}: field 'id' must be a non-empty string")
    if not isinstance(text, str):
        raise CorpusError(f"{where}: field 'text' must be a string")
    if not isinstance(title, str):
        raise CorpusError(f"{where}: field 'title' must be a string")
    extra = {k: v for k, v in record.items() if k not in ("id", "title", "text", "byline")}
    byline = record.get("byline", "")
    return Article(
        doc_id=doc_id.strip(),
        title=title.strip(),
        text=text,
        byline=byline if isinstance(byline, str) else "",
        metadata=extra,
    )


def load_corpus(paths: Sequence[Path], text_format: TextFormat = "auto") -> list[Article]:
    """Every article of the corpus, in corpus order; ids are unique and texts non-empty."""
    articles: list[Article] = []
    for path in corpus_files(paths):
        if path.suffix.lower() in JSONL_SUFFIXES:
            read = read_jsonl_file(path)
        else:
            read = read_text_file(path, text_format)
        articles.extend(a for a in read if a.text.strip())
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
