"""Tests for index/vectors.py and index/texts.py: vectors and texts read from disk on demand."""

from pathlib import Path

import faiss
import numpy as np
import pytest

from corpus.model import Article
from index.backend import ArticleFilter
from index.retriever import Retriever
from index.store import IndexStore, build_index, load_index
from index.texts import JsonlRecords, scan_jsonl
from index.vectors import (
    FLAT_MAX_CHUNKS,
    HNSW_EF_SEARCH,
    RowStack,
    UnitRows,
    all_vectors,
    concrete_type,
    make_hnsw_sq16,
    make_ivf_sq8,
    quantize_units,
    unit_cosine,
    with_search_params,
)


def clustered(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    """Unit vectors around 50 centres, as passages of a few topics lie."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(50, dim))
    x = centres[rng.integers(0, 50, n)] + 0.4 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_auto_is_flat_up_to_the_threshold_then_ivf() -> None:
    assert concrete_type("auto", FLAT_MAX_CHUNKS) == "flat"
    assert concrete_type("auto", FLAT_MAX_CHUNKS + 1) == "hnsw-sq16"
    assert concrete_type("hnsw", 10) == "hnsw"
    with pytest.raises(ValueError, match="unknown index type"):
        concrete_type("annoy", 10)


def test_ivf_sq8_finds_what_flat_finds_and_keeps_nprobe_through_disk(tmp_path: Path) -> None:
    x, queries = clustered(20_000), clustered(50, seed=1)
    flat = faiss.IndexFlatIP(x.shape[1])
    flat.add(x)
    ivf = make_ivf_sq8(x)
    faiss.write_index(ivf, str(tmp_path / "v.faiss"))
    read = with_search_params(faiss.read_index(str(tmp_path / "v.faiss")))
    assert read.nprobe == ivf.nprobe > 1
    _, want = flat.search(queries, 10)
    _, got = read.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(want, got, strict=True)])
    assert recall >= 0.9
    # int8 codes decode to within a small error of the stored vectors, in row order
    assert np.abs(all_vectors(read) - x).max() < 0.02


def test_hnsw_sq16_finds_what_flat_finds_and_keeps_its_ef_search(tmp_path: Path) -> None:
    x, queries = clustered(5_000), clustered(50, seed=1)
    flat = faiss.IndexFlatIP(x.shape[1])
    flat.add(x)
    faiss.write_index(make_hnsw_sq16(x), str(tmp_path / "v.faiss"))
    read = faiss.read_index(str(tmp_path / "v.faiss"))
    assert read.hnsw.efSearch == HNSW_EF_SEARCH
    _, want = flat.search(queries, 10)
    _, got = read.search(queries, 10)
    assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(want, got, strict=True)]) >= 0.95
    assert np.abs(all_vectors(read) - x).max() < 1e-3


def test_row_stack_reads_rows_of_base_and_parts_through_the_row_map() -> None:
    base, part = np.arange(12.0).reshape(6, 2), np.arange(100.0, 104.0).reshape(2, 2)
    stack = RowStack([base, part], np.array([7, 0, 5, 6]))
    assert stack.shape == (4, 2) and len(stack) == 4
    assert stack[0].tolist() == [102.0, 103.0]
    assert stack[2].tolist() == [10.0, 11.0]
    assert stack[1:4].tolist() == [[0.0, 1.0], [10.0, 11.0], [100.0, 101.0]]
    assert stack[np.array([3, 1])].tolist() == [[100.0, 101.0], [0.0, 1.0]]


def test_unit_rows_look_units_up_by_article_in_any_order() -> None:
    # article 1's units, then article 0's, then one more of article 1 (added by an update)
    table = np.array([[1, 0, 5], [1, 5, 9], [0, 0, 4], [1, 9, 12]], dtype=np.int32)
    rows = UnitRows(["a", "b"], table)
    assert rows[("b", 9, 12)] == 3 and rows[("a", 0, 4)] == 2 and rows[("b", 0, 5)] == 0
    assert rows.get(("b", 0, 4)) is None and rows.get(("c", 0, 5)) is None
    assert list(rows) == [("b", 0, 5), ("b", 5, 9), ("a", 0, 4), ("b", 9, 12)]
    with pytest.raises(ValueError, match="article"):
        UnitRows(["a"], table)


def test_jsonl_records_parse_the_line_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "x", "n": 1}\n{"id": "头条", "n": 2}\n{"id": "z", "n": 3}\n', "utf-8")
    offsets, ids = scan_jsonl(path, "id")
    records = JsonlRecords(path, lambda r: r["n"], offsets)
    assert ids == ["x", "头条", "z"] and len(records) == 3
    assert records[1] == 2 and records[-1] == 3 and records[0:2] == [1, 2]
    assert list(records) == [1, 2, 3]
    with pytest.raises(IndexError):
        records[3]
    assert scan_jsonl(path, "id", {"x": 0, "头条": 5, "z": 2})[1].tolist() == [0, 5, 2]


ARTICLES = [
    Article(f"d{i}", f"标题{i}", f"第{i}篇文章。这里有{i}个苹果。天气很好，{i}号选手获胜。")
    for i in range(6)
]


def test_a_loaded_index_reads_articles_passages_and_unit_vectors_from_disk(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(ARTICLES, fake_embedder, tmp_path)
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert isinstance(index.sentence_vectors, np.memmap)
    assert [a.doc_id for a in index.articles] == [a.doc_id for a in ARTICLES]
    assert index.articles_by_id["d3"] == ARTICLES[3] and "d9" not in index.articles_by_id
    assert index.chunks[0].doc_id == "d0" and len(index.chunks) == index.manifest.chunks
    only = Retriever(index, fake_embedder).search(
        "苹果", 6, "bm25", only=ArticleFilter(frozenset({"d4"}))
    )
    assert {h.chunk.doc_id for h in only} == {"d4"}


@pytest.mark.parametrize("kind", ["ivf-sq8", "hnsw-sq16"])
def test_an_approximate_index_is_built_searched_and_updated(
    tmp_path: Path, fake_embedder, kind: str
) -> None:
    build_index(ARTICLES, fake_embedder, tmp_path, index_type=kind)
    store = IndexStore(tmp_path)
    store.update(fake_embedder, remove=["d1"])
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert index.manifest.index_type == kind and index.vectors.ntotal == len(index.chunks)
    hits = Retriever(index, fake_embedder).search("3号选手获胜", 3, "dense")
    assert hits[0].chunk.doc_id == "d3" and hits[0].dense > 0.5


@pytest.mark.parametrize("sparse", [False, True])
def test_unit_codes_keep_cosines_within_a_few_thousandths(sparse: bool) -> None:
    vectors = clustered(500, dim=384, seed=3)
    if sparse:  # a few large components, as the fake embedder makes: nothing may be clipped
        vectors = np.where(np.abs(vectors) > 0.08, vectors, 0.0)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = clustered(20, dim=384, seed=4)

    codes = quantize_units(vectors)

    assert codes.dtype == np.int8 and codes.shape == (500, 384 + 4)
    exact = vectors @ queries.T
    coded = np.array([[unit_cosine(row, q) for q in queries] for row in codes])
    assert np.abs(coded - exact).mean() < 5e-4 and np.abs(coded - exact).max() < 3e-3
    assert unit_cosine(codes[7], vectors[7]) == pytest.approx(1.0, abs=1e-3)
    assert quantize_units(np.zeros((0, 384), np.float32)).shape == (0, 388)
    zero = quantize_units(np.zeros((1, 384), np.float32))[0]
    assert unit_cosine(zero, queries[0]) == 0.0


def test_float16_unit_rows_of_older_indexes_read_as_they_are() -> None:
    vectors = clustered(10, dim=384)
    stored = vectors.astype(np.float16)
    assert unit_cosine(stored[2], vectors[2]) == pytest.approx(1.0, abs=1e-3)
