"""The Milvus backend against a real Milvus Lite server (gRPC, as to a cluster): a build, add,
replace and remove keep the collection to the published passages; a server of a generation
answers from its own passages only; filters; rankings as the FAISS backend's."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.milvus_lite import lite_server
from corpus.loading import load_corpus
from corpus.model import Article
from index.backend import ArticleFilter
from index.layout import IndexMismatch
from index.milvus_backend import (
    CollectionMismatch,
    MilvusPassages,
    MilvusRetriever,
    MilvusUnavailable,
    row_key,
)
from index.milvus_sync import MilvusSync
from index.retriever import Retriever
from index.store import load_index
from service import operations
from service.backends import milvus_target
from service.qa import QAService
from service.settings import Settings
from tests.conftest import FAKE_MIN_CONFIDENCE, SEED, FakeEmbedder
from tests.milvus_lite import milvus_lite_server, needs_milvus_lite

pytestmark = [pytest.mark.integration, needs_milvus_lite]


@pytest.fixture(scope="module")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with milvus_lite_server(tmp_path_factory.mktemp("milvus") / "lite") as uri:
        yield uri


@pytest.fixture
def settings(tmp_path: Path, milvus_uri: str, request: pytest.FixtureRequest) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        corpus=[SEED],
        cache_dir=tmp_path / "cache",
        min_confidence=FAKE_MIN_CONFIDENCE,
        backend="milvus",
        milvus_uri=milvus_uri,
        milvus_collection=f"t_{request.node.name[:40].replace('-', '_')}",
    )


def published_keys(settings: Settings, embedder: FakeEmbedder) -> set[str]:
    index = load_index(settings.data_dir, embedder.name, embedder.dim)
    return {row_key(embedder.name, c) for c in index.chunks}


def extra(doc_id: str, text: str, **metadata: str) -> Article:
    return Article(doc_id, f"{doc_id}的标题", text, metadata=dict(metadata))


def test_the_collection_holds_exactly_the_published_passages_through_add_replace_remove(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    passages = MilvusPassages(milvus_target(settings))
    operations.build(settings, fake_embedder, load_corpus([SEED]))
    assert passages.keys() == published_keys(settings, fake_embedder)
    added = extra("new-1", "青藏高原上的新机场昨天通航，首班航班载客一百二十人。")
    operations.bring_up_to_date(settings, fake_embedder, upsert=[added])
    assert passages.keys() == published_keys(settings, fake_embedder)
    assert passages.keys(["new-1"])
    replaced = extra("new-1", "青藏高原上的新机场推迟通航，原因是跑道检测未完成。")
    before = passages.keys(["new-1"])
    operations.bring_up_to_date(settings, fake_embedder, upsert=[replaced])
    assert passages.keys() == published_keys(settings, fake_embedder)
    assert passages.keys(["new-1"]).isdisjoint(before)
    operations.bring_up_to_date(settings, fake_embedder, remove=["new-1"])
    assert passages.keys(["new-1"]) == set()
    assert passages.keys() == published_keys(settings, fake_embedder)


def test_rankings_match_the_faiss_backend(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    operations.build(settings, fake_embedder, load_corpus([SEED]))
    index = load_index(settings.data_dir, fake_embedder.name, fake_embedder.dim)
    faiss = Retriever(index, fake_embedder)
    milvus = MilvusRetriever(index, fake_embedder, MilvusPassages(milvus_target(settings)))
    for chunk in index.chunks[:: max(1, len(index.chunks) // 8)]:
        question = chunk.text[10:40]
        dense_f = faiss.search(question, 5, "dense")
        dense_m = milvus.search(question, 5, "dense")
        assert [h.chunk.chunk_id for h in dense_m] == [h.chunk.chunk_id for h in dense_f]
        for f, m in zip(dense_f, dense_m, strict=True):
            assert m.dense == pytest.approx(f.dense, abs=1e-4)
        # keywords: each backend's first passage is among the other's first three (Milvus's
        # analyzer and BM25 statistics are its own); fused likewise
        for mode in ("bm25", "hybrid"):
            m = [h.chunk for h in milvus.search(question, 3, mode)]  # type: ignore[arg-type]
            f = [h.chunk for h in faiss.search(question, 3, mode)]  # type: ignore[arg-type]
            assert m[0] in f and f[0] in m, (mode, question)
        fused = milvus.search(question, 5, "hybrid")
        assert all(h.dense > 0 for h in fused)  # every fused hit carries its cosine


def test_a_server_answers_from_its_own_generation_only(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    operations.build(settings, fake_embedder, load_corpus([SEED]))
    serving = QAService.load(settings, fake_embedder)
    text = "青藏高原上的新机场昨天通航，首班航班载客一百二十人。"
    operations.bring_up_to_date(settings, fake_embedder, upsert=[extra("new-1", text)])
    # the rows of the next generation are in Milvus, but not in the generation served
    assert all(h.chunk.doc_id != "new-1" for h in serving.retriever.search(text, 5, "bm25"))
    fresh = QAService.load(settings, fake_embedder)
    assert fresh.retriever.search(text, 5, "dense")[0].chunk.doc_id == "new-1"
    # (by keywords among the first 5 only: Milvus Lite keeps BM25 statistics per segment, and
    # the added article's segment holds one passage; Milvus keeps them per collection)
    assert "new-1" in {h.chunk.doc_id for h in fresh.retriever.search(text, 5, "bm25")}
    result = fresh.ask("新机场首班航班载客多少人?")
    assert "new-1" in {h.chunk.doc_id for h in result.hits}


def test_filters_admit_only_the_articles_they_name(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    articles = [
        extra("a", "港口吞吐量增长三成，集装箱航线新增五条。", date="2024-03-01", source="日报"),
        extra("b", "港口吞吐量增长两成，散货码头扩建完成。", date="2024-05-01", source="晚报"),
        extra("c", "港口吞吐量下降一成，受台风影响。"),
    ]
    operations.build(settings, fake_embedder, articles)
    service = QAService.load(settings, fake_embedder)

    def docs(only: ArticleFilter) -> set[str]:
        return {
            h.chunk.doc_id for h in service.retriever.search("港口吞吐量", 5, "hybrid", None, only)
        }

    assert docs(ArticleFilter()) == {"a", "b", "c"}
    assert docs(ArticleFilter(doc_ids=frozenset({"b", "c"}))) == {"b", "c"}
    assert docs(ArticleFilter(source="日报")) == {"a"}
    assert docs(ArticleFilter(date_from="2024-04-01")) == {"b"}
    assert docs(ArticleFilter(date_to="2024-04-01")) == {"a"}


def test_a_failed_write_leaves_the_last_generation_served_and_the_next_one_repairs(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    operations.build(settings, fake_embedder, load_corpus([SEED]))
    good = published_keys(settings, fake_embedder)
    generation = load_index(settings.data_dir, fake_embedder.name, 64).manifest.generation
    passages = MilvusPassages(milvus_target(settings))
    sync = MilvusSync(passages, settings.data_dir, fake_embedder, None)
    added = extra("new-1", "青藏高原上的新机场昨天通航，首班航班载客一百二十人。")

    def failed_publish() -> None:  # the data dir's write fails after Milvus was staged
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        sync.publish(failed_publish, [added], {"new-1"})
    service = QAService.load(settings, fake_embedder)
    assert service.index.manifest.generation == generation
    assert passages.keys(["new-1"])  # staged, beside the served rows
    assert passages.keys() == good | passages.keys(["new-1"])
    assert all(h.chunk.doc_id != "new-1" for h in service.retriever.search(added.text, 5, "bm25"))
    operations.bring_up_to_date(settings, fake_embedder, remove=["000_2992734d60049928-1"])
    assert passages.keys() == published_keys(settings, fake_embedder)  # the staged rows gone


def test_a_collection_of_another_dimension_is_refused_not_dropped(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    passages = MilvusPassages(milvus_target(settings))
    passages.ensure(32)
    with pytest.raises(CollectionMismatch, match="WENDA_MILVUS_COLLECTION"):
        operations.build(settings, fake_embedder, load_corpus([SEED]))
    assert passages.client.has_collection(passages.name)


def test_an_eval_index_searches_its_own_collection_of_the_same_backend(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    operations.build(settings, fake_embedder, load_corpus([SEED]))
    own = MilvusPassages(milvus_target(settings)).keys()
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        '{"id": "e1", "title": "港口", "text": "海川港吞吐量增长三成。"}\n', encoding="utf-8"
    )
    service, eval_settings = operations.eval_service(settings, fake_embedder, [docs])
    assert isinstance(service.retriever, MilvusRetriever)
    assert eval_settings.milvus_collection.startswith(f"{settings.milvus_collection}_eval_")
    assert service.retriever.search("海川港吞吐量", 1, "bm25")[0].chunk.doc_id == "e1"
    assert MilvusPassages(milvus_target(settings)).keys() == own  # the data dir's own untouched


def test_milvus_down_is_an_unavailable_index_not_a_crash(
    fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    with lite_server(tmp_path / "lite") as server:
        settings = Settings(
            data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", backend="milvus"
        ).model_copy(update={"milvus_uri": server.uri, "milvus_collection": "down"})
        operations.build(settings, fake_embedder, load_corpus([SEED]))
        service = QAService.load(settings, fake_embedder)
        os.kill(server.pid, signal.SIGKILL)
        with pytest.raises(MilvusUnavailable, match=f"Milvus at {server.uri}") as caught:
            service.ask("武陵区城镇新增就业多少人?")
        assert isinstance(caught.value, IndexMismatch)  # answered 503 by the API, exit 2 by the CLI
        generation = service.index.manifest.generation
        added = extra("new-1", "青藏高原上的新机场昨天通航。")
        with pytest.raises(MilvusUnavailable, match="nothing was published"):
            operations.bring_up_to_date(settings, fake_embedder, upsert=[added])
        assert (
            QAService.load(
                settings.model_copy(update={"backend": "faiss"}), fake_embedder
            ).index.manifest.generation
            == generation
        )
