"""The check (service/check.py): its second look at the reading stage's answer weighs the
stage's decision against the bar of the question's form, and decides whether the answer
stands."""

import math
from dataclasses import replace

import pytest

from corpus.model import Article
from service.answer import (
    ABSTAIN_MESSAGE,
    Answer,
    AnswerSettings,
    Citation,
    ShortAnswer,
    answer_question,
    checked,
)
from service.answer_model import AnswerModel, CheckModel, Logistic, ReadModel, load_model
from service.check import KINDS, check_features, logit
from service.reader import Reading
from service.reading import bars
from service.short_answer import Span
from tests.service.test_answer import hits_for, idf

pytestmark = pytest.mark.unit

TEXT = "青溪客运站今年启用。老站原有班线163条全部转入新站，其中省际班线31条、农村班线52条。"
STATION = Article("s1", "青溪客运站启用", TEXT)
ARTICLES = {"s1": STATION}
SENTENCE = "老站原有班线163条全部转入新站，其中省际班线31条、农村班线52条。"
AT = TEXT.index(SENTENCE)
QUESTION = "省际班线有多少条?"


def answer_with(fact: str, confidence: float) -> Answer:
    """An answer citing SENTENCE with fact as its short answer, at the stage's confidence."""
    start = AT + SENTENCE.index(fact)
    citation = Citation(1, "s1", STATION.title, "c", SENTENCE, AT, AT + len(SENTENCE), 1.0)
    short = ShortAnswer(fact, 1, "s1", start, start + len(fact))
    return Answer(f"{SENTENCE}[1]", False, (citation,), confidence, short)


def test_the_stage_decision_is_read_against_the_bar_of_the_questions_form() -> None:
    features = check_features(QUESTION, True, 0.8, 0.4)
    assert features["decision"] == pytest.approx(math.log(0.8 / 0.2) - math.log(0.4 / 0.6))
    assert features["rewritten"] == 1.0
    assert [features[f"asks_{k}"] for k in KINDS] == [float(k == "number") for k in KINDS]
    yes_no = check_features("新站今年启用了吗?", False, 0.4, 0.4)
    assert yes_no["decision"] == 0.0 and yes_no["rewritten"] == 0.0
    assert [yes_no[f"asks_{k}"] for k in KINDS] == [float(k == "yesno") for k in KINDS]
    assert logit(1.0) == pytest.approx(-logit(0.0))  # the edges are read as finite


def check_on(bias: float, weight: float = 0.0) -> CheckModel:
    """A check weighing the stage's decision alone, the answer standing from 0.5 up."""
    return CheckModel(Logistic(("decision",), (weight,), (0.0,), (1.0,), bias), 0.5)


def with_check(check: CheckModel) -> AnswerModel:
    """The shipped picker, a reading stage weighing the reader's margin alone (its probability
    sigmoid(margin), its bar 0.5) and check."""
    stage = ReadModel(Logistic(("read_margin",), (1.0,), (0.0,), (1.0,), 0.0), 0.5)
    return replace(load_model(), read=stage, check=check)


def test_the_check_lets_an_answer_stand_with_its_own_probability_or_abstains() -> None:
    model = with_check(check_on(0.0, 1.0))
    assert model.read is not None
    bar, _ = bars(model.read.threshold, QUESTION, False)
    above, below = answer_with("31条", 0.9), answer_with("31条", bar / 2)
    stands = checked(QUESTION, above, model, False)
    assert not stands.abstained and stands.short == above.short
    expected = 1 / (1 + math.exp(-(logit(0.9) - logit(bar))))
    assert stands.confidence == pytest.approx(expected, abs=1e-4)  # the check's, not the stage's
    doubted = checked(QUESTION, below, model, False)
    assert doubted.abstained and doubted.text == ABSTAIN_MESSAGE and doubted.confidence < 0.5
    # a rewritten follow-up is read against its own, lower bar: the same confidence stands
    assert not checked(QUESTION, answer_with("31条", bar * 0.9), model, True).abstained
    # a floor the user set takes the check's threshold's place
    assert not checked(QUESTION, below, model, False, floor=0.0).abstained
    assert checked(QUESTION, above, model, False, floor=0.99).abstained
    # an abstention stays one
    none = Answer(ABSTAIN_MESSAGE, True, (), 0.3)
    assert checked(QUESTION, none, model, False) is none


def test_answer_question_asks_the_check_only_with_the_reader_and_when_it_is_on() -> None:
    def read(question: str, sentence: str, headline: str) -> Reading | None:
        at = sentence.find("31条")
        return Reading(Span(at, at + 3), 9.0, 0.0) if at >= 0 else Reading(None, 0.0, 9.0)

    def ask(check: CheckModel, settings: AnswerSettings, reader=read) -> Answer:
        hits = hits_for(STATION)
        return answer_question(
            QUESTION, hits, ARTICLES, idf, settings, model=with_check(check), read=reader
        )

    answered = ask(check_on(50.0), AnswerSettings())
    assert not answered.abstained and "31条" in answered.text
    assert answered.confidence == pytest.approx(1.0)
    assert ask(check_on(-50.0), AnswerSettings()).abstained  # the check refuses it
    # off, or without the reader, the stage decides as it did: the check changes nothing
    off = AnswerSettings(check=False)
    assert ask(check_on(-50.0), off) == ask(check_on(50.0), off)
    assert ask(check_on(-50.0), AnswerSettings(), None) == ask(
        check_on(50.0), AnswerSettings(), None
    )


def reading_at(margin: float, fact: str = "31条"):
    """A reader finding fact wherever a sentence holds it, margin surer than no answer, and
    sure that a sentence without it does not answer."""

    def read(question: str, sentence: str, headline: str) -> Reading | None:
        at = sentence.find(fact)
        return Reading(Span(at, at + len(fact)), margin, 0.0) if at >= 0 else Reading(None, 0, 30)

    return read


def ask_with(
    question: str, check: CheckModel, settings: AnswerSettings, margin: float, fact: str = "31条"
) -> Answer:
    read = reading_at(margin, fact)
    model = with_check(check)
    return answer_question(
        question, hits_for(STATION), ARTICLES, idf, settings, model=model, read=read
    )


def test_the_check_decides_where_the_stage_would_abstain_and_a_floor_bars_it() -> None:
    # the reader doubts the sentence: the stage alone abstains, a sure check answers
    assert ask_with(QUESTION, check_on(50.0), AnswerSettings(check=False), -30.0).abstained
    rescued = ask_with(QUESTION, check_on(50.0), AnswerSettings(), -30.0)
    assert not rescued.abstained and rescued.short is not None and rescued.short.text == "31条"
    # the user's floor is the check's bar (this check's probability: 1 / (1 + e^-1), 0.73)
    sure = ask_with(QUESTION, check_on(1.0), AnswerSettings(), 30.0)
    assert not sure.abstained and sure.confidence == pytest.approx(0.7311, abs=1e-4)
    assert ask_with(QUESTION, check_on(1.0), AnswerSettings(min_confidence=0.99), 30.0).abstained
    assert not ask_with(QUESTION, check_on(1.0), AnswerSettings(min_confidence=0.7), 30.0).abstained


def test_a_yes_no_answer_below_the_stages_bar_still_needs_a_rules_verdict() -> None:
    asked = "青溪客运站今年启用了吗?"  # the sentence merely holds what is asked: no rule says 是
    sure = ask_with(asked, check_on(50.0), AnswerSettings(), 30.0, "今年启用")
    assert not sure.abstained and sure.text.startswith("是")
    assert ask_with(asked, check_on(50.0), AnswerSettings(), -30.0, "今年启用").abstained
