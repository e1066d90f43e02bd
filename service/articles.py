"""Changing a data dir's articles: the one way the CLI and HTTP add, replace and remove articles
(index.store.update_index with the data dir's embedding cache), and reading uploaded ones."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
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
from index.store import Changes, Manifest, update_index
from service.settings import Settings

Progress = Callable[[int, int], None]


def open_cache(settings: Settings, embedder: Embedder) -> EmbeddingCache:
    """The embedding cache of the data dir (or the folder WENDA_CACHE_DIR names)."""
    return EmbeddingCache(settings.embedding_cache_dir / f"embeddings-{embedder.name}.sqlite")


def change_articles(
    settings: Settings,
    embedder: Embedder,
    *,
    upsert: Sequence[Article] = (),
    remove: Collection[str] = (),
    corpus: Sequence[Article] | None = None,
    corpus_paths: Sequence[str] | None = None,
    index_type: str | None = None,
    progress: Progress | None = None,
) -> tuple[Manifest, Changes]:
    """Publish the data dir's index with these changes as a new generation (see update_index)."""
    from service.backends import publish

    cache = open_cache(settings, embedder)
    try:
        return publish(
            settings,
            embedder,
            cache,
            lambda: update_index(
                settings.data_dir,
                embedder,
                upsert=upsert,
                remove=remove,
                corpus=corpus,
                cache=cache,
                progress=progress,
                index_type=index_type,
                corpus_paths=corpus_paths,
            ),
            articles=corpus if corpus is not None else upsert,
            only=None if corpus is not None else {a.doc_id for a in upsert} | set(remove),
            progress=progress,
        )
    finally:
        cache.close()


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
