import json
import re
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np
import pytest

from index.bm25 import MAX_TF, KeywordIndex, TermCounts, tokenize
from index.layout import IndexDamaged
from tests.index.older_bm25 import write_bm25s_folder

TEXTS = [
    "武陵区城镇新增就业8210人，新增农村劳动力转移就业574人。",
    "全区发放创业担保贷款122笔，发放金额5241.5万元。",
    "创业孵化园累计孵化企业113家，带动就业1200余人。",
    "",
    "就业 就业 就业：城镇新增就业人数创新高。",
]
QUERIES = (
    ["就业"],
    ["创业", "贷款"],
    ["新增", "就业", "孵化"],
    ["就业", "创业", "就业"],  # a repeated token counts each time, as in bm25s
    ["没有的词", "贷款"],
    [""],
)


def reference(tokens: list[list[str]]) -> bm25s.BM25:
    """bm25s's own index (its defaults: Lucene, k1 1.5, b 0.75) of these passages."""
    model = bm25s.BM25()
    model.index([t or [""] for t in tokens], show_progress=False)
    return model


def reference_scores(model: bm25s.BM25, query: list[str]) -> np.ndarray:
    known = [t for t in query if t and t in model.vocab_dict]
    if not known:
        return np.zeros(model.scores["num_docs"], dtype=np.float32)
    return model.get_scores(known)


def test_tokens_are_nfkc_lowercase_without_punctuation() -> None:
    tokens = tokenize("ＡＢＣ公司，１２３人！")
    assert "abc" in tokens and "123" in tokens
    assert all(t.strip("，！,! ") for t in tokens)


def test_scores_rank_the_passage_with_rare_terms_first(tmp_path: Path) -> None:
    texts = ["武陵区开展职业培训1481人", "永兴县园区现有规工企业99家", "安化县水利局优化营商环境"]
    index = KeywordIndex.build(texts)
    index.save(tmp_path / "bm25")
    loaded = KeywordIndex.load(tmp_path / "bm25")
    scores = loaded.scores(tokenize("永兴县有多少规工企业"))
    assert int(scores.argmax()) == 1
    assert loaded.scores(tokenize("完全无关的问题词汇")).max() == 0.0


def test_idf_is_higher_for_rarer_terms() -> None:
    index = KeywordIndex.build(["企业 甲", "企业 乙", "企业 丙 钨"])
    assert index.idf("钨") > index.idf("企业")


def test_scores_are_bm25s_own() -> None:
    tokens = [tokenize(t) for t in TEXTS]
    ours, theirs = KeywordIndex.from_tokens(tokens), reference(tokens)
    assert set(ours.doc_freq) == set(theirs.vocab_dict) - {""}
    for query in QUERIES:
        assert np.allclose(ours.scores(query), reference_scores(theirs, query), atol=1e-6)


def test_saved_and_loaded_scores_as_built_reading_postings_unmapped(tmp_path: Path) -> None:
    tokens = [tokenize(t) for t in TEXTS]
    built = KeywordIndex.from_tokens(tokens)
    built.save(tmp_path / "bm25")
    loaded = KeywordIndex.load(tmp_path / "bm25")
    assert loaded.n_docs == built.n_docs == len(TEXTS)
    assert loaded.doc_freq == built.doc_freq and dict(loaded.doc_freq)["就业"] == 3
    for query in QUERIES:
        assert np.array_equal(loaded.scores(query), built.scores(query))
    maps = Path("/proc/self/maps")
    if maps.exists():  # posting lists are read with pread: no page of them counts in our RSS
        assert str(tmp_path / "bm25") not in maps.read_text()
    table = TermCounts.load(tmp_path / "bm25")
    assert table is not None and table.vocab == built.vocab
    assert table.bags() == [_counts(t or [""]) for t in tokens]
    assert table.lengths.tolist() == [len(t or [""]) for t in tokens]


