"""The index folder: build it from articles, swap it in atomically, load and check it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import faiss
import numpy as np

from corpus.chunking import (
    MAX_ANSWER_CHARS,
    MAX_CHARS,
    MIN_CHARS,
    TARGET_CHARS,
    answer_spans,
    chunk_article,
)
from corpus.model import Article, Chunk, Edit
from index.bm25 import TOKENIZER, KeywordIndex, tokenize
from index.cache import EmbeddingCache, text_key
from index.embedder import Embedder

FORMAT_VERSION = 3
READABLE_FORMATS = (2, 3)  # format 2: no stored tokens; updated by one rebuild
INDEX_TYPES = ("flat", "hnsw")
Progress = Callable[[int, int], None]


class IndexNotFound(RuntimeError):
    """No index in the data dir."""


class IndexMismatch(RuntimeError):
    """The index on disk was built differently from what the service is configured with."""


T = TypeVar("T")


class IndexDamaged(IndexMismatch):
    """A file of the index folder is missing, truncated, or disagrees with the manifest."""

    def __init__(self, name: str, reason: str) -> None:
        self.path = f"index/{name}"  # relative to the data dir: no server path in a response
        super().__init__(
            f"index file {self.path} is damaged ({reason}): "
            "run `wenda index --rebuild` to rebuild the index"
        )


def read_part(name: str, read: Callable[[], T]) -> T:
    """read() of the index file `name`, any failure of it (each reader fails its own way on a
    truncated or missing file) told as IndexDamaged naming the file."""
    try:
        return read()
    except FileNotFoundError as exc:
        raise IndexDamaged(name, "missing") from exc
    except Exception as exc:
        raise IndexDamaged(name, f"unreadable: {type(exc).__name__}") from exc


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
    # added in format 3 (absent from format 2 manifests)
    generation: str = ""  # the build folder's name; changes with every published state
    corpus_paths: list[str] = field(default_factory=list)  # what `wenda index` read
    build_params: dict[str, Any] = field(default_factory=dict)  # see build_params()
    changes: dict[str, int] = field(default_factory=dict)  # of the update that published it


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


def build_params(embedder: Embedder, index_type: str) -> dict[str, Any]:
    """Everything besides the articles that decides an index's contents; an update extends an
    index only when these are unchanged, otherwise it rebuilds (from the embedding cache)."""
    return {
        "model": embedder.name,
        "dim": embedder.dim,
        "index_type": index_type,
        "passage_chars": {"target": TARGET_CHARS, "max": MAX_CHARS, "min": MIN_CHARS},
        "answer_unit_max_chars": MAX_ANSWER_CHARS,
        "tokenizer": TOKENIZER,
    }


def article_hash(article: Article) -> str:
    """The hash of what an article contributes to the index (not where it was read from)."""
    record = [article.doc_id, article.title, article.byline, article.text, article.metadata]
    return hashlib.sha256(
        json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class Changes:
    """What an update did, by article id."""

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0

    def any(self) -> bool:
        return bool(self.added or self.replaced or self.removed)


class EmptyIndex(ValueError):
    """A change that would leave the index without articles."""


class UnknownArticle(KeyError):
    """An article id the index does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown article"


@dataclass(slots=True)
class _Parts:
    """An index's contents before they are written: chunks, vectors, tokens and answer units in
    matching order."""

    articles: list[Article]
    chunks: list[Chunk]
    vectors: Any  # faiss.Index, row i is chunks[i]
    tokens: list[list[str]]
    units: list[tuple[str, int, int]]
    unit_vectors: np.ndarray  # float16
    doc_freq: dict[str, int] | None = None  # of tokens, when known (else counted on writing)


def _embed_articles(
    articles: Sequence[Article],
    embedder: Embedder,
    cache: EmbeddingCache | None,
    progress: Progress | None,
) -> tuple[list[Chunk], np.ndarray, list[str], list[tuple[str, int, int]], np.ndarray, int]:
    """Chunks, their vectors and inputs, answer units and their vectors, texts embedded."""
    chunks = chunk_corpus(articles)
    inputs = [passage_input(c) for c in chunks]
    by_id = {a.doc_id: a for a in articles}
    units = sentence_units(articles)
    unit_inputs = [sentence_input(by_id[d], s, e) for d, s, e in units]
    all_vectors, embedded = embed_with_cache(embedder, inputs + unit_inputs, cache, progress)
    return (
        chunks,
        all_vectors[: len(inputs)],
        inputs,
        units,
        all_vectors[len(inputs) :].astype(np.float16),
        embedded,
    )


