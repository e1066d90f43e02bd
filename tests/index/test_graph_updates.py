"""An HNSW index is edited in place by updates: added passages join the graph, removed ones
stay in it as tombstones that no search returns, until a quarter of it is dead."""

from pathlib import Path

import faiss
import numpy as np

from corpus.model import Article
from index.graph import COMPACT_DEAD_SHARE, LiveRows
from index.layout import INDEX_LINK, VECTORS
from index.retriever import Retriever
from index.store import IndexStore, build_index, load_index

PLACES = "东南西北中"
THINGS = ["大桥", "水库", "学校", "医院", "公园", "码头", "机场", "车站"]


def article(i: int) -> Article:
    place, thing = PLACES[i % 5], THINGS[i % 8]
    text = (
        f"{place}城第{i}号{thing}于{2000 + i}年建成，投资{i + 3}亿元。"
        f"该{thing}由{place}城建设局第{i}工程队承建，共有{i * 7 + 11}名工人参与。"
    )
    return Article(f"a{i}", f"{place}城{thing}{i}", text)


def graph_of(data_dir: Path) -> faiss.Index:
    return faiss.read_index(str((data_dir / INDEX_LINK).resolve() / VECTORS))


def own_passage_first(data_dir: Path, embedder, ids: list[str]) -> list[str]:
    """For each article, the article of the nearest passage to its own first passage's text."""
    index = load_index(data_dir, embedder.name, embedder.dim)
    retriever = Retriever(index, embedder)
    first = {}
    for c in index.chunks:
        first.setdefault(c.doc_id, c.text)
    return [retriever.search(first[d], 1, "dense")[0].chunk.doc_id for d in ids]


def test_a_removal_leaves_tombstones_that_no_search_returns(tmp_path: Path, fake_embedder) -> None:
    articles = [article(i) for i in range(40)]
    build_index(articles, fake_embedder, tmp_path, index_type="hnsw-sq16")
    labels = graph_of(tmp_path).ntotal
    gone = ["a3", "a17"]
    m, _ = IndexStore(tmp_path).update(fake_embedder, remove=gone)

    assert graph_of(tmp_path).ntotal == labels  # not rebuilt: the removed stay as tombstones
    assert m.stored_rows["vectors"]["graph"] == labels
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert isinstance(index.vectors, LiveRows) and index.vectors.ntotal == len(index.chunks)
    retriever = Retriever(index, fake_embedder)
    removed_text = articles[3].text[:40]
    found = {h.chunk.doc_id for h in retriever.search(removed_text, 20, "dense")}
    assert found and not found & set(gone)
    kept = [a.doc_id for a in articles if a.doc_id not in gone]
    assert own_passage_first(tmp_path, fake_embedder, kept) == kept
    # each hit's cosine is its own passage's (rows and labels agree after the removal)
    hit = retriever.search(articles[20].text[:40], 1, "dense")[0]
    assert hit.chunk.doc_id == "a20"
    own = fake_embedder.embed_passages([f"passage: {hit.chunk.text}"])[0]
    assert abs(hit.dense - float(own @ fake_embedder.embed_query(articles[20].text[:40]))) < 0.05


def test_an_addition_joins_the_graph_and_a_replacement_retires_the_old_passages(
    tmp_path: Path, fake_embedder
) -> None:
    articles = [article(i) for i in range(40)]
    build_index(articles, fake_embedder, tmp_path, index_type="hnsw-sq16")
    labels = graph_of(tmp_path).ntotal
    store = IndexStore(tmp_path)
    store.update(fake_embedder, upsert=[article(40), article(41)])
    added = graph_of(tmp_path).ntotal - labels
    assert added > 0
    changed = Article("a5", "改写", "这篇文章改写了：北城新建的天文台有三座望远镜，最大口径两米。")
    store.update(fake_embedder, upsert=[changed])
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert graph_of(tmp_path).ntotal > labels + added  # the new a5 added, the old one retired
    assert index.vectors.ntotal == len(index.chunks)
    retriever = Retriever(index, fake_embedder)
    assert retriever.search("天文台的望远镜口径", 1, "dense")[0].chunk.doc_id == "a5"
    assert all("第5号" not in h.chunk.text for h in retriever.search(article(5).text, 10, "dense"))
    ids = [f"a{i}" for i in range(42) if i != 5]
    assert own_passage_first(tmp_path, fake_embedder, ids) == ids


def test_the_graph_is_rebuilt_once_a_quarter_of_it_is_dead(tmp_path: Path, fake_embedder) -> None:
    articles = [article(i) for i in range(40)]
    build_index(articles, fake_embedder, tmp_path, index_type="hnsw-sq16")
    store = IndexStore(tmp_path)
    few = [f"a{i}" for i in range(int(40 * COMPACT_DEAD_SHARE) - 2)]
    store.update(fake_embedder, remove=few)
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert graph_of(tmp_path).ntotal > len(index.chunks)
    m, _ = store.update(fake_embedder, remove=["a30", "a31", "a32"])
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert graph_of(tmp_path).ntotal == len(index.chunks) == m.chunks  # compacted
    assert "vectors" not in m.stored_rows and isinstance(index.vectors, faiss.Index)
    kept = [a.doc_id for a in articles if a.doc_id not in {*few, "a30", "a31", "a32"}]
    assert own_passage_first(tmp_path, fake_embedder, kept) == kept
    vecs = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-2)
