"""Measure the fusion of the keyword and dense rankings against each alone, on the rankings that
`python -m bench.train_answer` collected (data/train/*.pkl), and search its parameters.

    python -m bench.tune_fusion

Prints doc-level recall@1 and @5 of BM25 alone, dense alone, the current fusion and the best
parameters found (the worst set's margin over its better single retriever at @1 first)."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Sequence

from bench.train_answer import Sample
from index.backend import FusionWeights, fuse_rankings
from service.settings import PROJECT_ROOT


def doc_of(chunk_id: str) -> str:
    return chunk_id.rsplit(":", 1)[0]


def recall(rankings: Sequence[Sequence[str]], golds: Sequence[str], k: int) -> float:
    hits = sum(any(doc_of(c) == g for c in r[:k]) for r, g in zip(rankings, golds, strict=True))
    return hits / max(len(golds), 1)


def fused(samples: Sequence[Sample], weights: FusionWeights) -> list[list[str]]:
    return [[c for c, _ in fuse_rankings(s.bm25, s.dense, weights)] for s in samples]


def main() -> int:
    sets: dict[str, list[Sample]] = {}
    for path in sorted((PROJECT_ROOT / "data" / "train").glob("*.pkl")):
        with path.open("rb") as fh:
            samples = [s for s in pickle.load(fh) if s.question.doc_id and s.bm25]
        sets[path.stem] = samples
    golds = {n: [s.question.doc_id or "" for s in ss] for n, ss in sets.items()}

    def report(label: str, ranks: dict[str, list[list[str]]]) -> dict[str, float]:
        r1 = {n: recall(r, golds[n], 1) for n, r in ranks.items()}
        r5 = {n: recall(r, golds[n], 5) for n, r in ranks.items()}
        print(f"{label:<44}" + "  ".join(f"{n} @1 {r1[n]:.4f} @5 {r5[n]:.4f}" for n in ranks))
        return r1

    alone = {
        mode: {n: [[c for c, _ in getattr(s, mode)] for s in ss] for n, ss in sets.items()}
        for mode in ("bm25", "dense")
    }
    best1 = {n: max(v for v in (report(m, alone[m])[n] for m in ("bm25", "dense"))) for n in sets}
    current = FusionWeights()
    report("fused (current)", {n: fused(ss, current) for n, ss in sets.items()})
    results = []
    for dense_w, rrf_k, confident in itertools.product(
        (0.3, 0.4, 0.5, 0.7, 1.0), (5.0, 10.0, 20.0, 60.0), (0.0, 1.2, 1.5, 2.0)
    ):
        w = FusionWeights(dense=dense_w, rrf_k=rrf_k, confident_ratio=confident)
        ranks = {n: fused(ss, w) for n, ss in sets.items()}
        r1 = {n: recall(r, golds[n], 1) for n, r in ranks.items()}
        r5 = {n: recall(r, golds[n], 5) for n, r in ranks.items()}
        margin = min(r1[n] - best1[n] for n in sets)
        results.append((margin, sum(r5.values()), w))
    results.sort(key=lambda x: (x[0], x[1]), reverse=True)
    for margin, _, w in results[:5]:
        report(
            f"dense {w.dense} k {w.rrf_k} confident {w.confident_ratio} ({margin:+.4f})",
            {n: fused(ss, w) for n, ss in sets.items()},
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
