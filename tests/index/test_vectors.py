"""Tests for index/vectors.py and index/texts.py: vectors and texts read from disk on demand."""

from pathlib import Path

import faiss
import numpy as np
import pytest

from corpus.model import Article
from index.backend import ArticleFilter
from index.retriever import Retriever
from index.store import IndexStore, build_index, load_index
from index.texts import FileRecords, scan_jsonl
from index.vectors import (
    FLAT_MAX_CHUNKS,
    HNSW_EF_SEARCH,
    FileRows,
    RowStack,
    UnitRows,
    all_vectors,
    concrete_type,
    make_hnsw_sq16,
    make_ivf_sq8,
    quantize_units,
    unit_cosine,
    unit_mean,
    unit_row_bytes,
    unpack_unit_row,
    with_search_params,
)
from tests.index.older_formats import int8_rows


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


def test_a_graph_saved_with_a_smaller_ef_search_is_searched_with_todays(tmp_path: Path) -> None:
    older = make_hnsw_sq16(clustered(500))
    older.hnsw.efSearch = 128  # what builds before efSearch 512 saved
    faiss.write_index(older, str(tmp_path / "v.faiss"))
    read = with_search_params(faiss.read_index(str(tmp_path / "v.faiss")))
    assert read.hnsw.efSearch == HNSW_EF_SEARCH == 512


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
    records = FileRecords(path, lambda r: r["n"], offsets)
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
    assert isinstance(index.sentence_vectors, FileRows)  # read as asked for, not loaded
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


def e5_like(n: int, seed: int, outlier: bool = False) -> np.ndarray:
    """Unit vectors as e5 makes them: a large share common to all (cosines of unrelated texts
    near 0.8), the rest spread over topics; with outlier, one dimension far larger in every row."""
    rng = np.random.default_rng(seed)
    common = np.random.default_rng(99).normal(size=384)
    common /= np.linalg.norm(common)
    spread = clustered(n, dim=384, seed=seed)
    x = 2.0 * common + spread + 0.1 * rng.normal(size=(n, 384)) / np.sqrt(384)
    if outlier:
        x[:, 17] += rng.uniform(4.0, 8.0, size=n)  # ±0.2 elsewhere, as e5's few large dimensions
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def coded_cosines(vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
    mean = unit_mean(vectors)
    codes = quantize_units(vectors, mean)
    return np.array([[unit_cosine(r, q, float(mean @ q)) for q in queries] for r in codes])


# (mean, largest) error of a cosine: 6-bit steps of each row's residual about the mean, so the
# bound follows how long the residuals are (spread 1.0, sparse 0.65, e5-like 0.45, outlier 0.17)
CODING_ERROR = {
    "spread": (1.5e-3, 8e-3),
    "sparse": (2e-3, 8e-3),  # a few large components, as the fake embedder makes: none clipped
    "e5-like": (7e-4, 4e-3),  # CMRC's units: 0.0005 on average
    "outlier dimension": (4e-4, 3e-3),
}


@pytest.mark.parametrize("kind", list(CODING_ERROR))
def test_unit_codes_keep_cosines_within_a_few_thousandths(kind: str) -> None:
    if kind == "spread":
        vectors, queries = clustered(400, dim=384, seed=3), clustered(20, dim=384, seed=4)
    else:
        vectors, queries = e5_like(400, seed=3, outlier=kind == "outlier dimension"), e5_like(20, 4)
    if kind == "sparse":
        vectors = np.where(np.abs(vectors) > 0.08, vectors, 0.0)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    error = np.abs(coded_cosines(vectors, queries) - vectors @ queries.T)

    mean_bound, max_bound = CODING_ERROR[kind]
    assert error.mean() < mean_bound and error.max() < max_bound


def test_codes_about_the_mean_are_finer_than_codes_of_whole_vectors() -> None:
    vectors, queries = e5_like(400, seed=3, outlier=True), e5_like(20, seed=4)
    about_zero = quantize_units(vectors, np.zeros(384, np.float32))
    whole = np.array([[unit_cosine(r, q) for q in queries] for r in about_zero])
    exact = vectors @ queries.T
    centred = np.abs(coded_cosines(vectors, queries) - exact).mean()
    assert centred < 0.5 * np.abs(whole - exact).mean()


def test_units_keep_their_ranking_by_cosine_to_a_question() -> None:
    # a question near one topic, the units of a few passages around it: e5-like, close cosines
    units, question = e5_like(60, seed=5), e5_like(1, seed=6)[0]
    exact = units @ question
    coded = coded_cosines(units, question[None])[:, 0]
    assert np.ptp(exact) < 0.2  # the cosines lie close together, as a passage's sentences do
    assert np.argmax(coded) == np.argmax(exact)
    apart = np.abs(exact[:, None] - exact[None, :]) > 0.004  # pairs further apart than the error
    agree = np.sign(coded[:, None] - coded[None, :]) == np.sign(exact[:, None] - exact[None, :])
    assert agree[apart].all() and apart.sum() > 1000


def test_unit_rows_take_three_quarters_of_a_byte_a_component_and_their_scale() -> None:
    vectors = e5_like(3, seed=1)
    assert quantize_units(vectors, unit_mean(vectors)).shape == (3, 292) == (3, unit_row_bytes(384))
    assert unit_row_bytes(64) == 52 and unit_row_bytes(62) == 47 + 4  # the last byte part-filled
    odd = e5_like(5, seed=2)[:, :62]
    mean = unit_mean(odd)
    decoded = mean + np.stack([unpack_unit_row(r, 62) for r in quantize_units(odd, mean)])
    assert np.abs(decoded - odd).max() < 0.01
    empty = np.zeros((0, 384), np.float32)
    assert quantize_units(empty, unit_mean(empty)).shape == (0, 292)
    same = quantize_units(vectors[:1], vectors[0])[0]  # a vector equal to the mean: no residual
    assert unit_cosine(same, vectors[1], 0.25) == 0.25


def test_an_index_stores_its_unit_rows_and_mean_in_their_files(
    tmp_path: Path, fake_embedder
) -> None:
    m = build_index(ARTICLES, fake_embedder, tmp_path)
    folder = (tmp_path / "index").resolve()
    rows = np.load(folder / "sentence_vectors.npy", mmap_mode="r")
    assert rows.dtype == np.uint8 and rows.shape == (m.sentences, unit_row_bytes(64))
    assert rows.offset + rows.nbytes == (folder / "sentence_vectors.npy").stat().st_size
    assert np.load(folder / "sentence_mean.npy").shape == (64,)
    assert {"sentence_vectors.npy", "sentence_mean.npy"} <= set(m.files)


def test_int8_unit_rows_of_format_5_and_6_indexes_read_as_they_are() -> None:
    vectors = clustered(10, dim=384)
    stored = int8_rows(vectors)
    assert stored.dtype == np.int8 and stored.shape == (10, 388)
    assert unit_cosine(stored[2], vectors[2]) == pytest.approx(1.0, abs=1e-3)
    assert unit_cosine(stored[2], vectors[3]) == pytest.approx(
        float(vectors[2] @ vectors[3]), abs=3e-3
    )


def test_float16_unit_rows_of_older_indexes_read_as_they_are() -> None:
    vectors = clustered(10, dim=384)
    stored = vectors.astype(np.float16)
    assert unit_cosine(stored[2], vectors[2]) == pytest.approx(1.0, abs=1e-3)