def build_index(
    articles: Sequence[Article],
    embedder: Embedder,
    data_dir: Path,
    cache: EmbeddingCache | None = None,
    progress: Progress | None = None,
    index_type: str = "flat",
    corpus_paths: Sequence[str] = (),
) -> Manifest:
    """Build the index of articles into a new folder, then make it the data dir's index in one
    atomic step; a failure before that leaves the old index serving."""
    started = time.perf_counter()
    with write_lock(data_dir):
        chunks, vectors, inputs, units, unit_vectors, embedded = _embed_articles(
            articles, embedder, cache, progress
        )
        parts = _Parts(
            list(articles),
            chunks,
            make_vector_index(vectors, index_type),
            [tokenize(t) for t in inputs],
            units,
            unit_vectors,
        )
        changes = Changes(added=tuple(a.doc_id for a in articles))
        return _publish(
            data_dir, parts, embedder, index_type, corpus_paths, started, embedded, changes
        )


def update_index(
    data_dir: Path,
    embedder: Embedder,
    *,
    upsert: Sequence[Article] = (),
    remove: Collection[str] = (),
    corpus: Sequence[Article] | None = None,
    cache: EmbeddingCache | None = None,
    progress: Progress | None = None,
    index_type: str | None = None,
    corpus_paths: Sequence[str] | None = None,
) -> tuple[Manifest, Changes]:
    """Bring the data dir's index to a new state and publish it as a new generation.

    `corpus`: the index becomes exactly these articles (by id and content hash: new ones added,
    changed ones replaced, the rest removed); otherwise `upsert` adds or replaces articles by id
    and `remove` drops ids (unknown ids raise UnknownArticle). Only new text is embedded and only
    new passages tokenised; an index built with other parameters (or none) is built afresh.
    Nothing changed publishes nothing and returns the current manifest."""
    started = time.perf_counter()
    with write_lock(data_dir):
        try:
            manifest, current, parts = _current_state(data_dir, embedder, index_type)
        except IndexMismatch:
            if corpus is None:  # never drop articles of an index that cannot be read
                raise
            manifest, current, parts = None, [], None
        if manifest is None and remove:
            raise IndexNotFound(
                f"no index in {data_dir} to remove from: run `wenda index --data-dir {data_dir}`"
            )
        target, changes = _target_articles(current, upsert, remove, corpus)
        if not target:
            raise EmptyIndex(
                "that would leave the index without articles; add others first, or delete "
                f"{data_dir / 'index'} to drop the index"
            )
        if manifest is not None and parts is not None and not changes.any():
            return manifest, changes
        kind = index_type or (manifest.index_type if manifest else "flat")
        paths = (
            corpus_paths
            if corpus_paths is not None
            else (manifest.corpus_paths if manifest else ())
        )
        if manifest is None or parts is None:
            # no index, or one made with other build parameters: built afresh (the cache keeps
            # this from embedding again what it already holds)
            chunks, vectors, inputs, units, unit_vectors, embedded = _embed_articles(
                target, embedder, cache, progress
            )
            parts = _Parts(
                target,
                chunks,
                make_vector_index(vectors, kind),
                [tokenize(t) for t in inputs],
                units,
                unit_vectors,
            )
            return _publish(
                data_dir, parts, embedder, kind, paths, started, embedded, changes
            ), changes
        gone = set(changes.replaced) | set(changes.removed)
        fresh_ids = set(changes.added) | set(changes.replaced)
        fresh = [a for a in target if a.doc_id in fresh_ids]
        chunks, vectors, inputs, units, unit_vectors, embedded = _embed_articles(
            fresh, embedder, cache, progress
        )
        keep = [i for i, c in enumerate(parts.chunks) if c.doc_id not in gone]
        drop = np.asarray(
            [i for i, c in enumerate(parts.chunks) if c.doc_id in gone], dtype=np.int64
        )
        index = parts.vectors
        if drop.size:
            index = _without_rows(index, drop, kind)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        keep_units = [i for i, u in enumerate(parts.units) if u[0] not in gone]
        new_tokens = [tokenize(t) or [""] for t in inputs]
        doc_freq = KeywordIndex.updated_doc_freq(
            parts.doc_freq or {}, [parts.tokens[i] for i in drop.tolist()], new_tokens
        )
        parts = _Parts(
            target,
            [parts.chunks[i] for i in keep] + chunks,
            index,
            [parts.tokens[i] for i in keep] + new_tokens,
            [parts.units[i] for i in keep_units] + units,
            np.concatenate([parts.unit_vectors[keep_units], unit_vectors]),
            doc_freq if parts.doc_freq is not None else None,
        )
        return _publish(data_dir, parts, embedder, kind, paths, started, embedded, changes), changes


