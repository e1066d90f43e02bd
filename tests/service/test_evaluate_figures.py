"""The evaluation figures of CONTRACT.md computed from hand-made outcomes, and their helpers."""

from pathlib import Path

import pytest

from service.evaluate import (
    EvalFileError,
    Outcome,
    Question,
    Report,
    char_f1,
    contains_gold,
    percentile,
    read_questions,
)


def outcome(answerable, hit, supported, abstained, rank=None, ms=10.0, doc=None):
    q = Question("q", "问?", ("8210人",) if answerable else (), answerable, doc)
    return Outcome(q, hit, supported, abstained, rank, 20, ms)


def test_figures_follow_the_contracts_definitions() -> None:
    report = Report("f", "hybrid")
    report.outcomes = [
        outcome(True, True, True, False, rank=1, ms=10, doc="d"),  # hit, supported, gold first
        outcome(True, True, False, False, rank=3, ms=20, doc="d"),  # citation lacks the gold
        outcome(True, False, False, False, ms=30, doc="d"),  # wrong; gold article not retrieved
        outcome(True, False, False, True, ms=40),  # wrongly abstained
        outcome(False, False, False, True, ms=50),  # rightly abstained
        outcome(False, False, False, False, ms=60),  # unanswerable, answered
    ]
    f = report.figures()
    assert (f["questions"], f["answerable"], f["unanswerable"]) == (6, 4, 2)
    assert f["answer_hit"] == 0.5 and f["citation_support"] == 0.25
    assert f["false_abstention"] == 0.25 and f["abstention_unanswerable"] == 0.5
    # of the 4 answered, the wrong one and the answered unanswerable are wrong
    assert f["wrong_when_answering"] == 0.5
    # recall over the answerable questions that name their article (3 of them)
    assert f["recall@1"] == round(1 / 3, 4) and f["recall@5"] == round(2 / 3, 4)
    assert f["mrr"] == round((1 + 1 / 3) / 3, 4)
    assert f["latency_p50_ms"] == 35.0 and f["latency_p95_ms"] == 57.5


def test_figures_of_no_answerable_question_are_none_not_zero() -> None:
    report = Report("f", "bm25", [outcome(False, False, False, True)])
    f = report.figures()
    assert f["answer_hit"] is None and f["recall@1"] is None and f["short_answer_f1"] is None
    assert f["abstention_unanswerable"] == 1.0


def test_percentile_interpolates_between_neighbours() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([10.0], 95) == 10.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([10.0, 20.0], 95) == pytest.approx(19.5)


@pytest.mark.parametrize(
    ("text", "gold", "hit"),
    [
        ("新增就业 8210 人[1]", ["8210人"], True),  # whitespace removed
        ("新增就业８２１０人", ["8210人"], True),  # NFKC: full-width digits
        ("新增就业821人", ["8210人"], False),
        ("任何回答", [""], False),  # an empty gold answer never matches
    ],
)
def test_answer_hit_is_containment_after_normalisation(text, gold, hit) -> None:
    assert contains_gold(text, gold) is hit


def test_char_f1_is_the_longest_common_substrings_f1_without_punctuation() -> None:
    assert char_f1("8210人", "8210人") == 1.0
    assert char_f1("，8210人。", "8210人") == 1.0
    assert char_f1("8210", "8210人") == pytest.approx(2 * 1.0 * 0.8 / 1.8)
    assert char_f1("", "8210人") == 0.0 and char_f1("无关", "8210人") == 0.0


def test_a_malformed_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": 1, "question": "问?", "answerable": true}\n\n{"id": 2}\n', "utf-8")
    with pytest.raises(EvalFileError, match=r"q\.jsonl:3"):
        read_questions(path)
    path.write_text('{"id": 1, "question": "问?", "answerable": false, "kind": "x"}\n', "utf-8")
    (q,) = read_questions(path)
    assert (q.id, q.answers, q.answerable, q.kind) == ("1", (), False, "x")