def _counts(tokens: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in tokens:
        out[t] = out.get(t, 0) + 1
    return out


def test_a_term_table_edited_scores_as_bm25s_over_the_passages_left(tmp_path: Path) -> None:
    tokens = [tokenize(t) for t in TEXTS]
    # stored and loaded, then the second passage dropped (its words stay in the vocabulary,
    # counted in none), the others reordered and one added
    KeywordIndex.from_tokens(tokens[:4]).save(tmp_path / "before")
    stored = TermCounts.load(tmp_path / "before")
    assert stored is not None
    edited = stored.taken(np.array([3, 0, 2])).extended([tokens[4]])
    left = [tokens[3], tokens[0], tokens[2], tokens[4]]
    assert edited.bags() == [_counts(t or [""]) for t in left]
    assert "贷款" in edited.vocab
    ours = KeywordIndex.from_table(edited)
    fresh = KeywordIndex.from_tokens(left)
    assert "贷款" not in ours.doc_freq and ours.doc_freq["就业"] == 3 and ours.n_docs == 4
    assert ours.doc_freq == fresh.doc_freq
    ours.save(tmp_path / "after")
    loaded = KeywordIndex.load(tmp_path / "after")
    theirs = reference(left)
    for query in QUERIES:
        want = reference_scores(theirs, query)
        assert np.allclose(ours.scores(query), want, atol=1e-6)
        assert np.allclose(loaded.scores(query), fresh.scores(query), atol=1e-6)


def test_a_vocabulary_an_edit_keeps_is_linked_not_rewritten(tmp_path: Path) -> None:
    KeywordIndex.from_tokens([["甲", "乙"], ["乙"]]).save(tmp_path / "a")
    stored = TermCounts.load(tmp_path / "a")
    assert stored is not None
    KeywordIndex.from_table(stored.taken(np.array([1])).extended([["甲"]])).save(tmp_path / "b")
    a, b = (tmp_path / d / "token_vocab.json" for d in "ab")
    assert a.stat().st_ino == b.stat().st_ino
    KeywordIndex.from_table(stored.extended([["丙"]])).save(tmp_path / "c")
    assert json.loads((tmp_path / "c" / "token_vocab.json").read_text()) == ["甲", "乙", "丙"]


def test_a_term_frequency_above_255_is_clipped_and_the_length_kept(tmp_path: Path) -> None:
    index = KeywordIndex.from_tokens([["钨"] * 300 + ["矿"], ["矿"]])
    index.save(tmp_path / "bm25")
    table = TermCounts.load(tmp_path / "bm25")
    assert table is not None and table.bags()[0] == {"钨": MAX_TF, "矿": 1}
    assert table.lengths.tolist() == [301, 1]


def fails_naming(folder: Path, name: str, reason: str) -> None:
    """Loading the keyword index, as a question or an update would, fails naming the file
    index/bm25/<name> and why."""
    for load in (KeywordIndex.load, TermCounts.load):
        with pytest.raises(IndexDamaged) as damaged:
            load(folder)
        assert damaged.value.path == f"index/bm25/{name}"
        assert re.search(reason, str(damaged.value)), str(damaged.value)


SAVED = ("postings_indptr.npy", "postings_docs.npy", "postings_tf.npy", "lengths.npy")
SAVED += ("postings_runs.npy", "postings_runs_ptr.npy")


@pytest.mark.parametrize("name", SAVED)
def test_a_truncated_posting_file_fails_at_load_naming_it(tmp_path: Path, name: str) -> None:
    KeywordIndex.from_tokens([tokenize(t) for t in TEXTS]).save(tmp_path / "bm25")
    path = tmp_path / "bm25" / name
    path.write_bytes(path.read_bytes()[:-1])
    fails_naming(tmp_path / "bm25", name, r"\d+ bytes, its header states \d+")


@pytest.mark.parametrize("name", [*SAVED, "token_vocab.json"])
def test_a_missing_keyword_file_fails_at_load_naming_it(tmp_path: Path, name: str) -> None:
    KeywordIndex.from_tokens([tokenize(t) for t in TEXTS]).save(tmp_path / "bm25")
    (tmp_path / "bm25" / name).unlink()
    fails_naming(tmp_path / "bm25", name, "missing")


def test_runs_that_miss_a_posting_fail_at_load(tmp_path: Path) -> None:
    KeywordIndex.from_tokens([tokenize(t) for t in TEXTS]).save(tmp_path / "bm25")
    path = tmp_path / "bm25" / "postings_runs.npy"
    runs = np.load(path)
    runs[0, 1] += 1  # the first term's run counts a posting of the second's
    np.save(path, runs)
    fails_naming(tmp_path / "bm25", "postings_runs.npy", "do not cover")


def rewritten(folder: Path, name: str, edit) -> None:
    np.save(folder / name, edit(np.load(folder / name)))


def test_offsets_that_fall_fail_at_load(tmp_path: Path) -> None:
    KeywordIndex.from_tokens([tokenize(t) for t in TEXTS]).save(tmp_path / "bm25")
    # the same count of postings in all, but one list that ends before it starts
    rewritten(tmp_path / "bm25", "postings_indptr.npy", lambda p: np.r_[p[0], p[2], p[1], p[3:]])
    fails_naming(tmp_path / "bm25", "postings_indptr.npy", "not rising from 0")


def test_offsets_not_from_zero_fail_at_load(tmp_path: Path) -> None:
    KeywordIndex.from_tokens([tokenize(t) for t in TEXTS]).save(tmp_path / "bm25")
    rewritten(tmp_path / "bm25", "postings_indptr.npy", lambda p: p + 1)
    fails_naming(tmp_path / "bm25", "postings_indptr.npy", "not rising from 0")


def test_postings_fewer_than_the_offsets_say_fail_at_load(tmp_path: Path) -> None:
    KeywordIndex.from_tokens([tokenize(t) for t in TEXTS]).save(tmp_path / "bm25")
    rewritten(tmp_path / "bm25", "postings_tf.npy", lambda tf: tf[:-1])
    fails_naming(tmp_path / "bm25", "postings_tf.npy", r"uint8 \(\d+,\), not uint8")


def test_a_posting_past_the_last_passage_fails_at_load(tmp_path: Path) -> None:
    """The last passage's posting moved one passage on: its low bits (under high bits 0) name
    a passage the lengths do not hold."""
    KeywordIndex.from_tokens([tokenize(t) for t in TEXTS]).save(tmp_path / "bm25")
    last = len(TEXTS) - 1
    rewritten(tmp_path / "bm25", "postings_docs.npy", lambda d: np.where(d == last, last + 1, d))
    fails_naming(tmp_path / "bm25", "postings_docs.npy", f"passage {last + 1} of {len(TEXTS)}")


def test_a_whole_posting_past_the_last_passage_fails_at_load(tmp_path: Path) -> None:
    """The layout before the runs (int32 passages), one passage too far."""
    KeywordIndex.from_tokens([tokenize(t) for t in TEXTS]).save(tmp_path / "bm25")
    for name in ("postings_runs.npy", "postings_runs_ptr.npy"):
        (tmp_path / "bm25" / name).unlink()
    last = len(TEXTS) - 1
    rewritten(
        tmp_path / "bm25",
        "postings_docs.npy",
        lambda d: np.where(d == last, last + 1, d).astype(np.int32),
    )
    fails_naming(tmp_path / "bm25", "postings_docs.npy", f"passage {last + 1} of {len(TEXTS)}")


# passages past 65,536: a posting stores its passage's low 16 bits, the rest once a run
MANY = 70_000


def many_tokens() -> list[list[str]]:
    """Tiny passages: "w{i % 7}" (1 to 3 times) in every one, so each w spans both runs of
    high bits; "b{i // 1000}" in a thousand each, b65's crossing passage 65,536 and b66's
    to b69's all above it; "z" in passage 0 and the last only."""
    out = [[f"w{i % 7}"] * (i % 3 + 1) + [f"b{i // 1000}"] for i in range(MANY)]
    out[0].append("z")
    out[-1].append("z")
    return out


MANY_QUERIES = (["w1"], ["b65"], ["b67", "w3"], ["b10", "b65", "w2", "w2"], ["z"], ["z", "b0"])


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[list[str]], KeywordIndex, Path]:
    tokens = many_tokens()
    built = KeywordIndex.from_tokens(tokens)
    folder = tmp_path_factory.mktemp("many") / "bm25"
    built.save(folder)
    return tokens, built, folder


