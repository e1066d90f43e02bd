"""The data dir's embedding cache, and the articles of an uploaded file (read as `wenda add`
reads a file of that name). Changing the articles: service.operations.bring_up_to_date."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from corpus.loading import (
    JSONL_SUFFIXES,
    TEXT_SUFFIXES,
    CorpusError,
    TextFormat,
    article_of_record,
    jsonl_articles,
    text_articles,
)
from corpus.model import Article
from index.cache import EmbeddingCache
from index.embedder import Embedder
from service.settings import Settings

Progress = Callable[[int, int], None]


def open_cache(settings: Settings, embedder: Embedder) -> EmbeddingCache:
    """The embedding cache of the data dir (or the folder WENDA_CACHE_DIR names)."""
    return EmbeddingCache(settings.embedding_cache_dir / f"embeddings-{embedder.name}.sqlite")


def uploaded_articles(name: str, data: bytes, text_format: TextFormat = "auto") -> list[Article]:
    """The articles of one uploaded file, read as `wenda add` reads a file of that name."""
    path = Path(Path(name).name or "upload.txt")
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + JSONL_SUFFIXES:
        raise CorpusError(f"{path.name}: unsupported file type {suffix!r}; use .txt, .md or .jsonl")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path.name}: not UTF-8 text ({exc.reason})") from exc
    if suffix in JSONL_SUFFIXES:
        articles = jsonl_articles(text.splitlines(), path)
    else:
        articles = text_articles(text, path, text_format)
    return [a for a in articles if a.text.strip()]


def record_articles(records: Sequence[dict[str, Any]]) -> list[Article]:
    """Articles from JSON records ({"id"?, "title", "text", ...}); a record without an id gets
    one from its title and text, so sending it again replaces rather than duplicates it."""
    articles = []
    for i, record in enumerate(records):
        if not str(record.get("id") or "").strip():
            digest = hashlib.sha256(
                f"{record.get('title', '')}\0{record.get('text', '')}".encode()
            ).hexdigest()
            record = {**record, "id": f"a-{digest[:12]}"}
        articles.append(article_of_record(record, f"articles[{i}]"))
    return articles
