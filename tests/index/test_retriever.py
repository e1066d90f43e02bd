from pathlib import Path

import pytest

from corpus.model import Article
from index.backend import FusionWeights
from index.retriever import Retriever
from index.store import build_index, load_index

ARTICLES = [
    Article(
        "jobs",
        "武陵区就业",
        "截至11月底，武陵区城镇新增就业8210人。开展职业培训1481人，创业培训229人。",
    ),
    Article(
        "water",
        "安化县供水",
        "安化县城乡供水有限公司优化微信平台业务办理系统，用户足不出户即可办理转户。",
    ),
    Article("fruit", "冷水江红橘", "铨山镇大冲村红橘基地，1800亩红橘挂满枝头，将销往全国各地。"),
]


@pytest.fixture
def retriever(tmp_path: Path, fake_embedder) -> Retriever:
    build_index(ARTICLES, fake_embedder, tmp_path)
    return Retriever(load_index(tmp_path, fake_embedder.name, fake_embedder.dim), fake_embedder)


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_each_mode_finds_the_passage_that_shares_the_question_words(
    retriever: Retriever, mode
) -> None:
    hits = retriever.search("红橘基地有多少亩红橘", 3, mode)
    assert hits[0].chunk.doc_id == "fruit"
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_hits_carry_both_scores_and_respect_k(retriever: Retriever) -> None:
    hits = retriever.search("武陵区新增就业多少人", 2)
    assert len(hits) <= 2
    assert hits[0].chunk.doc_id == "jobs" and hits[0].bm25 > 0 and hits[0].dense > 0


def test_fusion_weights_can_favour_one_ranking(tmp_path: Path, fake_embedder) -> None:
    build_index(ARTICLES, fake_embedder, tmp_path)
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    only_bm25 = Retriever(index, fake_embedder, FusionWeights(bm25=1.0, dense=0.0))
    assert [h.chunk.chunk_id for h in only_bm25.search("供水转户", 3)][:1] == [
        h.chunk.chunk_id for h in only_bm25.search("供水转户", 3, "bm25")
    ][:1]
