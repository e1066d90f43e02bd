"""The reading stage: the span reader reads the unit the selection model ranked best, and its
margin (how much likelier its best span than no answer) joins the evidence the abstention
decision weighs (service.answer_model.ReadModel, trained by `python -m bench.train_reading`).
The same reading gives the unit's fact (a second cited unit is read for its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from service.answer_model import AnswerModel, ReadModel, probability
from service.short_answer import Read as ReadSpan
from service.short_answer import Span

if TYPE_CHECKING:
    from service.answer import Candidate
    from service.reader import Reading

# a reader: its Reading of a sentence for a question (None where it cannot read it)
Reader = Callable[[str, str], "Reading | None"]
UNREAD_MARGIN = 0.0  # the margin of a unit the reader cannot read (no offsets for its text)


def read_features(evidence: dict[str, float], margin: float) -> dict[str, float]:
    """The abstention evidence (service.answer.decision_features) and the reader's margin."""
    return evidence | {"read_margin": margin}


def read_confidence(model: ReadModel, evidence: dict[str, float], reading: Reading | None) -> float:
    """The probability that the best unit answers, its evidence and its reading weighed."""
    margin = UNREAD_MARGIN if reading is None else reading.margin
    return probability(model.decide.logit(read_features(evidence, margin)))


def judged(
    question: str,
    best: Candidate,
    evidence: dict[str, float],
    model: AnswerModel,
    read: Reader | None,
) -> tuple[float, float, Callable[[Candidate], ReadSpan] | None]:
    """The probability that best answers (rounded), the threshold below which to abstain, and
    how to find a unit's fact with the reader (None without one): with a reader and a model
    trained for it, best is read and its margin weighed, and that reading gives its fact;
    otherwise the model's own decision."""
    if read is None or model.read is None:
        facts = None if read is None else facts_by(read, question)
        return round(model.answer_probability(evidence), 4), model.threshold, facts
    reading = read(question, best.text)
    confidence = read_confidence(model.read, evidence, reading)
    return round(confidence, 4), model.read.threshold, facts_by(read, question, best, reading)


def facts_by(
    read: Reader, question: str, known: Candidate | None = None, reading: Reading | None = None
) -> Callable[[Candidate], ReadSpan]:
    """How extract asks the reader for a unit's fact: known's as already read, any other's from
    a new reading."""

    def for_unit(c: Candidate) -> ReadSpan:
        def span(_question: str, _sentence: str) -> Span | None:
            found = reading if c is known else read(question, c.text)
            return None if found is None else found.span

        return span

    return for_unit
