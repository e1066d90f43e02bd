import json
import threading
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from corpus.model import Article
from index.bm25 import KeywordIndex, TermCounts, tokenize
from index.cache import EmbeddingCache
from index.changes import EmptyIndex, UnknownArticle
from index.embedder import vectors_name
from index.encoding import passage_input, sentence_input
from index.layout import FORMAT_VERSION, IndexMismatch, IndexNotFound, current_generation
from index.store import (
    IndexContents,
    IndexStore,
    build_config,
    build_index,
    load_index,
    update_index,
    write_lock,
)
from index.vectors import quantize_units, unit_cosine


def articles(n: int = 5) -> list[Article]:
    return [
        Article(doc_id=f"d{i}", title=f"第{i}篇", text=f"这是第{i}篇文章。它讲了第{i}件事。" * 3)
        for i in range(n)
    ]


class CountingEmbedder:
    def __init__(self, inner):
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def embed_passages(self, texts):
        self.calls += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_build_writes_a_self_describing_folder(tmp_path: Path, fake_embedder) -> None:
    manifest = build_index(articles(), fake_embedder, tmp_path)
    raw = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert raw["format_version"] == FORMAT_VERSION
    assert raw["model"] == fake_embedder.name and raw["dim"] == fake_embedder.dim
    assert raw["articles"] == 5 and raw["chunks"] == manifest.chunks > 0
    assert len(raw["corpus_hash"]) == 64 and raw["built_at"]
    loaded = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert loaded.vectors.ntotal == manifest.chunks
    assert [a.doc_id for a in loaded.articles] == [f"d{i}" for i in range(5)]


def test_rebuilding_an_unchanged_corpus_embeds_nothing(tmp_path: Path, fake_embedder) -> None:
    counting = CountingEmbedder(fake_embedder)
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    first = build_index(articles(), counting, tmp_path / "data", cache)
    # each passage and each distinct sentence is embedded once
    assert counting.calls == first.embedded == first.chunks + 2 * 5
    second = build_index(articles(), counting, tmp_path / "data", cache)
    assert counting.calls == first.embedded and second.embedded == 0
    third = build_index(articles(6), counting, tmp_path / "data", cache)
    assert third.embedded == 1 + 2  # only the new article's passage and its two sentences
    assert counting.calls == first.embedded + 3


def test_sentence_vectors_are_stored_for_every_answer_unit(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(2), fake_embedder, tmp_path)
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert len(index.sentence_rows) == index.manifest.sentences == len(index.sentence_vectors) == 12
    doc = index.articles_by_id["d1"]
    assert doc.text[0:8] == "这是第1篇文章。"
    expected = fake_embedder.embed_passages([f"{doc.title}\n这是第1篇文章。"])[0]
    assert abs(stored_cosine(index, ("d1", 0, 8), expected) - 1.0) < 1e-2


def stored_cosine(index, unit: tuple[str, int, int], query: np.ndarray) -> float:
    """The cosine of a unit's stored vector and query, as QAService reads it."""
    mean_cosine = 0.0 if index.unit_mean is None else float(index.unit_mean @ query)
    return unit_cosine(index.sentence_vectors[index.sentence_rows[unit]], query, mean_cosine)


def test_failed_build_leaves_the_old_index_serving(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(3), fake_embedder, tmp_path)

    class Exploding:
        name, dim = fake_embedder.name, fake_embedder.dim

        def embed_passages(self, texts):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        build_index(articles(4), Exploding(), tmp_path)
    loaded = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert loaded.manifest.articles == 3
    assert not [p for p in (tmp_path / "builds").iterdir() if p.name.startswith(".partial")]


def test_a_killed_builds_partial_folder_is_removed_by_the_next_build(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(2), fake_embedder, tmp_path)
    killed = tmp_path / "builds" / ".partial-20240101T000000000000-99999"
    killed.mkdir()
    (killed / "vectors.faiss").write_bytes(b"half written")
    update_index(tmp_path, fake_embedder, upsert=articles(3)[2:])
    assert not killed.exists()
    assert load_index(tmp_path, fake_embedder.name, fake_embedder.dim).manifest.articles == 3


