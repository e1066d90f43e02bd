import math

from index.backend import ABSENT_GAP, FusionWeights, fuse_rankings

EQUAL = FusionWeights()


def order(bm25, dense, weights: FusionWeights = EQUAL) -> list[str]:
    return [i for i, _ in fuse_rankings(bm25, dense, weights)]


def test_a_keyword_match_far_ahead_stays_first_against_close_cosines() -> None:
    # BM25 finds "a" far ahead of nine others; the cosines are close, "a" only fourth there (a
    # rank fusion with the keyword ranking weighted double put "b", second and first, ahead)
    bm25 = [("a", 30.0), *((c, 6.0 - 0.1 * n) for n, c in enumerate("bcdefghij"))]
    dense = [("b", 0.861), ("c", 0.860), ("d", 0.859), ("a", 0.858)]
    dense += [(c, 0.85 - 0.001 * n) for n, c in enumerate("efghij")]
    assert order(bm25, dense)[0] == "a"


def test_a_dense_match_far_ahead_wins_over_a_flat_keyword_ranking() -> None:
    bm25 = [("b", 6.1), ("c", 6.0), ("a", 5.9), ("d", 5.8)]
    dense = [("a", 0.95), ("b", 0.80), ("c", 0.79), ("d", 0.78)]
    assert order(bm25, dense)[0] == "a"


def test_a_passage_a_ranking_lacks_counts_that_rankings_lowest() -> None:
    deep = FusionWeights(depth=3)  # both rankings as deep as read: neither is complete
    bm25 = [("a", 9.0), ("b", 3.0), ("c", 1.0)]
    dense = [("a", 0.9), ("b", 0.8), ("x", 0.7)]
    fused = dict(fuse_rankings(bm25, dense, deep))
    assert set(fused) == {"a", "b", "c", "x"}
    # c is last by keywords and missing from dense, x the other way round: they tie, under b
    assert math.isclose(fused["x"], fused["c"]) and fused["x"] < fused["b"] < fused["a"]


def test_a_short_keyword_ranking_holds_every_match_so_the_rest_count_under_it() -> None:
    # shorter than its depth, the keyword ranking holds every passage sharing a word: one it
    # lacks counts ABSENT_GAP under its lowest: x, sharing no word, under c at the same cosine
    bm25 = [("a", 9.0), ("b", 3.0), ("c", 1.0)]
    dense = [("a", 0.9), ("b", 0.8), ("x", 0.7), ("c", 0.7)]
    fused = dict(fuse_rankings(bm25, dense, EQUAL))
    assert math.isclose(fused["c"] - fused["x"], ABSENT_GAP)
    assert order([("b", 4.0)], [("a", 0.9), ("b", 0.9), ("c", 0.2)])[0] == "b"


def test_the_weights_decide_between_two_rankings_that_disagree() -> None:
    bm25 = [("k", 10.0), ("d", 2.0), ("o", 1.0)]
    dense = [("d", 0.9), ("k", 0.5), ("o", 0.45)]
    assert order(bm25, dense, FusionWeights(bm25=1.0, dense=0.0))[0] == "k"
    assert order(bm25, dense, FusionWeights(bm25=0.0, dense=1.0))[0] == "d"


def test_ties_keep_the_keyword_order_and_odd_scores_count_as_absent() -> None:
    # mirror images tie (up to rounding): the keyword ranking's first stays first
    assert order([("a", 2.0), ("b", 1.0)], [("b", 0.9), ("a", 0.8)]) == ["a", "b"]
    assert order([], [("a", 0.9), ("b", 0.8)]) == ["a", "b"]
    assert fuse_rankings([], [], EQUAL) == []
    # a score that is not a number leaves the others' z-scores as they are
    nan = order([("a", float("nan")), ("b", 3.0), ("c", 1.0)], [("a", 0.9), ("b", 0.5)])
    assert nan.index("b") < nan.index("c") and all(
        math.isfinite(s)
        for _, s in fuse_rankings([("a", math.inf), ("b", 1.0)], [("b", 0.5)], EQUAL)
    )
