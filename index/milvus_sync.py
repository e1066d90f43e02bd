"""Keeping a Milvus collection in step with the data dir's published generation.

The data dir stays the record of what is indexed (IndexStore publishes it atomically); Milvus
holds its passages for search. A write goes in three steps under one lock:
  1. stage: the rows of the passages the new generation will hold that Milvus lacks are written
     (new keys only: the generation being served never sees them, MilvusRetriever skips them);
  2. publish: IndexStore writes and swaps in the new generation as it always does;
  3. settle: the rows no published passage has any more are deleted; a collection that then
     holds another number of rows than the published passages (a write that failed after
     publishing, the first write to a new collection) is repaired from the published build.
A failure in 1 or 2 leaves the last generation served whole; in 3, the next write repairs it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypeVar

from corpus.model import Article, Chunk
from index.cache import EmbeddingCache
from index.embedder import Embedder
from index.encoding import Progress, chunk_corpus, embed_with_cache, passage_input
from index.folder import Texts
from index.kept import article_files
from index.layout import INDEX_LINK, MANIFEST, read_part
from index.locking import exclusive
from index.milvus_backend import MilvusPassages, MilvusUnavailable, row_key

T = TypeVar("T")

SYNC_LOCK = ".milvus.lock"  # in the data dir: one Milvus write sequence at a time


class MilvusSync:
    def __init__(
        self,
        passages: MilvusPassages,
        data_dir: Path,
        embedder: Embedder,
        cache: EmbeddingCache | None,
        progress: Progress | None = None,
    ) -> None:
        self.passages = passages
        self.data_dir = data_dir
        self.embedder = embedder
        self.cache = cache
        self.progress = progress

    def lock(self) -> AbstractContextManager[None]:
        return exclusive(self.data_dir / SYNC_LOCK)

    def publish(
        self, write: Callable[[], T], articles: Sequence[Article], only: Collection[str] | None
    ) -> T:
        """Stage the passages of articles, run write (which publishes), then settle. only: the
        ids of the articles the write changes (None: it may change any)."""
        from pymilvus import MilvusException

        with self.lock():
            published = False
            try:
                self.passages.ensure(self.embedder.dim)
                self.stage(chunk_corpus(articles), {a.doc_id: a for a in articles}, only)
                result = write()
                published = True
                self.settle(only)
                return result
            except MilvusException as exc:
                state = (
                    "the data dir's new index is published; run the command again to finish "
                    "the collection"
                    if published
                    else "nothing was published"
                )
                raise MilvusUnavailable(
                    f"Milvus at {self.passages.target.uri} failed ({exc.message}): {state}"
                ) from exc

    def stage(
        self, chunks: Sequence[Chunk], by_id: Mapping[str, Article], only: Collection[str] | None
    ) -> int:
        """Write the rows of chunks that the collection lacks (embedding through the cache);
        returns how many."""
        held = self.passages.keys(None if only is None else {c.doc_id for c in chunks})
        missing = [c for c in chunks if row_key(self.embedder.name, c) not in held]
        if not missing:
            return 0
        vectors, _ = embed_with_cache(
            self.embedder, [passage_input(c) for c in missing], self.cache, self.progress
        )
        return self.passages.upsert(self.embedder.name, missing, vectors, by_id)

    def settle(self, only: Collection[str] | None) -> None:
        """Delete the rows (of the articles in only, when given) that the published generation
        does not hold; then, when the collection holds another number of rows than the published
        passages, repair it from the published build (stage what it lacks, delete the rest);
        then seal what was written."""
        folder = (self.data_dir / INDEX_LINK).resolve()
        if not (folder / MANIFEST).exists():
            return
        # passages read line by line, each article once through the reader's cache
        texts = read_part(article_files(folder)[0], lambda: Texts.of(folder))
        published = {row_key(self.embedder.name, c) for c in texts.chunks}
        self.passages.delete(self.passages.keys(only) - published)
        if self.passages.count() != len(published):
            self.stage(texts.chunks, texts.by_id, None)
            self.passages.delete(self.passages.keys() - published)
        self.passages.flush()