def test_a_second_writer_waits_for_the_first(tmp_path: Path, fake_embedder) -> None:
    first = build_index(articles(2), fake_embedder, tmp_path)
    done = threading.Event()
    with write_lock(tmp_path):  # a first writer, mid-build
        second = threading.Thread(
            target=lambda: (build_index(articles(3), fake_embedder, tmp_path), done.set())
        )
        second.start()
        assert not done.wait(0.5)
        assert current_generation(tmp_path).endswith(first.generation)
    second.join(10)
    assert done.is_set()
    assert load_index(tmp_path, fake_embedder.name, fake_embedder.dim).manifest.articles == 3


def test_swap_keeps_the_new_build_and_the_one_it_replaced(tmp_path: Path, fake_embedder) -> None:
    first = build_index(articles(2), fake_embedder, tmp_path)
    second = build_index(articles(3), fake_embedder, tmp_path)
    third = build_index(articles(4), fake_embedder, tmp_path)
    kept = sorted(p.name for p in (tmp_path / "builds").iterdir())
    assert kept == sorted([second.generation, third.generation])
    assert first.generation not in kept and current_generation(tmp_path).endswith(third.generation)
    assert load_index(tmp_path, fake_embedder.name, fake_embedder.dim).manifest.articles == 4


def test_missing_index_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound, match="wenda index"):
        load_index(tmp_path, "m", 3)


def test_index_of_another_model_is_refused_with_what_to_run(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(2), fake_embedder, tmp_path)
    with pytest.raises(
        IndexMismatch, match=r"built with fake-bigram.*configured with other.*wenda index"
    ):
        load_index(tmp_path, "other", 384)


def search_ids(index, question: str, embedder) -> list[str]:
    """doc_ids of the dense and keyword top hits, checking both stay aligned with the chunks."""
    _, rows = index.vectors.search(embedder.embed_query(question).reshape(1, -1), 1)
    best_bm25 = int(index.keywords.scores(tokenize(question)).argmax())
    return [index.chunks[int(rows[0][0])].doc_id, index.chunks[best_bm25].doc_id]


def test_manifest_records_what_the_index_was_built_from(tmp_path: Path, fake_embedder) -> None:
    m = build_index(articles(2), fake_embedder, tmp_path, corpus_paths=["/news"])
    raw = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert raw["corpus_paths"] == ["/news"] and raw["generation"] == m.generation
    params = raw["build_params"]
    assert params["model"] == "fake-bigram" and params["tokenizer"].startswith("jieba")
    assert params["passage_chars"] == {"target": 300, "max": 400, "min": 150}
    assert params["answer_unit_max_chars"] == 160


def test_update_adds_replaces_and_removes_embedding_only_new_text(
    tmp_path: Path, fake_embedder
) -> None:
    counting = CountingEmbedder(fake_embedder)
    first = build_index(articles(5), counting, tmp_path)
    calls = counting.calls
    new = Article(doc_id="n1", title="新闻", text="钨矿公司今年产量翻番。工人增加到三百人。")
    changed = Article(doc_id="d2", title="第2篇", text="第二篇改写了。铜价上涨三成。")
    m, changes = update_index(tmp_path, counting, upsert=[new, changed], remove=["d4"])
    assert changes.added == ("n1",) and changes.replaced == ("d2",) and changes.removed == ("d4",)
    assert m.generation != first.generation and m.articles == 5
    # only the two new articles' passage and two sentences each were embedded
    assert counting.calls - calls == m.embedded == 2 * (1 + 2)
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert [a.doc_id for a in index.articles] == ["d0", "d1", "d2", "d3", "n1"]
    assert index.articles_by_id["d2"].text.startswith("第二篇")
    assert not [c for c in index.chunks if c.doc_id == "d4"]
    assert index.vectors.ntotal == len(index.chunks) == index.keywords.n_docs
    assert search_ids(index, "钨矿公司今年产量翻番", fake_embedder) == ["n1", "n1"]
    assert search_ids(index, "铜价上涨三成", fake_embedder) == ["d2", "d2"]
    assert search_ids(index, "这是第3篇文章。它讲了第3件事。", fake_embedder) == ["d3", "d3"]
    assert {d for d, _, _ in index.sentence_rows} == {"d0", "d1", "d2", "d3", "n1"}
    assert len(index.sentence_vectors) == len(index.sentence_rows) == m.sentences


