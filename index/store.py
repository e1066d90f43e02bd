"""The index folder's one owner: `IndexStore` builds an index from articles, brings it up to
date, saves it atomically as a new generation and loads it with checks.

Nothing else writes the files index.layout names. The manifest records, besides the counts, the
build configuration (`build_config`): an index is current only when its articles and that
configuration are what this wenda would build.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import jieba

from corpus.chunking import (
    ANSWER_UNIT_RULES,
    CHUNKING_RULES,
    MAX_ANSWER_CHARS,
    MAX_CHARS,
    MIN_CHARS,
    TARGET_CHARS,
)
from corpus.model import Article
from index.bm25 import TOKENIZER
from index.cache import EmbeddingCache
from index.changes import (
    Changes,
    EmptyIndex,
    Plan,
    UnknownArticle,
    changed_hash,
    corpus_hash,
    is_corpus_hash,
    plan_changes,
)
from index.editing import Start, edited, fresh, no_index, start_of
from index.embedder import Embedder
from index.encoding import Progress, encode_articles, sentence_input
from index.folder import (
    PASSAGE_CODING,
    IndexContents,
    LoadedIndex,
    load_folder,
    read_articles,
)
from index.integrity import damaged_file
from index.layout import (
    INDEX_LINK,
    MANIFEST,
    WRITE_LOCK,
    IndexDamaged,
    IndexMismatch,
    IndexNotFound,
    Manifest,
    current_generation,
    read_manifest,
)
from index.locking import exclusive
from index.publish import BuildInfo, check_build, clear_leftovers, swap_in, write_build
from index.vectors import INDEX_TYPES, UNIT_CODING, concrete_type, make_vector_index

# re-exported: other modules imported these from here before the layout was split out
__all__ = ["Changes", "EmptyIndex", "IndexContents", "IndexStore", "LoadedIndex", "Manifest"]
__all__ += ["IndexDamaged", "IndexMismatch", "IndexNotFound", "UnknownArticle", "INDEX_TYPES"]
__all__ += ["build_index", "current_generation", "load_index", "sentence_input", "update_index"]
__all__ += ["check_build", "make_vector_index"]


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
        "unit_vectors": UNIT_CODING,
        "passages": PASSAGE_CODING,
        "tokenizer": TOKENIZER,
        "jieba": jieba.__version__,
    }


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
            return read_articles(folder)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexMismatch(
                f"index at {folder} has unreadable articles: run `wenda index` to rebuild it"
            ) from exc

    # ------------------------------------------------------------------ writing

    def write_lock(self) -> AbstractContextManager[None]:
        """One writer at a time per data dir (CLI and HTTP alike), across processes."""
        return exclusive(self.data_dir / WRITE_LOCK)

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
            index_type = concrete_type(index_type, len(encoded.chunks))
            info = BuildInfo(
                embedder.name,
                embedder.dim,
                index_type,
                build_config(embedder.name, embedder.dim, index_type),
                corpus_paths,
                started,
                encoded.embedded,
                Changes(added=tuple(a.doc_id for a in articles)),
            )
            return self._publish(fresh(list(articles), encoded, index_type).contents(), info)

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
            start = self._current(embedder, index_type, corpus, remove)
            plan = plan_changes(start.ids, start.read_old, upsert, remove, corpus)
            if not plan.target_ids:
                raise EmptyIndex(
                    "that would leave the index without articles; add others first, or delete "
                    f"{self.link} to drop the index"
                )
            whole = corpus_hash(corpus) if corpus is not None else None
            m, changes = start.manifest, plan.changes
            # nothing changed publishes nothing, unless a whole corpus finds the hash out of date
            unchanged = m is not None and start.editable is not None and not changes.any()
            if unchanged and m is not None and whole in (None, m.corpus_hash):
                return m, changes
            kind = index_type or (m.index_type if m else "auto")
            offered = corpus if corpus is not None else upsert
            if start.editable is None:
                # no index, or one of another configuration: built afresh (the cache keeps this
                # from embedding again what it already holds)
                target = start.target(plan.target_ids, offered)
                encoded = encode_articles(target, embedder, cache, progress)
                kind = concrete_type(kind, len(encoded.chunks))
                editable = fresh(target, encoded, kind)
            else:
                # new units coded about the index's mean, as its stored ones are
                mean = start.editable.unit_mean
                encoded = encode_articles(plan.new, embedder, cache, progress, mean)
                gone = set(changes.replaced) | set(changes.removed)
                target = start.target(plan.target_ids, offered) if start.articles else []
                editable = edited(start.editable, target, gone, encoded, kind, plan.new)
                whole = whole or _hash_after(start, plan, gone)
            if corpus_paths is None:
                corpus_paths = m.corpus_paths if m else ()
            config = build_config(embedder.name, embedder.dim, kind)
            info = BuildInfo(
                embedder.name, embedder.dim, kind, config, corpus_paths, started, encoded.embedded
            )
            info = replace(info, changes=changes, hash_of_corpus=whole)
            return self._publish(editable.contents(), info), changes

    def _current(
        self,
        embedder: Embedder,
        index_type: str | None,
        corpus: Sequence[Article] | None,
        remove: Collection[str],
    ) -> Start:
        """The published index as an update starts from it (editing.start_of); an unreadable
        one is replaced only by a whole corpus, and there is nothing to remove from no index."""
        if not self.exists():
            if remove:
                raise IndexNotFound(
                    f"no index in {self.data_dir} to remove from: "
                    f"run `wenda index --data-dir {self.data_dir}`"
                )
            return no_index()
        try:
            folder = self.link.resolve()
            manifest = read_manifest(folder)
            wanted = build_config(embedder.name, embedder.dim, index_type or manifest.index_type)
            return start_of(folder, manifest, wanted, self.articles)
        except IndexMismatch:
            if corpus is None:  # never drop articles of an index that cannot be read
                raise
            return no_index()

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
        info = BuildInfo(
            model,
            dim,
            index_type,
            build_config(model, dim, index_type),
            corpus_paths,
            time.perf_counter() if started is None else started,
            embedded,
            changes or Changes(),
            hash_of_corpus,
        )
        with nullcontext() if locked else self.write_lock():
            return self._publish(contents, info)

    def _publish(self, contents: IndexContents, info: BuildInfo) -> Manifest:
        """contents written as a new build folder and published (the caller holds the lock)."""
        clear_leftovers(self.data_dir)
        try:
            previous = self.manifest().files
        except (IndexNotFound, IndexMismatch):
            previous = {}
        folder, manifest = write_build(self.data_dir, contents, info, previous)
        swap_in(self.data_dir, folder)
        return manifest


def _hash_after(start: Start, plan: Plan, gone: set[str]) -> str | None:
    """The corpus hash after an update of an index whose texts were not read: the old one less
    the articles gone, plus the new (the old unknown: all articles read); None when the texts
    were read (the hash is then worked out from them)."""
    if start.articles is not None or start.manifest is None:
        return None
    if is_corpus_hash(start.manifest.corpus_hash):
        old = start.read_old(sorted(gone))
        return changed_hash(start.manifest.corpus_hash, old.values(), plan.new)
    return corpus_hash(start.target(plan.target_ids, plan.new))


# ------------------------------------------- the module's functions, as callers have used them


def write_lock(data_dir: Path) -> AbstractContextManager[None]:
    """One writer at a time per data dir (see IndexStore.write_lock)."""
    return IndexStore(data_dir).write_lock()


def build_index(
    articles: Sequence[Article], embedder: Embedder, data_dir: Path, *options: Any, **named: Any
) -> Manifest:
    """IndexStore(data_dir).build(articles, embedder, ...): its options as it takes them."""
    return IndexStore(data_dir).build(articles, embedder, *options, **named)


def update_index(data_dir: Path, embedder: Embedder, **change: Any) -> tuple[Manifest, Changes]:
    """IndexStore(data_dir).update(embedder, ...)."""
    return IndexStore(data_dir).update(embedder, **change)


def load_index(data_dir: Path, model: str, dim: int) -> LoadedIndex:
    """IndexStore(data_dir).load(model, dim)."""
    return IndexStore(data_dir).load(model, dim)