def copied(folder: Path, to: Path, names: Iterable[str] | None = None) -> Path:
    """A new folder `to` with copies of folder's files (those named, or all of them): what a
    test edits, the module's shared build left as built."""
    to.mkdir()
    for name in names if names is not None else [p.name for p in folder.iterdir()]:
        (to / name).write_bytes((folder / name).read_bytes())
    return to


def test_scores_past_65536_passages_are_bm25s_own_built_and_loaded(
    many: tuple[list[list[str]], KeywordIndex, Path],
) -> None:
    tokens, built, folder = many
    loaded, theirs = KeywordIndex.load(folder), reference(tokens)
    assert np.load(folder / "postings_docs.npy").dtype == np.uint16
    for query in MANY_QUERIES:
        assert np.allclose(built.scores(query), reference_scores(theirs, query), atol=1e-6)
        assert np.array_equal(loaded.scores(query), built.scores(query))
    # each score lands on the passage that holds the term, low and high bits together
    assert np.flatnonzero(loaded.scores(["b65"])).tolist() == list(range(65_000, 66_000))
    assert np.flatnonzero(loaded.scores(["z"])).tolist() == [0, MANY - 1]


def test_a_term_crossing_passage_65536_is_stored_as_two_runs_and_read_back_whole(
    many: tuple[list[list[str]], KeywordIndex, Path],
) -> None:
    tokens, built, folder = many
    ptr, runs = np.load(folder / "postings_runs_ptr.npy"), np.load(folder / "postings_runs.npy")
    assert built.vocab is not None
    term = {t: i for i, t in enumerate(built.vocab)}
    # (high bits, postings): passages 65,000 to 65,535, then 65,536 to 65,999
    assert runs[ptr[term["b65"]] : ptr[term["b65"] + 1]].tolist() == [[0, 536], [1, 464]]
    assert runs[ptr[term["b67"]] : ptr[term["b67"] + 1]].tolist() == [[1, 1000]]
    assert runs[ptr[term["z"]] : ptr[term["z"] + 1]].tolist() == [[0, 1], [1, 1]]
    table = TermCounts.load(folder)  # an update's table: every passage whole again
    want = TermCounts.from_lists(tokens)
    assert table is not None and table.vocab == want.vocab
    assert (table.counts != want.counts).nnz == 0
    assert np.array_equal(table.lengths, want.lengths)