def _target_articles(
    current: list[Article],
    upsert: Sequence[Article],
    remove: Collection[str],
    corpus: Sequence[Article] | None,
) -> tuple[list[Article], Changes]:
    old = {a.doc_id: article_hash(a) for a in current}
    if corpus is not None:
        target = list(corpus)
        new_ids = {a.doc_id for a in target}
        removed = tuple(d for d in old if d not in new_ids)
    else:
        unknown = [d for d in remove if d not in old]
        if unknown:
            raise UnknownArticle(
                f"no article with id {', '.join(map(repr, unknown))} in the index; "
                "GET /articles (or `wenda index --dry-run --show-articles`) lists them"
            )
        removed = tuple(d for d in old if d in set(remove))
        by_id = {a.doc_id: a for a in upsert}
        target = [by_id.pop(a.doc_id, a) for a in current if a.doc_id not in removed]
        target.extend(by_id.values())
    added = tuple(a.doc_id for a in target if a.doc_id not in old)
    replaced = tuple(
        a.doc_id for a in target if a.doc_id in old and old[a.doc_id] != article_hash(a)
    )
    unchanged = len(target) - len(added) - len(replaced)
    return target, Changes(added, replaced, removed, unchanged)


def _without_rows(index: Any, rows: np.ndarray, index_type: str) -> Any:
    """The vector index without rows, the others keeping their order."""
    if index_type == "flat":
        index.remove_ids(faiss.IDSelectorBatch(rows))
        return index
    # HNSW cannot remove vectors: its graph is rebuilt from the kept ones
    kept = np.delete(index.reconstruct_n(0, index.ntotal), rows, axis=0)
    return make_vector_index(kept, index_type)


def _current_state(
    data_dir: Path, embedder: Embedder, index_type: str | None
) -> tuple[Manifest | None, list[Article], _Parts | None]:
    """The current index's manifest and articles, and its contents when it can be extended
    (same build parameters, tokens stored); (None, [], None) when there is no index. An index
    that cannot be read raises IndexMismatch."""
    link = data_dir / "index"
    if not (link / "manifest.json").exists():
        return None, [], None
    folder = link.resolve()
    manifest = read_manifest(folder)
    try:
        articles = read_articles(folder / "articles.jsonl")
    except (OSError, ValueError, TypeError) as exc:
        raise IndexMismatch(
            f"index at {folder} has unreadable articles: run `wenda index` to rebuild it"
        ) from exc
    wanted = build_params(embedder, index_type or manifest.index_type)
    tokens = KeywordIndex.load_tokens(folder / "bm25")
    if manifest.build_params != wanted or tokens is None:
        return manifest, articles, None
    index = load_folder(folder, manifest)
    parts = _Parts(
        index.articles,
        index.chunks,
        index.vectors,
        tokens,
        json_units(folder),
        index.sentence_vectors,
        index.keywords.doc_freq,
    )
    return manifest, index.articles, parts


