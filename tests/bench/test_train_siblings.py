"""bench/train_siblings.py: the bar is each question's own (reading.bars: lower for a follow-up
and for a yes/no answer that says 是 or 否 plainly), and the siblings model's threshold keeps
the share of wrong answers at most the stage's."""

from __future__ import annotations

import numpy as np
import pytest

from bench.train_siblings import Asked, answers_at, fit
from service.answer_model import SIBLING_MARGIN, STAGE

pytestmark = pytest.mark.unit


def asked(stage: float, sibling: float, right: bool, **kind: object) -> Asked:
    fields: dict[str, object] = {
        "question": "新馆有多少个座位?",
        "rewritten": False,
        "decided": False,
    }
    return Asked(**(fields | kind), stage=stage, sibling=sibling, right=right)  # type: ignore[arg-type]


def test_each_answer_is_held_to_its_own_bar() -> None:
    plain = asked(0.0, 0.0, True)
    decided = asked(0.0, 0.0, True, question="新馆开放了吗?", decided=True)
    follow_up = asked(0.0, 0.0, False, rewritten=True)
    probs = np.array([0.5, 0.5, 0.5])
    # at 0.6 the plain answer abstains; the decided yes/no (half the bar) and the follow-up
    # (0.7 of it: 0.42) stand
    assert answers_at([plain, decided, follow_up], probs, 0.6) == (1, 1)
    assert answers_at([plain, decided, follow_up], probs, 0.45) == (2, 1)
    assert answers_at([plain, decided, follow_up], probs, 1.1) == (0, 0)


def test_the_threshold_keeps_the_share_of_wrong_answers() -> None:
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(400):
        right = bool(rng.random() < 0.7)
        stage = rng.normal(1.0 if right else -0.5, 1.0)
        # the siblings reader tells the wrong ones apart better than the stage
        sibling = rng.normal(4.0 if right else -2.0, 1.5)
        rows.append(asked(stage, sibling, right))
    siblings, threshold = fit(rows, 0.6)
    assert siblings.names == (STAGE, SIBLING_MARGIN)
    assert siblings.weights[1] > 0  # the higher its margin, the likelier right
    x = np.array([[a.stage, a.sibling] for a in rows])
    before = answers_at(rows, 1 / (1 + np.exp(-x[:, 0])), 0.6)
    logits = siblings.bias + x @ np.array(siblings.weights)
    after = answers_at(rows, 1 / (1 + np.exp(-logits)), threshold)
    assert after[1] / sum(after) <= before[1] / sum(before)
    assert after[0] > before[0]  # and answers more right
    # a thousandth lower would be wrong more often than the stage
    lower = answers_at(rows, 1 / (1 + np.exp(-logits)), threshold - 0.001)
    assert lower == after or lower[1] / sum(lower) > before[1] / sum(before)
