"""The reading stage: the span reader reads the unit the selection model ranked best, and its
margin (how much likelier its best span than no answer) joins the evidence the abstention
decision weighs (service.answer_model.ReadModel, trained by `python -m bench.train_reading`).
The same reading gives the unit's fact, so a question costs one reader pass."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from service.answer_model import ReadModel, probability

if TYPE_CHECKING:
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
