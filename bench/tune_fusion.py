"""Measure the fusion of the keyword and dense rankings against each retriever alone.

    python -m bench.tune_fusion [--shared ../shared] [--bm25 W] [--dense W]

On the realistic parts the trainers read (not the held-out ones) and the public CMRC 2018 / DRCD
questions: recall@1 and @5 (the gold article first / among the first five) of BM25 alone, dense
alone and `fuse_rankings` with the weights given, and the fusion's worst margin at @1 over the
better single retriever. Rankings are the ones /ask reads: of each question as resolved against
its history, each ranking `FusionWeights.depth` deep. Each set's index is the one `make eval`
keeps (data/eval), built on first use (the public sets' embedding takes minutes from an empty
cache)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.realistic.parts import PARTS
from index.backend import Asked, FusionWeights, Ranking, fuse_rankings
from service.evaluate import read_questions
from service.followup import resolve_question
from service.operations import eval_service, make_settings, ready_embedder
from service.qa import bounded_history, bounded_question
from service.settings import PROJECT_ROOT

# (gold doc_id, the keyword ranking, the dense ranking, the doc_id of each passage row)
Ranked = tuple[str, Ranking, Ranking, dict[int, str]]


def collect(questions: Path, corpus: Path, depth: int) -> list[Ranked]:
    """Both rankings of every answerable question of the file that names its article."""
    settings = make_settings()
    service, _ = eval_service(settings, ready_embedder(settings), [corpus])
    search, chunks = service.retriever, service.index.chunks
    out = []
    for q in read_questions(questions):
        if q.answerable and q.doc_id:
            asked = resolve_question(bounded_question(q.question), bounded_history(q.history))
            vec = search.query_vector(asked)
            found = search.rankings(Asked(asked, depth, "hybrid", vec, None))
            rows = {i for i, _ in found.keyword + found.nearest}
            out.append(
                (q.doc_id, found.keyword, found.nearest, {i: chunks[i].doc_id for i in rows})
            )
    return out


def recall(ranked: Sequence[Ranked], order: Callable[[Ranked], list[str]], k: int) -> float:
    return sum(r[0] in order(r)[:k] for r in ranked) / max(len(ranked), 1)


def articles(r: Ranked, ranking: Ranking) -> list[str]:
    return [r[3][i] for i, _ in ranking]


def fused(weights: FusionWeights) -> Callable[[Ranked], list[str]]:
    return lambda r: articles(r, fuse_rankings(r[1], r[2], weights))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    default = FusionWeights()
    parser.add_argument("--bm25", type=float, default=default.bm25, help="the keyword weight")
    parser.add_argument("--dense", type=float, default=default.dense, help="the dense weight")
    args = parser.parse_args(argv)
    weights = FusionWeights(bm25=args.bm25, dense=args.dense)
    sets = [(p.name, p.questions, p.articles) for p in PARTS if p.trained] + [
        (
            name,
            args.shared / "eval" / name / "questions_public.jsonl",
            args.shared / "eval" / name / "docs.jsonl",
        )
        for name in ("cmrc2018", "drcd")
    ]
    worst = 1.0
    for name, questions, corpus in sets:
        ranked = collect(questions, corpus, weights.depth)
        orders = {
            "bm25": lambda r: articles(r, r[1]),
            "dense": lambda r: articles(r, r[2]),
            "fused": fused(weights),
        }
        at1 = {m: recall(ranked, o, 1) for m, o in orders.items()}
        at5 = {m: recall(ranked, o, 5) for m, o in orders.items()}
        margin = at1["fused"] - max(at1["bm25"], at1["dense"])
        worst = min(worst, margin)
        print(
            f"{name:<12} {len(ranked):>5} "
            + "  ".join(f"{m} @1 {at1[m]:.4f} @5 {at5[m]:.4f}" for m in orders)
            + f"  margin @1 {margin:+.4f}",
            flush=True,
        )
    print(f"worst margin of the fusion at @1 over the better single retriever: {worst:+.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