def test_update_matches_a_full_build_of_the_same_articles(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(4), fake_embedder, tmp_path / "a")
    update_index(tmp_path / "a", fake_embedder, upsert=articles(6)[4:], remove=["d1"])
    full = [a for a in articles(6) if a.doc_id != "d1"]
    build_index(full, fake_embedder, tmp_path / "b")
    a = load_index(tmp_path / "a", fake_embedder.name, fake_embedder.dim)
    b = load_index(tmp_path / "b", fake_embedder.name, fake_embedder.dim)
    assert a.manifest.corpus_hash == b.manifest.corpus_hash
    assert sorted(a.chunks, key=lambda c: c.chunk_id) == sorted(b.chunks, key=lambda c: c.chunk_id)
    assert a.keywords.doc_freq == b.keywords.doc_freq
    # the stored term counts are each passage's tokens counted, row for row
    terms = TermCounts.load(a.folder / "bm25")
    assert terms is not None and terms.bags() == [
        dict(Counter(tokenize(passage_input(c)) or [""])) for c in a.chunks
    ]


def test_update_to_a_corpus_state_removes_what_it_no_longer_holds(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(4), fake_embedder, tmp_path)
    now = [articles(4)[0], articles(4)[2], Article(doc_id="x", title="新", text="新的文章。")]
    m, changes = update_index(tmp_path, fake_embedder, corpus=now)
    assert changes.added == ("x",) and set(changes.removed) == {"d1", "d3"}
    assert changes.unchanged == 2 and m.articles == 3
    same, nothing = update_index(tmp_path, fake_embedder, corpus=now)
    assert not nothing.any() and same.generation == m.generation


def test_update_of_an_unknown_id_or_to_no_articles_changes_nothing(
    tmp_path: Path, fake_embedder
) -> None:
    m = build_index(articles(2), fake_embedder, tmp_path)
    with pytest.raises(UnknownArticle, match="nope"):
        update_index(tmp_path, fake_embedder, remove=["nope"])
    with pytest.raises(EmptyIndex):
        update_index(tmp_path, fake_embedder, remove=["d0", "d1"])
    assert load_index(tmp_path, fake_embedder.name, fake_embedder.dim).manifest == m
    with pytest.raises(IndexNotFound):
        update_index(tmp_path / "none", fake_embedder, remove=["d0"])


def cached_unit_vectors(index, embedder) -> np.ndarray:
    """The float vectors of an index's answer units, embedded again."""
    units = sorted(index.sentence_rows.items(), key=lambda kv: kv[1])
    texts = [sentence_input(index.articles_by_id[d], s, e) for (d, s, e), _ in units]
    return embedder.embed_passages(texts)


def test_an_update_codes_new_units_about_the_index_mean_and_keeps_it(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(3), fake_embedder, tmp_path)
    before = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    update_index(tmp_path, fake_embedder, upsert=[Article("z", "新", "另一篇。第二句。")])
    after = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert after.manifest.stored_rows  # the old rows kept where they were, a part added
    np.testing.assert_array_equal(after.unit_mean, before.unit_mean)
    assert (after.folder / "sentence_mean.npy").stat().st_ino == (
        before.folder / "sentence_mean.npy"
    ).stat().st_ino
    query = fake_embedder.embed_passages(["新\n第二句。"])[0]
    assert stored_cosine(after, ("z", 4, 8), query) == pytest.approx(1.0, abs=1e-2)


