"""The reading stage: the span reader reads the best few units the selection model ranked, and
its margins (how much likelier a span than no answer) re-rank them and join the evidence the
abstention decision weighs (service.answer_model.ReadModel, trained by
`python -m bench.train_reading`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from service.answer_model import ReadModel, probability
from service.short_answer import Span

if TYPE_CHECKING:
    from service.answer import Candidate
    from service.reader import Reading

# a reader: its Reading of each sentence for a question (None where it cannot read one)
ReadAll = Callable[[str, Sequence[str]], "list[Reading | None]"]
UNREAD_MARGIN = 0.0  # the margin of a unit the reader cannot read (no offsets for its text)


@dataclass(frozen=True, slots=True)
class Read:
    """The reading stage's outcome: the units re-ranked, the decision's probability, and the
    reader's span in each unit it read (by the unit's place in its article)."""

    ranked: list[Candidate]
    confidence: float
    spans: dict[tuple[str, int], Span | None]
    features: dict[str, float]  # what the decision read

    def span_of(self, c: Candidate) -> Span | None:
        return self.spans.get((c.hit.chunk.doc_id, c.start))


def rerank_features(score: float, margin: float, top_margin: float) -> dict[str, float]:
    return {"score": score, "margin": margin, "margin_gap": margin - top_margin}


def read_decision_features(
    base: dict[str, float], margin: float, top_margin: float, second_margin: float
) -> dict[str, float]:
    """The abstention model's evidence (service.answer.decision_features) and the reader's."""
    return base | {
        "read_margin": margin,
        "read_top_margin": top_margin,
        "read_gap": margin - second_margin,
    }


def reread(
    ranked: Sequence[Candidate],
    readings: Sequence[Reading | None],
    model: ReadModel,
    decision: Callable[[Sequence[Candidate]], dict[str, float]],
) -> Read:
    """ranked's first len(readings) units re-ranked with the reader's margins, and the
    probability that the new best answers (decision: the evidence of a ranking)."""
    top = list(ranked[: len(readings)])
    m = [UNREAD_MARGIN if r is None else r.margin for r in readings]
    best_m = max(m)
    order = sorted(
        range(len(top)),
        key=lambda i: -model.select.logit(rerank_features(top[i].score, m[i], best_m)),
    )
    new = [top[i] for i in order]
    rest = sorted((m[i] for i in order[1:]), reverse=True)
    features = read_decision_features(
        decision([*new, *ranked[len(top) :]]), m[order[0]], best_m, rest[0] if rest else -10.0
    )
    spans = {
        (c.hit.chunk.doc_id, c.start): (None if r is None else r.span)
        for c, r in zip(top, readings, strict=True)
    }
    confidence = probability(model.decide.logit(features))
    return Read([*new, *ranked[len(top) :]], confidence, spans, features)
