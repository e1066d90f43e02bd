"""The index folder: build it from articles, swap it in atomically, load and check it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from corpus.chunking import answer_spans, chunk_article
from corpus.model import Article, Chunk, Edit
from index.bm25 import KeywordIndex
from index.cache import EmbeddingCache, text_key
from index.embedder import Embedder

FORMAT_VERSION = 2
INDEX_TYPES = ("flat", "hnsw")
Progress = Callable[[int, int], None]


class IndexNotFound(RuntimeError):
    """No index in the data dir."""


class IndexMismatch(RuntimeError):
    """The index on disk was built differently from what the service is configured with."""


@dataclass(frozen=True, slots=True)
class Manifest:
    format_version: int
    model: str
    dim: int
    articles: int
    chunks: int
    corpus_hash: str
    built_at: str
    index_type: str
    build_seconds: float
    embedded: int  # texts embedded by this build (the rest came from the cache)
    sentences: int  # answer units with a vector of their own


@dataclass(slots=True)
class LoadedIndex:
    folder: Path
    manifest: Manifest
    articles: list[Article]
    articles_by_id: dict[str, Article]
    chunks: list[Chunk]
    vectors: Any  # faiss.Index
    keywords: KeywordIndex
    sentence_rows: dict[
        tuple[str, int, int], int
    ]  # (doc_id, start, end) -> row of sentence_vectors
    sentence_vectors: np.ndarray  # float16, one L2-normalised row per answer unit


def passage_input(chunk: Chunk) -> str:
    """What is embedded and keyword-indexed for a passage: its headline, then its text."""
    return f"{chunk.title}\n{chunk.text}" if chunk.title else chunk.text


def sentence_units(articles: Sequence[Article]) -> list[tuple[str, int, int]]:
    """Every answer unit (sentence or clause window) of the corpus as (doc_id, start, end)."""
    return [(a.doc_id, s, e) for a in articles for s, e in answer_spans(a.text)]


def sentence_input(article: Article, start: int, end: int) -> str:
    """What is embedded for an answer unit: the headline gives a sentence the subject it omits."""
    text = article.text[start:end]
    return f"{article.title}\n{text}" if article.title else text


def corpus_hash(articles: Sequence[Article]) -> str:
    h = hashlib.sha256()
    for a in articles:
        h.update(json.dumps([a.doc_id, a.title, a.byline, a.text], ensure_ascii=False).encode())
    return h.hexdigest()


def chunk_corpus(articles: Sequence[Article]) -> list[Chunk]:
    return [c for a in articles for c in chunk_article(a)]


def embed_with_cache(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None,
    progress: Progress | None = None,
    batch: int = 64,
) -> tuple[np.ndarray, int]:
    """Vectors for texts, embedding only those not in the cache; returns (vectors, embedded)."""
    keys = [text_key(embedder.name, t) for t in texts]
    found = {
        k: v
        for k, v in (cache.get_many(keys) if cache else {}).items()
        if v.shape == (embedder.dim,)
    }
    first_of: dict[str, int] = {}
    for i, k in enumerate(keys):
        first_of.setdefault(k, i)
    # each distinct text not in the cache is embedded once, similar lengths batched together
    todo = sorted((i for k, i in first_of.items() if k not in found), key=lambda i: len(texts[i]))
    total = len(todo) + len(found)
    if progress:
        progress(len(found), total)
    for b in range(0, len(todo), batch):
        ids = todo[b : b + batch]
        vecs = embedder.embed_passages([texts[i] for i in ids])
        found.update(zip((keys[i] for i in ids), vecs, strict=True))
        if cache:
            cache.put_many([keys[i] for i in ids], vecs)
        if progress:
            progress(len(found), total)
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        vectors[i] = found[k]
    return vectors, len(todo)


def make_vector_index(vectors: np.ndarray, index_type: str = "flat") -> Any:
    dim = vectors.shape[1]
    index: Any
    if index_type == "flat":
        index = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    else:
        raise ValueError(f"unknown index type {index_type!r}; use one of {', '.join(INDEX_TYPES)}")
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def build_index(
    articles: Sequence[Article],
    embedder: Embedder,
    data_dir: Path,
    cache: EmbeddingCache | None = None,
    progress: Progress | None = None,
    index_type: str = "flat",
) -> Manifest:
    """Build the index of articles into a new folder, then make it the data dir's index in one
    atomic step; a failure before that leaves the old index serving."""
    started = time.perf_counter()
    chunks = chunk_corpus(articles)
    inputs = [passage_input(c) for c in chunks]
    by_id = {a.doc_id: a for a in articles}
    units = sentence_units(articles)
    unit_inputs = [sentence_input(by_id[d], s, e) for d, s, e in units]
    all_vectors, embedded = embed_with_cache(embedder, inputs + unit_inputs, cache, progress)
    vectors, unit_vectors = all_vectors[: len(inputs)], all_vectors[len(inputs) :]
    builds = data_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    folder = builds / f".partial-{build_id}"
    try:
        folder.mkdir()
        faiss.write_index(make_vector_index(vectors, index_type), str(folder / "vectors.faiss"))
        KeywordIndex.build(inputs).save(folder / "bm25")
        write_jsonl(folder / "articles.jsonl", (article_record(a) for a in articles))
        write_jsonl(folder / "chunks.jsonl", (asdict(c) for c in chunks))
        (folder / "sentences.json").write_text(
            json.dumps(units, ensure_ascii=False), encoding="utf-8"
        )
        np.save(folder / "sentence_vectors.npy", unit_vectors.astype(np.float16))
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model=embedder.name,
            dim=embedder.dim,
            articles=len(articles),
            chunks=len(chunks),
            corpus_hash=corpus_hash(articles),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            index_type=index_type,
            build_seconds=round(time.perf_counter() - started, 3),
            embedded=embedded,
            sentences=len(units),
        )
        (folder / "manifest.json").write_text(
            json.dumps(asdict(manifest), indent=2), encoding="utf-8"
        )
        final = builds / build_id
        folder.rename(final)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    swap_in(data_dir, final)
    return manifest


def swap_in(data_dir: Path, build: Path) -> None:
    """Point data_dir/index at build with one atomic rename, then drop older builds."""
    link = data_dir / "index"
    tmp_link = data_dir / f".index-{build.name}"
    tmp_link.symlink_to(build.relative_to(data_dir))
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(tmp_link, link)
    for old in (data_dir / "builds").iterdir():
        if old.name != build.name and not old.name.startswith(".partial-"):
            shutil.rmtree(old, ignore_errors=True)


def write_jsonl(path: Path, records: Any) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def article_record(article: Article) -> dict[str, Any]:
    return asdict(article)


def read_articles(path: Path) -> list[Article]:
    articles = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            r["edits"] = tuple(Edit(**e) for e in r.get("edits", ()))
            articles.append(Article(**r))
    return articles


def read_manifest(folder: Path) -> Manifest:
    """The manifest of an index folder, refused with what to run when unreadable or of another format."""
    try:
        raw = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexMismatch(
            f"index at {folder} has no readable manifest: run `wenda index` to rebuild it"
        ) from exc
    version = raw.get("format_version") if isinstance(raw, dict) else None
    if version != FORMAT_VERSION:
        raise IndexMismatch(
            f"index format {version}, this wenda reads format {FORMAT_VERSION}: run `wenda index`"
        )
    try:
        return Manifest(**raw)
    except TypeError as exc:
        raise IndexMismatch(
            f"index at {folder} has a malformed manifest: run `wenda index` to rebuild it"
        ) from exc


def load_index(data_dir: Path, model: str, dim: int) -> LoadedIndex:
    """The data dir's index, checked against the embedder the service is configured with."""
    folder = data_dir / "index"
    if not (folder / "manifest.json").exists():
        raise IndexNotFound(
            f"no index in {data_dir}: run `wenda index --data-dir {data_dir}` to build one"
        )
    folder = folder.resolve()
    manifest = read_manifest(folder)
    if (manifest.model, manifest.dim) != (model, dim):
        raise IndexMismatch(
            f"index built with {manifest.model} ({manifest.dim}-d), service configured with {model} ({dim}-d): "
            "run `wenda index`"
        )
    articles = read_articles(folder / "articles.jsonl")
    with (folder / "chunks.jsonl").open(encoding="utf-8") as fh:
        chunks = [Chunk(**json.loads(line)) for line in fh]
    vectors = faiss.read_index(str(folder / "vectors.faiss"))
    units = json.loads((folder / "sentences.json").read_text(encoding="utf-8"))
    sentence_vectors = np.load(folder / "sentence_vectors.npy")
    if not vectors.ntotal == len(chunks) == manifest.chunks or len(units) != len(sentence_vectors):
        raise IndexMismatch(f"index at {folder} is inconsistent: run `wenda index` to rebuild it")
    return LoadedIndex(
        folder=folder,
        manifest=manifest,
        articles=articles,
        articles_by_id={a.doc_id: a for a in articles},
        chunks=chunks,
        vectors=vectors,
        keywords=KeywordIndex.load(folder / "bm25"),
        sentence_rows={(d, s, e): row for row, (d, s, e) in enumerate(units)},
        sentence_vectors=sentence_vectors,
    )
