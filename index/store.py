"""The index folder's one owner: `IndexStore` builds an index from articles, brings it up to
date, saves it atomically as a new generation and loads it with checks.

Nothing else writes the files index.layout names. The manifest records, besides the counts, the
build configuration (`build_config`): an index is current only when its articles and that
configuration are what this wenda would build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import jieba
import numpy as np

from corpus.chunking import (
    ANSWER_UNIT_RULES,
    CHUNKING_RULES,
    MAX_ANSWER_CHARS,
    MAX_CHARS,
    MIN_CHARS,
    TARGET_CHARS,
)
from corpus.model import Article, Chunk
from index.bm25 import TOKENIZER, KeywordIndex, tokenize
from index.cache import EmbeddingCache
from index.changes import Changes, EmptyIndex, UnknownArticle, corpus_hash, target_articles
from index.embedder import Embedder
from index.encoding import EncodedArticles, Progress, encode_articles, sentence_input
from index.folder import (
    IndexContents,
    LoadedIndex,
    StoredRows,
    load_folder,
    read_articles,
    read_chunks,
    read_units,
    write_contents,
)
from index.integrity import damaged_file, folder_files
from index.layout import (
    ARTICLES,
    BUILDS,
    CHUNKS,
    FORMAT_VERSION,
    INDEX_LINK,
    KEYWORDS,
    MANIFEST,
    PARTIAL_PREFIX,
    UNIT_ROWS,
    UNIT_VECTORS,
    UNITS,
    VECTOR_ROWS,
    VECTORS,
    WRITE_LOCK,
    IndexDamaged,
    IndexMismatch,
    IndexNotFound,
    Manifest,
    current_generation,
    read_manifest,
    read_part,
    write_manifest,
)
from index.pins import in_use

# re-exported: other modules imported these from here before the layout was split out
__all__ = ["Changes", "EmptyIndex", "IndexContents", "IndexStore", "LoadedIndex", "Manifest"]
__all__ += ["IndexDamaged", "IndexMismatch", "IndexNotFound", "UnknownArticle"]
__all__ += ["build_index", "current_generation", "load_index", "sentence_input", "update_index"]

INDEX_TYPES = ("flat", "hnsw")


@dataclass(slots=True)
class _Editable:
    """An index's contents in the form an update edits: tokens instead of a keyword index."""

    articles: list[Article]
    chunks: list[Chunk]
    vectors: Any  # faiss.Index, or StoredRows: a flat index's vectors edited where they lie
    tokens: list[list[str]]
    units: list[tuple[str, int, int]]
    unit_vectors: np.ndarray | StoredRows
    doc_freq: dict[str, int] | None = None  # of tokens, when known (else counted on saving)

    def contents(self) -> IndexContents:
        keywords = KeywordIndex.from_tokens(self.tokens, self.doc_freq)
        return IndexContents(
            self.articles, self.chunks, self.vectors, keywords, self.units, self.unit_vectors
        )


def build_config(model: str, dim: int, index_type: str) -> dict[str, Any]:
    """Everything besides the articles that decides an index's contents; an index is extended
    only when its recorded configuration equals this one, otherwise rebuilt (from the cache)."""
    return {
        "model": model,
        "dim": dim,
        "index_type": index_type,
        "chunking": CHUNKING_RULES,
        "passage_chars": {"target": TARGET_CHARS, "max": MAX_CHARS, "min": MIN_CHARS},
        "answer_units": ANSWER_UNIT_RULES,
        "answer_unit_max_chars": MAX_ANSWER_CHARS,
        "tokenizer": TOKENIZER,
        "jieba": jieba.__version__,
    }


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


def _without_rows(index: Any, rows: np.ndarray, index_type: str) -> Any:
    """The vector index without rows, the others keeping their order."""
    if index_type == "flat":
        index.remove_ids(faiss.IDSelectorBatch(rows))
        return index
    # HNSW cannot remove vectors: its graph is rebuilt from the kept ones
    kept = np.delete(index.reconstruct_n(0, index.ntotal), rows, axis=0)
    return make_vector_index(kept, index_type)


def _fresh(articles: Sequence[Article], encoded: EncodedArticles, index_type: str) -> _Editable:
    return _Editable(
        list(articles),
        encoded.chunks,
        make_vector_index(encoded.vectors, index_type),
        [tokenize(t) for t in encoded.inputs],
        encoded.units,
        encoded.unit_vectors,
    )


