"""The one place that picks the retrieval backend from the settings: the data dir's FAISS + BM25
index, or a Milvus collection (WENDA_BACKEND=milvus, WENDA_MILVUS_URI); for searching
(`passage_search`) and for publishing a write (`publish`). Nothing else asks which it is."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, TypeVar

from corpus.model import Article
from index.backend import PassageSearch
from index.embedder import Embedder
from index.folder import LoadedIndex
from index.retriever import Retriever
from service.settings import Settings

if TYPE_CHECKING:
    from index.cache import EmbeddingCache
    from index.encoding import Progress
    from index.milvus_backend import MilvusTarget

T = TypeVar("T")


def milvus_target(settings: Settings) -> MilvusTarget:
    from index.milvus_backend import MilvusTarget

    return MilvusTarget(
        uri=settings.milvus_uri,
        collection=settings.milvus_collection,
        token=settings.milvus_token,
        dense_index=settings.milvus_dense_index,
        shards=settings.milvus_shards,
        replicas=settings.milvus_replicas,
    )


def passage_search(
    settings: Settings, index: LoadedIndex, embedder: Embedder | None
) -> PassageSearch:
    """The searcher of the served generation's passages that the settings name."""
    if settings.backend == "milvus":
        from index.milvus_backend import MilvusPassages, MilvusRetriever

        return MilvusRetriever(index, embedder, MilvusPassages(milvus_target(settings)))
    return Retriever(index, embedder)


def publish(
    settings: Settings,
    embedder: Embedder,
    cache: EmbeddingCache | None,
    write: Callable[[], T],
    articles: Sequence[Article],
    only: Collection[str] | None,
    progress: Progress | None = None,
) -> T:
    """Run write (an IndexStore build or update, which publishes the data dir's new generation)
    with the backend kept in step: for Milvus, articles' passages are written to the collection
    before it and the rows no longer published deleted after it (index.milvus_sync). only: the
    ids of the articles the write may change (None: any)."""
    if settings.backend != "milvus":
        return write()
    from index.milvus_backend import MilvusPassages
    from index.milvus_sync import MilvusSync

    passages = MilvusPassages(milvus_target(settings))
    sync = MilvusSync(passages, settings.data_dir, embedder, cache, progress)
    return sync.publish(write, articles, only)
