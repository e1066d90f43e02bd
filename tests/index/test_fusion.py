from index.backend import FusionWeights, fuse_rankings

EQUAL = FusionWeights()


def test_a_keyword_match_far_ahead_stays_first_against_a_close_dense_runner_up() -> None:
    # BM25 finds "a" far ahead of the rest; the cosines are all close, "a" only third there
    bm25 = [("a", 30.0), ("b", 6.0), ("c", 5.5), ("d", 5.0)]
    dense = [("b", 0.86), ("c", 0.855), ("a", 0.85), ("d", 0.80)]
    assert fuse_rankings(bm25, dense, EQUAL)[0][0] == "a"


def test_a_dense_match_far_ahead_wins_over_a_flat_keyword_ranking() -> None:
    bm25 = [("b", 6.1), ("c", 6.0), ("a", 5.9), ("d", 5.8)]
    dense = [("a", 0.95), ("b", 0.80), ("c", 0.79), ("d", 0.78)]
    assert fuse_rankings(bm25, dense, EQUAL)[0][0] == "a"


def test_a_passage_one_ranking_lacks_counts_that_rankings_lowest() -> None:
    bm25 = [("a", 9.0), ("b", 3.0), ("c", 1.0)]
    dense = [("a", 0.9), ("b", 0.8), ("x", 0.7)]
    fused = dict(fuse_rankings(bm25, dense, EQUAL))
    assert set(fused) == {"a", "b", "c", "x"}
    # c is last by keywords and missing from dense, x the other way round: they tie, under b
    assert abs(fused["x"] - fused["c"]) < 1e-9 and fused["x"] < fused["b"] < fused["a"]


def test_the_weights_decide_between_two_rankings_that_disagree() -> None:
    bm25 = [("k", 10.0), ("d", 2.0), ("o", 1.0)]
    dense = [("d", 0.9), ("k", 0.5), ("o", 0.45)]
    assert fuse_rankings(bm25, dense, FusionWeights(bm25=1.0, dense=0.0))[0][0] == "k"
    assert fuse_rankings(bm25, dense, FusionWeights(bm25=0.0, dense=1.0))[0][0] == "d"


def test_one_ranking_alone_or_flat_keeps_an_order() -> None:
    dense = [("a", 0.9), ("b", 0.8)]
    assert [i for i, _ in fuse_rankings([], dense, EQUAL)] == ["a", "b"]
    # the one keyword match counts one unit over the passages BM25 does not hold
    assert [
        i for i, _ in fuse_rankings([("b", 4.0)], [("a", 0.9), ("b", 0.88), ("c", 0.2)], EQUAL)
    ][0] == "b"
    assert fuse_rankings([], [], EQUAL) == []