def test_is_current_compares_the_articles_and_the_build_configuration(
    tmp_path: Path, fake_embedder
) -> None:
    store = IndexStore(tmp_path)
    name, dim = fake_embedder.name, fake_embedder.dim
    assert not store.is_current(articles(2), name, dim)  # no index yet
    store.build(articles(2), fake_embedder)
    assert store.is_current(articles(2), name, dim)
    assert not store.is_current(articles(3), name, dim)
    assert not store.is_current(articles(2), "other-model", dim)
    raw = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert raw["build_params"] == build_config(name, dim, "flat")
    assert {"chunking", "answer_units", "tokenizer", "jieba", "index_type"} <= set(
        raw["build_params"]
    )
    raw["build_params"]["answer_units"] = "older-rules/v0"  # as a build by an older wenda
    (tmp_path / "index" / "manifest.json").write_text(json.dumps(raw))
    assert not store.is_current(articles(2), name, dim)
    assert not store.is_configured_as(name, dim)


def test_saved_contents_load_back_with_unit_vectors_gathered_lazily(
    tmp_path: Path, fake_embedder
) -> None:
    built = IndexStore(tmp_path / "a")
    built.build(articles(2), fake_embedder)
    index = built.load(fake_embedder.name, fake_embedder.dim)
    order = sorted(index.sentence_rows.items(), key=lambda kv: kv[1])

    class Reversed:  # rows picked from the loaded matrix a slice at a time, as the bench does
        shape = index.sentence_vectors.shape
        dtype = index.sentence_vectors.dtype

        def __getitem__(self, rows: slice):
            return index.sentence_vectors[::-1][rows]

    units = (unit for unit, _ in reversed(order))
    terms = TermCounts.load(index.folder / "bm25")  # a keyword index is saved as built
    assert terms is not None
    copy = IndexStore(tmp_path / "b")
    m = copy.save(
        IndexContents(
            index.articles,
            index.chunks,
            index.vectors,
            KeywordIndex.from_table(terms),
            units,
            Reversed(),
            index.unit_mean,
        ),
        model=fake_embedder.name,
        dim=fake_embedder.dim,
        index_type="flat",
        hash_of_corpus="synthetic",
    )
    loaded = copy.load(fake_embedder.name, fake_embedder.dim)
    assert m.corpus_hash == "synthetic" and m.sentences == len(order)
    unit, row = order[0]
    np.testing.assert_array_equal(
        loaded.sentence_vectors[loaded.sentence_rows[unit]], index.sentence_vectors[row]
    )
    assert loaded.sentence_rows[unit] == len(order) - 1


def vectors_by_chunk(index) -> dict[str, np.ndarray]:
    stored = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    return {c.chunk_id: stored[i] for i, c in enumerate(index.chunks)}


def units_by_span(index) -> dict[tuple[str, int, int], np.ndarray]:
    return {u: index.sentence_vectors[row] for u, row in index.sentence_rows.items()}