def test_a_folder_of_whole_int32_passages_still_loads_and_updates(
    tmp_path: Path, many: tuple[list[list[str]], KeywordIndex, Path]
) -> None:
    """The layout written before the runs: postings_docs.npy int32, no runs files."""
    tokens, built, folder = many
    names = ("postings_indptr.npy", "postings_tf.npy", "lengths.npy", "token_vocab.json")
    older = copied(folder, tmp_path / "bm25", names)
    assert isinstance(built.postings.docs, np.ndarray)
    np.save(older / "postings_docs.npy", built.postings.docs.astype(np.int32))
    loaded = KeywordIndex.load(older)
    for query in MANY_QUERIES:
        assert np.array_equal(loaded.scores(query), built.scores(query))
    table = TermCounts.load(older)
    assert table is not None and (table.counts != TermCounts.from_lists(tokens).counts).nnz == 0
    KeywordIndex.from_table(table).save(tmp_path / "saved")  # an update writes the runs
    assert (tmp_path / "saved" / "postings_runs.npy").exists()
    for query in MANY_QUERIES:
        again = KeywordIndex.load(tmp_path / "saved").scores(query)
        assert np.array_equal(again, built.scores(query))


def test_a_posting_past_the_last_passage_above_65536_fails_at_load(
    tmp_path: Path, many: tuple[list[list[str]], KeywordIndex, Path]
) -> None:
    """z's last posting (passage 69,999: high bits 1) given low bits past the last passage's."""
    _, built, folder = many
    copy = copied(folder, tmp_path / "bm25")
    assert built.vocab is not None
    z = built.vocab.index("z")
    at = int(np.load(folder / "postings_indptr.npy")[z + 1]) - 1

    def moved(docs: np.ndarray) -> np.ndarray:
        docs[at] += 1
        return docs

    rewritten(copy, "postings_docs.npy", moved)
    fails_naming(copy, "postings_docs.npy", f"passage {MANY} of {MANY}")


@pytest.mark.parametrize("keep_tokens", [True, False])
def test_an_older_folder_still_loads_and_scores(tmp_path: Path, keep_tokens: bool) -> None:
    tokens = [tokenize(t) for t in TEXTS]
    write_bm25s_folder(tmp_path / "bm25", tokens, keep_tokens)
    old = KeywordIndex.load(tmp_path / "bm25")
    fresh = KeywordIndex.from_tokens(tokens)
    assert old.n_docs == len(TEXTS) and old.doc_freq == fresh.doc_freq
    assert old.idf("就业") == fresh.idf("就业")
    for query in QUERIES:
        assert np.allclose(old.scores(query), fresh.scores(query), atol=1e-6)
    table = TermCounts.load(tmp_path / "bm25")
    if not keep_tokens:  # an update rebuilds it
        assert table is None
        return
    assert table is not None and table.bags() == [_counts(t or [""]) for t in tokens]
    converted = KeywordIndex.from_table(table)
    converted.save(tmp_path / "converted")
    assert (tmp_path / "converted" / "token_vocab.json").stat().st_ino == (
        tmp_path / "bm25" / "token_vocab.json"
    ).stat().st_ino
    for query in QUERIES:
        want = fresh.scores(query)
        assert np.allclose(KeywordIndex.load(tmp_path / "converted").scores(query), want)


def test_an_empty_index_scores_nothing(tmp_path: Path) -> None:
    KeywordIndex.from_tokens([]).save(tmp_path / "bm25")
    loaded = KeywordIndex.load(tmp_path / "bm25")
    assert loaded.n_docs == 0 and len(loaded.scores(["就业"])) == 0


def test_a_question_asked_while_another_is_scored_gets_the_same_scores(tmp_path: Path) -> None:
    KeywordIndex.from_tokens([tokenize(t) for t in TEXTS]).save(tmp_path / "bm25")
    index = KeywordIndex.load(tmp_path / "bm25")
    alone = [index.scores(q) for q in QUERIES]
    with index.scratch_free:  # another question holds the reused arrays
        meanwhile = [index.scores(q) for q in QUERIES]
    assert all(np.array_equal(a, b) for a, b in zip(alone, meanwhile, strict=True))
