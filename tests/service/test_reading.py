"""The reading stage (service/reading.py): the reader's margin on the best unit joins the
abstention decision, and compose_answer takes that unit's fact from the same reading."""

import math
from dataclasses import replace

import pytest

from corpus.model import Chunk
from index.backend import Hit
from service.answer import (
    AnswerSettings,
    Candidate,
    compose_answer,
    decision_features,
)
from service.answer_model import Logistic, ReadModel, load_model
from service.reader import Reading
from service.reading import UNREAD_MARGIN, read_confidence, read_features, span_reader
from service.short_answer import Span

pytestmark = pytest.mark.unit


def unit(text: str, start: int, score: float) -> Candidate:
    chunk = Chunk("c", "d", "标题", text, start, start + len(text))
    hit = Hit(chunk, 1.0, 1.0, 0.9)
    return Candidate(
        0, hit, start, start + len(text), text, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.9, score=score
    )


def on_margin(weight: float = 1.0) -> ReadModel:
    """A stage that weighs the reader's margin alone, abstaining below probability 0.5."""
    return ReadModel(Logistic(("read_margin",), (weight,), (0.0,), (1.0,), 0.0), 0.5)


FIRST = unit("三号线全长32.5公里。", 0, 2.0)
SECOND = unit("四号线计划明年开通。", 20, 1.0)


def test_the_readers_margin_joins_the_evidence() -> None:
    assert read_features({"coverage": 0.5}, 3.0) == {"coverage": 0.5, "read_margin": 3.0}
    stage = on_margin()
    sure = read_confidence(stage, {}, Reading(Span(0, 2), 4.0, 0.0))
    assert sure == pytest.approx(1 / (1 + math.exp(-4.0)))
    assert read_confidence(stage, {}, Reading(None, 1.0, 3.0)) < 0.5
    # a unit the reader cannot read counts as UNREAD_MARGIN
    assert read_confidence(stage, {}, None) == pytest.approx(1 / (1 + math.exp(-UNREAD_MARGIN)))


def reader_of(readings: list[Reading], calls: list[list[str]]):
    def read(question: str, sentences: list[str]) -> list[Reading | None]:
        calls.append(list(sentences))
        return list(readings[: len(sentences)])

    return read


def test_compose_answer_abstains_when_the_reader_finds_no_answer_in_the_best_unit() -> None:
    model = replace(load_model(), read=on_margin())
    calls: list[list[str]] = []
    read = reader_of([Reading(None, -3.0, 2.0)], calls)
    answer = compose_answer("三号线有多长?", [FIRST, SECOND], model, AnswerSettings(), read)
    assert answer.abstained and calls == [[FIRST.text]]  # only the best unit is read
    # the same units with a reader sure of its span: answered
    sure = reader_of([Reading(Span(0, 3), 5.0, 0.0)], [])
    assert not compose_answer(
        "三号线有多长?", [FIRST, SECOND], model, AnswerSettings(), sure
    ).abstained


def test_compose_answer_takes_the_fact_from_the_reading_it_made() -> None:
    model = replace(load_model(), read=on_margin())
    calls: list[list[str]] = []
    read = reader_of([Reading(Span(0, 3), 5.0, 0.0)], calls)
    answer = compose_answer("哪条线最长?", [FIRST, SECOND], model, AnswerSettings(), read)
    assert not answer.abstained
    assert answer.short is not None and answer.short.text == "三号线"
    assert calls == [[FIRST.text]]  # the fact came from the decision's own reading


def test_without_a_stage_the_decision_is_the_answer_models_own() -> None:
    calls: list[list[str]] = []
    read = reader_of([Reading(None, -9.0, 9.0)], calls)
    model = replace(load_model(), read=None)
    settings = AnswerSettings(min_confidence=0.0)
    answer = compose_answer("哪条线最长?", [FIRST, SECOND], model, settings, read)
    assert not answer.abstained  # the reader's doubt is not asked for
    evidence = decision_features("哪条线最长?", [FIRST, SECOND])
    assert answer.confidence == pytest.approx(model.answer_probability(evidence), abs=1e-4)


def test_a_unit_not_yet_read_is_read_when_its_fact_is_wanted() -> None:
    read = reader_of([Reading(Span(0, 2), 1.0, 0.0)], [])
    ask = span_reader(SECOND, {}, read)
    assert ask is not None and ask("?", SECOND.text) == Span(0, 2)
    known = span_reader(SECOND, {("d", 20): None}, read)
    assert known is not None and known("?", SECOND.text) is None
    assert span_reader(SECOND, {}, None) is None
