"""The reading stage: the span reader reads the unit the selection model ranked best, and its
margin (how much likelier its best span than no answer) joins the evidence the abstention
decision weighs (service.answer_model.ReadModel, trained by `python -m bench.train_reading`).
The same reading gives the unit's fact, so a question costs one reader pass."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from service.answer_model import AnswerModel, ReadModel, probability
from service.short_answer import Span

if TYPE_CHECKING:
    from service.answer import Candidate
    from service.reader import Reading

# a reader: its Reading of each sentence for a question (None where it cannot read one)
ReadAll = Callable[[str, Sequence[str]], "list[Reading | None]"]
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
    read: ReadAll | None,
) -> tuple[float, float, dict[tuple[str, int], Span | None]]:
    """The probability that best answers (rounded), the threshold below which to abstain, and
    the reader's span in each unit it read (by its place in its article): with a reader and a
    model trained for it, best is read and its margin weighed; otherwise the model's own
    decision."""
    if read is None or model.read is None:
        return round(model.answer_probability(evidence), 4), model.threshold, {}
    reading = read(question, [best.text])[0]
    span = None if reading is None else reading.span
    confidence = read_confidence(model.read, evidence, reading)
    return round(confidence, 4), model.read.threshold, {(best.hit.chunk.doc_id, best.start): span}


def span_reader(
    c: Candidate, spans: Mapping[tuple[str, int], Span | None], read: ReadAll | None
) -> Callable[[str, str], Span | None] | None:
    """How extract asks the reader for c's fact: its span as already read, else a reading."""
    if read is None:
        return None
    key = (c.hit.chunk.doc_id, c.start)
    if key in spans:
        return lambda question, sentence: spans[key]

    def read_one(question: str, sentence: str) -> Span | None:
        found = read(question, [sentence])[0]
        return None if found is None else found.span

    return read_one
