"""What the models read (service/features.py): a unit's features relative to the others, and
how far the best of a ranking stands out."""

from dataclasses import replace

import pytest

from corpus.model import Chunk
from index.backend import Hit
from service.answer import Candidate
from service.features import decision_features, feature_rows


def unit(text: str, cosine: float, score: float = 0.0) -> Candidate:
    chunk = Chunk("c", "d", "标题", text, 0, len(text))
    return Candidate(
        0, Hit(chunk, 1.0, 1.0, 0.9), 0, len(text), text, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, cosine
    )


def test_a_units_cosine_is_read_against_the_best_cosine_of_the_others() -> None:
    near, far = unit("三号线全长32.5公里。", 0.95), unit("四号线计划明年开通。", 0.90)
    rows = feature_rows("三号线多长?", [far, near])
    assert rows[1]["cosine_gap"] == 0.0 and rows[1]["cosine_rank"] == 1.0
    assert rows[0]["cosine_gap"] == pytest.approx(-0.05) and rows[0]["cosine_rank"] == 0.5
    assert feature_rows("三号线多长?", []) == []


def test_the_best_of_a_ranking_stands_out_by_its_margin_and_share() -> None:
    best, other = replace(unit("甲", 0.9), score=3.0), replace(unit("乙", 0.9), score=1.0)
    close = decision_features("多长?", [best, replace(other, score=2.9)])
    apart = decision_features("多长?", [best, other])
    assert apart["margin"] == pytest.approx(2.0) and close["margin"] == pytest.approx(0.1)
    assert apart["share"] > close["share"] > 0.5
    # alone, the best stands 5 above an absent second
    assert decision_features("多长?", [best])["margin"] == 5.0