@contextmanager
def write_lock(data_dir: Path) -> Iterator[None]:
    """One writer at a time per data dir (CLI and HTTP alike), across processes."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".write.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _publish(
    data_dir: Path,
    parts: _Parts,
    embedder: Embedder,
    index_type: str,
    corpus_paths: Sequence[str],
    started: float,
    embedded: int,
    changes: Changes,
) -> Manifest:
    """Write parts into a new generation folder and swap it in atomically."""
    builds = data_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    # the caller holds the write lock, so a partial build seen now is a killed writer's
    for leftover in builds.glob(".partial-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    build_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    folder = builds / f".partial-{build_id}"
    try:
        folder.mkdir()
        faiss.write_index(parts.vectors, str(folder / "vectors.faiss"))
        KeywordIndex.from_tokens(parts.tokens, parts.doc_freq).save(folder / "bm25")
        write_jsonl(folder / "articles.jsonl", (article_record(a) for a in parts.articles))
        write_jsonl(folder / "chunks.jsonl", (asdict(c) for c in parts.chunks))
        (folder / "sentences.json").write_text(
            json.dumps(parts.units, ensure_ascii=False), encoding="utf-8"
        )
        np.save(folder / "sentence_vectors.npy", parts.unit_vectors.astype(np.float16))
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model=embedder.name,
            dim=embedder.dim,
            articles=len(parts.articles),
            chunks=len(parts.chunks),
            corpus_hash=corpus_hash(parts.articles),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            index_type=index_type,
            build_seconds=round(time.perf_counter() - started, 3),
            embedded=embedded,
            sentences=len(parts.units),
            generation=build_id,
            corpus_paths=[str(p) for p in corpus_paths],
            build_params=build_params(embedder, index_type),
            changes={
                "added": len(changes.added),
                "replaced": len(changes.replaced),
                "removed": len(changes.removed),
                "unchanged": changes.unchanged,
            },
        )
        (folder / "manifest.json").write_text(
            json.dumps(asdict(manifest), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        final = builds / build_id
        folder.rename(final)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    swap_in(data_dir, final)
    return manifest


def swap_in(data_dir: Path, build: Path) -> None:
    """Point data_dir/index at build with one atomic rename, then drop the builds older than
    the one it replaces (kept so a service still loading it is not cut off)."""
    link = data_dir / "index"
    previous = link.resolve().name if link.is_symlink() else None
    tmp_link = data_dir / f".index-{build.name}"
    tmp_link.symlink_to(build.relative_to(data_dir))
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(tmp_link, link)
    for old in (data_dir / "builds").iterdir():
        if old.name not in (build.name, previous) and not old.name.startswith(".partial-"):
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
    if version not in READABLE_FORMATS:
        raise IndexMismatch(
            f"index format {version}, this wenda reads format {FORMAT_VERSION}: run `wenda index`"
        )
    try:
        return Manifest(**raw)
    except TypeError as exc:
        raise IndexMismatch(
            f"index at {folder} has a malformed manifest: run `wenda index` to rebuild it"
        ) from exc


def current_generation(data_dir: Path) -> str | None:
    """What data_dir/index points at (cheap: one readlink), changing with every published
    state; None when there is no index."""
    link = data_dir / "index"
    try:
        return os.readlink(link)
    except OSError:
        pass
    try:  # an index folder put in place by hand rather than published
        return f"folder@{(link / 'manifest.json').stat().st_mtime_ns}"
    except OSError:
        return None


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
    return load_folder(folder, manifest)


def json_units(folder: Path) -> list[tuple[str, int, int]]:
    return [(d, s, e) for d, s, e in json.loads((folder / "sentences.json").read_text("utf-8"))]


def read_chunks(path: Path) -> list[Chunk]:
    with path.open(encoding="utf-8") as fh:
        return [Chunk(**json.loads(line)) for line in fh]


def load_folder(folder: Path, manifest: Manifest) -> LoadedIndex:
    """Every part of one index folder, checked against the manifest and each other; a missing,
    unreadable or miscounted file raises IndexDamaged naming it."""
    articles = read_part("articles.jsonl", lambda: read_articles(folder / "articles.jsonl"))
    chunks = read_part("chunks.jsonl", lambda: read_chunks(folder / "chunks.jsonl"))
    vectors = read_part("vectors.faiss", lambda: faiss.read_index(str(folder / "vectors.faiss")))
    units = read_part("sentences.json", lambda: json_units(folder))
    sentence_vectors = read_part(
        "sentence_vectors.npy", lambda: np.load(folder / "sentence_vectors.npy")
    )
    keywords = read_part("bm25", lambda: KeywordIndex.load(folder / "bm25"))
    counts = [
        ("articles.jsonl", len(articles), manifest.articles, "articles"),
        ("chunks.jsonl", len(chunks), manifest.chunks, "passages"),
        ("vectors.faiss", vectors.ntotal, manifest.chunks, "vectors"),
        ("bm25", keywords.n_docs, manifest.chunks, "passages"),
        ("sentence_vectors.npy", len(sentence_vectors), len(units), "vectors"),
    ]
    for name, found, expected, what in counts:
        if found != expected:
            raise IndexDamaged(name, f"{found} {what}, expected {expected}")
    return LoadedIndex(
        folder=folder,
        manifest=manifest,
        articles=articles,
        articles_by_id={a.doc_id: a for a in articles},
        chunks=chunks,
        vectors=vectors,
        keywords=keywords,
        sentence_rows={(d, s, e): row for row, (d, s, e) in enumerate(units)},
        sentence_vectors=sentence_vectors,
    )
