"""The reading stage (service/reading.py): the reader's margins re-rank the best units and join
the abstention decision; compose_answer takes the fact from the reading it already made."""

import math
from dataclasses import replace

import pytest

from corpus.model import Chunk
from index.backend import Hit
from service.answer import AnswerSettings, Candidate, compose_answer, span_reader
from service.answer_model import Logistic, ReadModel, load_model
from service.reader import Reading
from service.reading import reread
from service.short_answer import Span

pytestmark = pytest.mark.unit


def unit(text: str, start: int, score: float) -> Candidate:
    chunk = Chunk("c", "d", "标题", text, start, start + len(text))
    return Candidate(
        0,
        Hit(chunk, 1.0, 1.0, 0.9),
        start,
        start + len(text),
        text,
        0.5,
        0.0,
        0.0,
        0.5,
        0.0,
        0.0,
        0.9,
        score=score,
    )


def logistic(**weights: float) -> Logistic:
    names = tuple(weights)
    ones = tuple(1.0 for _ in names)
    return Logistic(names, tuple(weights.values()), tuple(0.0 for _ in names), ones, 0.0)


def stage(decide: Logistic, threshold: float = 0.5) -> ReadModel:
    return ReadModel(logistic(score=1.0, margin=2.0), decide, threshold, 3)


FIRST = unit("三号线全长32.5公里。", 0, 2.0)
SECOND = unit("四号线计划明年开通。", 20, 1.0)


def test_the_readers_margin_reranks_the_best_units_and_joins_the_decision() -> None:
    readings = [Reading(None, 1.0, 3.0), Reading(Span(0, 2), 4.0, 0.0)]  # margins -2 and 4
    found = reread([FIRST, SECOND], readings, stage(logistic(read_margin=1.0)), lambda r: {})
    assert [c.text for c in found.ranked] == [SECOND.text, FIRST.text]
    assert found.features == {"read_margin": 4.0, "read_top_margin": 4.0, "read_gap": 6.0}
    assert found.confidence == pytest.approx(1 / (1 + math.exp(-4.0)))
    assert found.span_of(SECOND) == Span(0, 2) and found.span_of(FIRST) is None


def test_without_a_margin_the_selection_order_stands() -> None:
    readings = [Reading(None, 1.0, 1.0), Reading(None, 1.0, 1.0)]
    found = reread([FIRST, SECOND], readings, stage(logistic()), lambda r: {})
    assert [c.text for c in found.ranked] == [FIRST.text, SECOND.text]
    assert found.confidence == 0.5


def test_compose_answer_abstains_when_the_reader_finds_no_answer() -> None:
    model = replace(load_model(), read=stage(logistic(read_top_margin=1.0), 0.5))
    calls: list[list[str]] = []

    def read(question: str, sentences: list[str]) -> list[Reading | None]:
        calls.append(list(sentences))
        return [Reading(None, -3.0, 2.0) for _ in sentences]

    settings = AnswerSettings()
    answer = compose_answer("三号线有多长?", [FIRST, SECOND], model, settings, read)
    assert answer.abstained and calls == [[FIRST.text, SECOND.text]]


def test_compose_answer_takes_the_fact_from_the_reading_it_made() -> None:
    model = replace(load_model(), read=stage(logistic(read_top_margin=1.0), 0.5))
    calls: list[list[str]] = []

    def read(question: str, sentences: list[str]) -> list[Reading | None]:
        calls.append(list(sentences))
        return [Reading(Span(0, 3), 5.0, 0.0) for _ in sentences]

    answer = compose_answer("哪条线最长?", [FIRST, SECOND], model, AnswerSettings(), read)
    assert not answer.abstained
    assert answer.short is not None and answer.short.text == "三号线"
    assert len(calls) == 1  # the chosen unit's fact came from the reading stage's own batch


def test_a_unit_the_stage_did_not_read_is_read_when_its_fact_is_wanted() -> None:
    def read(question: str, sentences: list[str]) -> list[Reading | None]:
        return [Reading(Span(0, 2), 1.0, 0.0) for _ in sentences]

    ask = span_reader(SECOND, {}, read)
    assert ask is not None and ask("?", SECOND.text) == Span(0, 2)
    known = span_reader(SECOND, {("d", 20): None}, read)
    assert known is not None and known("?", SECOND.text) is None
    assert span_reader(SECOND, {}, None) is None