class IndexStore:
    """The index of one data dir: `data_dir/index` links to the published build folder under
    `data_dir/builds/`; every write makes a new build folder and publishes it atomically."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.link = data_dir / INDEX_LINK

    # ------------------------------------------------------------------ reading

    def exists(self) -> bool:
        return (self.link / MANIFEST).exists()

    def manifest(self) -> Manifest:
        """The published manifest; IndexNotFound when there is none."""
        if not self.exists():
            if self.link.is_symlink():  # published, but its manifest is gone
                raise IndexDamaged(MANIFEST, "missing")
            raise IndexNotFound(
                f"no index in {self.data_dir}: run `wenda index --data-dir {self.data_dir}` "
                "to build one"
            )
        return read_manifest(self.link.resolve())

    def generation(self) -> str | None:
        return current_generation(self.data_dir)

    def is_current(
        self, articles: Sequence[Article], model: str, dim: int, index_type: str | None = None
    ) -> bool:
        """True when the published index holds exactly these articles, built with this wenda's
        build configuration (chunking, answer units, tokeniser, model, index type)."""
        try:
            m = self.manifest()
        except (IndexNotFound, IndexMismatch):
            return False
        wanted = build_config(model, dim, index_type or m.index_type)
        return m.build_params == wanted and m.corpus_hash == corpus_hash(articles)

    def is_configured_as(self, model: str, dim: int) -> bool:
        """True when the published index was built with this wenda's build configuration."""
        try:
            m = self.manifest()
        except (IndexNotFound, IndexMismatch):
            return False
        return m.build_params == build_config(model, dim, m.index_type)

    def load(self, model: str, dim: int) -> LoadedIndex:
        """The published index, checked against the embedder the service is configured with."""
        manifest = self.manifest()
        if (manifest.model, manifest.dim) != (model, dim):
            raise IndexMismatch(
                f"index built with {manifest.model} ({manifest.dim}-d), service configured with "
                f"{model} ({dim}-d): run `wenda index`"
            )
        folder = self.link.resolve()
        if damage := damaged_file(folder, manifest.files):  # sizes, then checksums
            raise IndexDamaged(*damage)
        return load_folder(folder, manifest)

    def articles(self) -> list[Article]:
        folder = self.link.resolve()
        try:
            return read_articles(folder / ARTICLES)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexMismatch(
                f"index at {folder} has unreadable articles: run `wenda index` to rebuild it"
            ) from exc

    # ------------------------------------------------------------------ writing

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """One writer at a time per data dir (CLI and HTTP alike), across processes."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / WRITE_LOCK).open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def build(
        self,
        articles: Sequence[Article],
        embedder: Embedder,
        cache: EmbeddingCache | None = None,
        progress: Progress | None = None,
        index_type: str = "flat",
        corpus_paths: Sequence[str] = (),
    ) -> Manifest:
        """Build the index of articles into a new folder, then publish it in one atomic step; a
        failure before that leaves the old index serving."""
        started = time.perf_counter()
        with self.write_lock():
            encoded = encode_articles(articles, embedder, cache, progress)
            return self.save(
                _fresh(articles, encoded, index_type).contents(),
                model=embedder.name,
                dim=embedder.dim,
                index_type=index_type,
                corpus_paths=corpus_paths,
                started=started,
                embedded=encoded.embedded,
                changes=Changes(added=tuple(a.doc_id for a in articles)),
                locked=True,
            )

    def update(
        self,
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
        """Bring the index to a new state and publish it as a new generation.

        `corpus`: the index becomes exactly these articles (by id and content hash: new ones
        added, changed ones replaced, the rest removed); otherwise `upsert` adds or replaces
        articles by id and `remove` drops ids (unknown ids raise UnknownArticle). Only new text
        is embedded and only new passages tokenised; an index built with another configuration
        (or none) is built afresh. Nothing changed publishes nothing and returns the manifest."""
        started = time.perf_counter()
        with self.write_lock():
            try:
                manifest, current, editable = self._editable(embedder, index_type)
            except IndexMismatch:
                if corpus is None:  # never drop articles of an index that cannot be read
                    raise
                manifest, current, editable = None, [], None
            if manifest is None and remove:
                raise IndexNotFound(
                    f"no index in {self.data_dir} to remove from: "
                    f"run `wenda index --data-dir {self.data_dir}`"
                )
            target, changes = target_articles(current, upsert, remove, corpus)
            if not target:
                raise EmptyIndex(
                    "that would leave the index without articles; add others first, or delete "
                    f"{self.link} to drop the index"
                )
            if manifest is not None and editable is not None and not changes.any():
                return manifest, changes
            kind = index_type or (manifest.index_type if manifest else "flat")
            if corpus_paths is None:
                corpus_paths = manifest.corpus_paths if manifest else ()
            if editable is None:
                # no index, or one of another configuration: built afresh (the cache keeps this
                # from embedding again what it already holds)
                encoded = encode_articles(target, embedder, cache, progress)
                editable = _fresh(target, encoded, kind)
            else:
                fresh_ids = set(changes.added) | set(changes.replaced)
                fresh = [a for a in target if a.doc_id in fresh_ids]
                encoded = encode_articles(fresh, embedder, cache, progress)
                gone = set(changes.replaced) | set(changes.removed)
                editable = _edited(editable, target, gone, encoded, kind)
            manifest = self.save(
                editable.contents(),
                model=embedder.name,
                dim=embedder.dim,
                index_type=kind,
                corpus_paths=corpus_paths,
                started=started,
                embedded=encoded.embedded,
                changes=changes,
                locked=True,
            )
            return manifest, changes

    def _editable(
        self, embedder: Embedder, index_type: str | None
    ) -> tuple[Manifest | None, list[Article], _Editable | None]:
        """The published manifest and articles, and its contents when it can be extended (same
        build configuration, tokens stored); (None, [], None) when there is no index. An index
        that cannot be read raises IndexMismatch."""
        if not self.exists():
            return None, [], None
        folder = self.link.resolve()
        manifest = read_manifest(folder)
        articles = self.articles()
        wanted = build_config(embedder.name, embedder.dim, index_type or manifest.index_type)
        tokens = KeywordIndex.load_tokens(folder / KEYWORDS)
        if manifest.build_params != wanted or tokens is None:
            return manifest, articles, None
        if manifest.index_type == "flat":
            # the vectors stay in their files: an update links them and writes only its own
            chunks = read_part(CHUNKS, lambda: read_chunks(folder / CHUNKS))
            units = read_part(UNITS, lambda: read_units(folder))
            stored = manifest.stored_rows
            editable = _Editable(
                articles,
                chunks,
                StoredRows.of(folder, VECTORS, VECTOR_ROWS, stored.get("vectors"), len(chunks)),
                tokens,
                units,
                StoredRows.of(folder, UNIT_VECTORS, UNIT_ROWS, stored.get("units"), len(units)),
                read_part(KEYWORDS, lambda: KeywordIndex.load_doc_freq(folder / KEYWORDS)),
            )
            return manifest, articles, editable
        index = load_folder(folder, manifest)
        editable = _Editable(
            list(index.articles),
            list(index.chunks),
            index.vectors,
            tokens,
            read_units(folder),
            np.asarray(index.sentence_vectors[:]),
            index.keywords.doc_freq,
        )
        return manifest, editable.articles, editable

    def save(
        self,
        contents: IndexContents,
        *,
        model: str,
        dim: int,
        index_type: str,
        corpus_paths: Sequence[str] = (),
        started: float | None = None,
        embedded: int = 0,
        changes: Changes | None = None,
        hash_of_corpus: str | None = None,
        locked: bool = False,
    ) -> Manifest:
        """Write contents into a new build folder and publish it atomically (under the write
        lock, which `locked` says the caller already holds)."""
        if not locked:
            with self.write_lock():
                return self.save(
                    contents,
                    model=model,
                    dim=dim,
                    index_type=index_type,
                    corpus_paths=corpus_paths,
                    started=started,
                    embedded=embedded,
                    changes=changes,
                    hash_of_corpus=hash_of_corpus,
                    locked=True,
                )
        started = time.perf_counter() if started is None else started
        builds = self.data_dir / BUILDS
        builds.mkdir(parents=True, exist_ok=True)
        # the caller holds the write lock, so a partial build seen now is a killed writer's
        for leftover in builds.glob(f"{PARTIAL_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for link in self.data_dir.glob(f".{INDEX_LINK}-*"):  # a killed writer's, mid-swap
            link.unlink(missing_ok=True)
        build_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        folder = builds / f"{PARTIAL_PREFIX}{build_id}"
        try:
            folder.mkdir()
            units, stored_rows = write_contents(folder, contents)
            manifest = Manifest(
                format_version=FORMAT_VERSION,
                model=model,
                dim=dim,
                articles=len(contents.articles),
                chunks=len(contents.chunks),
                corpus_hash=hash_of_corpus or corpus_hash(contents.articles),
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                index_type=index_type,
                build_seconds=round(time.perf_counter() - started, 3),
                embedded=embedded,
                sentences=units,
                generation=build_id,
                corpus_paths=[str(p) for p in corpus_paths],
                build_params=build_config(model, dim, index_type),
                changes=(changes or Changes()).counts(),
                files=folder_files(folder),
                stored_rows=stored_rows,
            )
            write_manifest(folder, manifest)
            check_build(folder)  # read back: what the disk did not keep whole is not published
            final = builds / build_id
            folder.rename(final)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._swap_in(final)
        return manifest

    def _swap_in(self, build: Path) -> None:
        """Point data_dir/index at build with one atomic rename, then drop the builds older than
        the one it replaces (kept so a service still loading it is not cut off)."""
        previous = self.link.resolve().name if self.link.is_symlink() else None
        tmp_link = self.data_dir / f".{INDEX_LINK}-{build.name}"
        tmp_link.symlink_to(build.relative_to(self.data_dir))
        if self.link.exists() and not self.link.is_symlink():
            shutil.rmtree(self.link)
        os.replace(tmp_link, self.link)
        for old in (self.data_dir / BUILDS).iterdir():
            if old.name in (build.name, previous) or old.name.startswith(PARTIAL_PREFIX):
                continue
            if not in_use(old):  # a running server's pinned generation stays until it moves on
                shutil.rmtree(old, ignore_errors=True)


def check_build(folder: Path) -> None:
    """A written build folder read back whole: its files as the manifest records them (sizes,
    checksums) and their counts as it states them; IndexDamaged naming the file otherwise."""
    manifest = read_manifest(folder)
    if damage := damaged_file(folder, manifest.files):
        raise IndexDamaged(*damage)
    load_folder(folder, manifest)


def _edited(
    current: _Editable,
    target: list[Article],
    gone: set[str],
    encoded: EncodedArticles,
    index_type: str,
) -> _Editable:
    """current without the passages and units of the articles in gone, plus the encoded ones."""
    keep = [i for i, c in enumerate(current.chunks) if c.doc_id not in gone]
    drop = np.asarray([i for i, c in enumerate(current.chunks) if c.doc_id in gone], dtype=np.int64)
    keep_units = [i for i, u in enumerate(current.units) if u[0] not in gone]
    index = current.vectors
    unit_vectors = current.unit_vectors
    if isinstance(index, StoredRows) and isinstance(unit_vectors, StoredRows):
        index = index.edited(np.asarray(keep, np.int64), encoded.vectors.astype(np.float32))
        unit_vectors = unit_vectors.edited(np.asarray(keep_units, np.int64), encoded.unit_vectors)
        if index.worth_compacting() or unit_vectors.worth_compacting():
            index = make_vector_index(index.vectors(lambda: _base_vectors(index.folder)), "flat")
            unit_vectors = unit_vectors.vectors(lambda: np.load(unit_vectors.folder / UNIT_VECTORS))
    else:
        if drop.size:
            index = _without_rows(index, drop, index_type)
        if len(encoded.vectors):
            index.add(np.ascontiguousarray(encoded.vectors, dtype=np.float32))
        assert isinstance(unit_vectors, np.ndarray)
        unit_vectors = np.concatenate([unit_vectors[keep_units], encoded.unit_vectors])
    new_tokens = [tokenize(t) or [""] for t in encoded.inputs]
    doc_freq = KeywordIndex.updated_doc_freq(
        current.doc_freq or {}, [current.tokens[i] for i in drop.tolist()], new_tokens
    )
    return _Editable(
        target,
        [current.chunks[i] for i in keep] + encoded.chunks,
        index,
        [current.tokens[i] for i in keep] + new_tokens,
        [current.units[i] for i in keep_units] + encoded.units,
        unit_vectors,
        doc_freq if current.doc_freq is not None else None,
    )


def _base_vectors(folder: Path) -> np.ndarray:
    index = read_part(VECTORS, lambda: faiss.read_index(str(folder / VECTORS)))
    return index.reconstruct_n(0, index.ntotal)


# ------------------------------------------- the module's functions, as callers have used them


def write_lock(data_dir: Path) -> Any:
    """One writer at a time per data dir (see IndexStore.write_lock)."""
    return IndexStore(data_dir).write_lock()


def build_index(
    articles: Sequence[Article],
    embedder: Embedder,
    data_dir: Path,
    cache: EmbeddingCache | None = None,
    progress: Progress | None = None,
    index_type: str = "flat",
    corpus_paths: Sequence[str] = (),
) -> Manifest:
    """IndexStore(data_dir).build(...)."""
    return IndexStore(data_dir).build(articles, embedder, cache, progress, index_type, corpus_paths)


def update_index(data_dir: Path, embedder: Embedder, **change: Any) -> tuple[Manifest, Changes]:
    """IndexStore(data_dir).update(embedder, ...)."""
    return IndexStore(data_dir).update(embedder, **change)


def load_index(data_dir: Path, model: str, dim: int) -> LoadedIndex:
    """IndexStore(data_dir).load(model, dim)."""
    return IndexStore(data_dir).load(model, dim)
