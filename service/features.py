"""What the models read: of each answer unit, for the selection model (some of it relative to
the other units), and of a ranking, for the abstention decision."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from service.short_answer import asked_kind

if TYPE_CHECKING:
    from service.answer import Candidate


def feature_rows(question: str, cands: Sequence[Candidate]) -> list[dict[str, float]]:
    """What the selection model reads of each candidate, some of it relative to the others."""
    if not cands:
        return []
    kind = asked_kind(question)
    by_cosine = sorted(range(len(cands)), key=lambda i: -cands[i].cosine)
    cos_rank = {i: r for r, i in enumerate(by_cosine)}
    top_cos = cands[by_cosine[0]].cosine
    return [unit_features(c, top_cos, kind, cos_rank[i]) for i, c in enumerate(cands)]


def unit_features(
    c: Candidate, top_cosine: float, kind: str | None, cosine_rank: int
) -> dict[str, float]:
    """What the selection model reads of one unit (names as in AnswerModel.select_features)."""
    return {
        "coverage": c.coverage,
        "context": c.context,
        "missing": c.missing,
        "chars": c.chars,
        "conflict": c.conflict,
        "typed": c.typed,
        "typed_asked": c.typed * (kind is not None),
        "cosine": c.cosine,
        "cosine_gap": c.cosine - top_cosine,
        "cosine_rank": 1.0 / (1 + cosine_rank),
        "focus": c.focus,
        "char1": c.char1,
        "typed_focus": c.typed * c.focus,
        "unit": c.unit,
        "lead": c.lead,
        "adjacent": c.adjacent,
        "measure_held": max(c.measure, 0.0),
        "measure_missing": max(-c.measure, 0.0),
        "anchored": c.anchored,
        "passage_cosine": c.hit.dense,
        "rank": 1.0 / (1 + c.hit_rank),
        "length": math.log(max(len(c.text), 1)),
    }


def decision_features(question: str, ranked: Sequence[Candidate]) -> dict[str, float]:
    """What the abstention model reads: the best unit's evidence and how far it stands out."""
    best = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else best.score - 5.0
    top = best.score
    share = 1.0 / sum(math.exp(max(c.score - top, -30.0)) for c in ranked)
    kind = asked_kind(question)
    return {
        "score": best.score,
        "share": share,  # the best unit's softmax probability among all candidates
        "margin": min(best.score - second, 5.0),
        "coverage": best.coverage,
        "coverage_all": best.coverage + best.context,
        "missing": best.missing,
        "chars": best.chars,
        "conflict": best.conflict,
        "cosine": best.cosine,
        "passage_cosine": best.hit.dense,
        "top_passage_cosine": max(c.hit.dense for c in ranked),
        "untyped": float(kind not in (None, "yesno") and not best.typed),
        "kind_asked": float(kind is not None),
        "unit": best.unit,
        "adjacent": best.adjacent,
        "measure_held": max(best.measure, 0.0),
        "measure_missing": max(-best.measure, 0.0),
        "anchored": best.anchored,
        "focus": best.focus,
        "char1": best.char1,
        "context": best.context,
        # the most any unit that could answer (holds the kind of fact asked) covers
        "best_coverage": max(
            (c.coverage + c.context for c in ranked if c.typed or kind in (None, "yesno")),
            default=0.0,
        ),
    }