def test_an_update_links_the_vector_files_and_writes_only_its_new_rows(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(12), fake_embedder, tmp_path)
    first = (tmp_path / "index").resolve()
    new = Article(doc_id="n1", title="新闻", text="钨矿公司今年产量翻番。工人增加到三百人。")
    update_index(tmp_path, fake_embedder, upsert=[new])
    second = (tmp_path / "index").resolve()
    for name in ("vectors.faiss", "sentence_vectors.npy"):  # the same file, not a copy
        assert (second / name).stat().st_ino == (first / name).stat().st_ino
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    added = [c for c in index.chunks if c.doc_id == "n1"]
    assert np.load(second / "vectors.added-1.npy").shape == (len(added), fake_embedder.dim)
    assert len(np.load(second / "sentence_vectors.added-1.npy")) == 2  # its two sentences
    # a removal writes no vectors at all: the files of the build before are linked on
    update_index(tmp_path, fake_embedder, remove=["d3"])
    third = (tmp_path / "index").resolve()
    for name in ("vectors.faiss", "vectors.added-1.npy", "sentence_vectors.added-1.npy"):
        assert (third / name).stat().st_ino == (second / name).stat().st_ino
    assert not list(third.glob("*.added-2.npy"))
    # what loads is what a full build of the same articles holds, vector for vector
    now = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    full = [a for a in articles(12) if a.doc_id != "d3"] + [new]
    build_index(full, fake_embedder, tmp_path / "full")
    fresh = load_index(tmp_path / "full", fake_embedder.name, fake_embedder.dim)
    got, want = vectors_by_chunk(now), vectors_by_chunk(fresh)
    assert got.keys() == want.keys() and all(np.allclose(got[k], want[k]) for k in want)
    # the units' rows as a full build codes them, about the mean of the index's first build
    got_units, want_units = units_by_span(now), units_by_span(fresh)
    assert got_units.keys() == want_units.keys()
    order = sorted(fresh.sentence_rows, key=fresh.sentence_rows.__getitem__)
    want = quantize_units(cached_unit_vectors(fresh, fake_embedder), now.unit_mean)
    assert all(np.array_equal(got_units[k], want[i]) for i, k in enumerate(order))
    assert search_ids(now, "钨矿公司今年产量翻番", fake_embedder) == ["n1", "n1"]
    assert now.vectors.ntotal == len(now.chunks) == now.keywords.n_docs


def test_vectors_are_written_afresh_once_a_quarter_of_the_stored_rows_are_dead(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(8), fake_embedder, tmp_path)
    inode = (tmp_path / "index" / "vectors.faiss").stat().st_ino
    m, _ = update_index(tmp_path, fake_embedder, remove=["d0"])
    assert m.stored_rows and (tmp_path / "index" / "vector_rows.npy").exists()
    m, _ = update_index(tmp_path, fake_embedder, remove=["d1", "d2"])  # 3 of 8 dead
    last = (tmp_path / "index").resolve()
    assert m.stored_rows == {} and not (last / "vector_rows.npy").exists()
    assert (last / "vectors.faiss").stat().st_ino != inode  # the build before still links it
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert index.vectors.ntotal == len(index.chunks) == m.chunks
    assert search_ids(index, "这是第5篇文章。它讲了第5件事。", fake_embedder) == ["d5", "d5"]


def test_a_missing_added_part_is_damage_naming_it(tmp_path: Path, fake_embedder) -> None:
    from index.layout import IndexDamaged

    build_index(articles(6), fake_embedder, tmp_path)
    update_index(tmp_path, fake_embedder, upsert=[Article("z", "新", "另一篇文章。")])
    (tmp_path / "index" / "vectors.added-1.npy").unlink()
    with pytest.raises(IndexDamaged, match=r"index/vectors\.added-1\.npy"):
        load_index(tmp_path, fake_embedder.name, fake_embedder.dim)


class BFloat16Embedder(CountingEmbedder):
    """The same vectors, said to be embedded in bfloat16 (as E5Embedder does on an AMX CPU)."""

    bfloat16 = True


def test_vectors_of_another_precision_are_never_taken_from_the_cache(
    tmp_path: Path, fake_embedder
) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    float32 = CountingEmbedder(fake_embedder)
    first = build_index(articles(), float32, tmp_path / "a", cache)
    assert vectors_name(float32) == fake_embedder.name
    # WENDA_EMBED_DTYPE changed: every text is embedded again, and kept apart in the cache
    bf16 = BFloat16Embedder(fake_embedder)
    assert vectors_name(bf16) == f"{fake_embedder.name}@bfloat16"
    assert build_index(articles(), bf16, tmp_path / "b", cache).embedded == first.embedded
    assert build_index(articles(), bf16, tmp_path / "c", cache).embedded == 0
    assert build_index(articles(), float32, tmp_path / "d", cache).embedded == 0
    assert bf16.calls == float32.calls == first.embedded
