"""Train the answer picker (service/answer_model.json) on the public CMRC 2018 and DRCD questions.

For every public question the service retrieves as it does for /ask and lists the answer units
of the best passages with their evidence. The selection model learns which unit holds the gold
answer; the decision model learns when the best unit really answers, from the questions as
asked, the unanswerable ones, and each answerable question once more with every unit holding
its answer taken away (the evidence left is about a neighbouring subject: the hardest case).

    python -m bench.train_answer [--shared ../shared] [--limit N] [--out service/answer_model.json]

It writes the model without its reading stage: run bench.train_reading after it.

Our realistic set's trained parts (bench/realistic; parts 5, 8, 15, 20-28 are held out)
join the training with a higher weight, their questions being the kind users ask. Figures are printed for each set with a model that never saw it
(public sets: trained on the others; the realistic set: two folds by article), then the model
is trained on everything and written.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.realistic.parts import PARTS as REALISTIC_PARTS
from service.answer import (
    AnswerSettings,
    Candidate,
    candidates,
    select,
    with_types,
)
from service.answer_model import MODEL_PATH, AnswerModel, Logistic, probability, save_model
from service.evaluate import Question, contains_gold, read_questions
from service.features import decision_features, feature_rows
from service.followup import previous_answer, resolve_question
from service.settings import PROJECT_ROOT

WRONG_COST = 3.0  # a wrong cited answer costs this many right ones: it is worse than abstaining
REALISTIC_WEIGHT = 5.0  # a realistic question counts as this many public ones (they are few)


@dataclass(slots=True)
class Sample:
    question: Question
    resolved: str
    cands: list[Candidate]
    labels: list[bool]
    weight: float = 1.0


def collect(service: object, questions: Sequence[Question]) -> list[Sample]:
    """Every question's candidate units with their evidence, labelled by the gold answers."""
    from service.qa import QAService

    assert isinstance(service, QAService)
    settings = AnswerSettings()
    out: list[Sample] = []
    for n, q in enumerate(questions, 1):
        resolved = resolve_question(q.question, q.history)
        vec = service.retriever.query_vector(resolved, "hybrid")
        hits = service.retriever.search(resolved, 5, "hybrid", vec)
        cands = candidates(
            resolved,
            hits,
            service.index.articles_by_id,
            service.index.keywords.idf,
            settings,
            service.sentence_similarity(vec),
            previous_answer(q.history),
        )
        cands = with_types(resolved, cands, settings.typed_depth)
        labels = [q.answerable and contains_gold(c.text, q.answers) for c in cands]
        out.append(Sample(q, resolved, cands, labels))
        if n % 500 == 0:
            print(f"  {n}/{len(questions)}", file=sys.stderr, flush=True)
    return out


def refresh(samples: Sequence[Sample], service: object) -> None:
    """Recompute every sample's candidates and labels from its stored hits and cosines, so a
    change to the evidence the models read needs no new retrieval or embedding."""
    from service.qa import QAService

    assert isinstance(service, QAService)
    settings = AnswerSettings()
    for s in samples:
        hits = sorted({c.hit_rank: c.hit for c in s.cands}.items())
        cosines = {(c.hit.chunk.doc_id, c.start, c.end): c.cosine for c in s.cands}
        cands = candidates(
            s.resolved,
            [h for _, h in hits],
            service.index.articles_by_id,
            service.index.keywords.idf,
            settings,
            lambda doc_id, start, end, known=cosines: known.get((doc_id, start, end)),
            previous_answer(s.question.history),
        )
        s.cands = with_types(s.resolved, cands, settings.typed_depth)
        s.labels = [
            s.question.answerable and contains_gold(c.text, s.question.answers) for c in s.cands
        ]


def fit_logistic(
    rows: list[dict[str, float]], y: Sequence[bool], weights: Sequence[float], c: float = 1.0
) -> Logistic:
    from sklearn.linear_model import LogisticRegression

    names = tuple(rows[0])
    x = np.array([[r[n] for n in names] for r in rows], dtype=np.float64)
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - means) / scales, np.asarray(y, dtype=int), sample_weight=np.asarray(weights))
    return Logistic(
        names,
        tuple(float(w) for w in model.coef_[0]),
        tuple(float(m) for m in means),
        tuple(float(s) for s in scales),
        float(model.intercept_[0]),
    )


def train_select(samples: Sequence[Sample], l2: float = 1.0) -> Logistic:
    """A conditional logit over each question's candidates: the weights that make the units
    holding the gold answer likeliest among their question's units (questions without one in
    reach teach nothing here)."""
    from scipy.optimize import minimize

    groups = []
    for s in samples:
        if any(s.labels):
            rows = feature_rows(s.resolved, s.cands)
            groups.append((rows, np.array(s.labels, dtype=bool), s.weight))
    names = tuple(groups[0][0][0])
    mats = [np.array([[r[n] for n in names] for r in rows]) for rows, _, _ in groups]
    stacked = np.vstack(mats)
    means = stacked.mean(axis=0)
    scales = stacked.std(axis=0)
    scales[scales < 1e-9] = 1.0
    data = [((x - means) / scales, y, w) for x, (_, y, w) in zip(mats, groups, strict=True)]

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = 0.5 * l2 * float(beta @ beta), l2 * beta
        for x, y, w in data:
            z = x @ beta
            p = np.exp(z - z.max())
            p /= p.sum()
            held = float(p[y].sum())
            value -= w * np.log(held + 1e-12)
            grad = grad + w * (p @ x - (np.where(y, p, 0.0) / (held + 1e-12)) @ x)
        return value, grad

    beta = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B").x
    return Logistic(
        names,
        tuple(float(b) for b in beta),
        tuple(float(m) for m in means),
        tuple(float(v) for v in scales),
        0.0,
    )


# what a decision model reads of a question's units, ranked best first
Features = Callable[[str, Sequence[Candidate]], dict[str, float]]


def decision_rows(
    samples: Sequence[Sample],
    model: AnswerModel,
    ablate: bool = True,
    features: Features = decision_features,
) -> tuple[list[dict[str, float]], list[bool], list[float]]:
    """Decision features of the best unit and whether it answers; with ablate, each answerable
    question again without its answering units (label: must abstain)."""
    rows: list[dict[str, float]] = []
    y: list[bool] = []
    w: list[float] = []
    for s in samples:
        if not s.cands:
            continue
        ranked = select(s.resolved, s.cands, model)
        good = {id(c) for c, ok in zip(s.cands, s.labels, strict=True) if ok}
        # `select` returns new objects: find the best's label by its place in the article
        best_ok = any(
            ok and c.start == ranked[0].start and c.hit.chunk.doc_id == ranked[0].hit.chunk.doc_id
            for c, ok in zip(s.cands, s.labels, strict=True)
        )
        rows.append(features(s.resolved, ranked))
        y.append(best_ok)
        w.append(s.weight)
        if ablate and good:
            rest = [c for c, ok in zip(s.cands, s.labels, strict=True) if not ok]
            if rest:
                rows.append(features(s.resolved, select(s.resolved, rest, model)))
                y.append(False)
                w.append(s.weight)
    return rows, y, w


def choose_threshold(
    probs: np.ndarray, y: np.ndarray, w: np.ndarray, wrong_cost: float = WRONG_COST
) -> float:
    """The threshold that maximises right answers minus wrong_cost times wrong ones."""
    best_t, best_u = 0.5, -1e9
    for t in np.linspace(0.05, 0.95, 91):
        answered = probs >= t
        utility = float(np.sum(w * (answered & y)) - wrong_cost * np.sum(w * (answered & ~y)))
        if utility > best_u:
            best_t, best_u = float(t), utility
    return best_t


def train(samples: Sequence[Sample], name: str, wrong_cost: float = WRONG_COST) -> AnswerModel:
    sel = train_select(samples)
    dec, threshold = fit_decision(samples, AnswerModel(sel, sel, 0.5), wrong_cost)
    return AnswerModel(sel, dec, threshold, name)


def fit_decision(
    samples: Sequence[Sample],
    model: AnswerModel,
    wrong_cost: float = WRONG_COST,
    features: Features = decision_features,
) -> tuple[Logistic, float]:
    """A decision model over features of the units model's selection ranks best, and its
    threshold."""
    rows, y, w = decision_rows(samples, model, features=features)
    dec = fit_logistic(rows, y, w)
    # the threshold is chosen on the questions as asked, not on the ablated copies
    real, ry, rw = decision_rows(samples, model, ablate=False, features=features)
    probs = np.array([probability(dec.logit(r)) for r in real])
    return dec, choose_threshold(probs, np.array(ry), np.array(rw), wrong_cost)


def figures(
    samples: Sequence[Sample],
    model: AnswerModel,
    decision: tuple[Logistic, float] | None = None,
    features: Features = decision_features,
) -> dict[str, float]:
    """Selection and abstention figures of the sentence choice (not of the final answer text),
    deciding by model's own decision model and threshold or by decision's over features."""
    decide, threshold = decision or (model.decide, model.threshold)
    n_ans = sum(s.question.answerable for s in samples)
    n_unans = len(samples) - n_ans
    right = wrong = abstained_ans = abstained_unans = 0
    for s in samples:
        if not s.cands:
            abstained_ans += s.question.answerable
            abstained_unans += not s.question.answerable
            continue
        ranked = select(s.resolved, s.cands, model)
        p = probability(decide.logit(features(s.resolved, ranked)))
        if p < threshold:
            abstained_ans += s.question.answerable
            abstained_unans += not s.question.answerable
            continue
        ok = s.question.answerable and contains_gold(ranked[0].text, s.question.answers)
        right += ok
        wrong += not ok
    answered = right + wrong
    return {
        "sentence_hit": round(right / max(n_ans, 1), 4),
        "false_abstention": round(abstained_ans / max(n_ans, 1), 4),
        "abstained_unanswerable": round(abstained_unans / max(n_unans, 1), 4),
        "wrong_when_answering": round(wrong / max(answered, 1), 4),
    }


def load_samples(
    name: str, questions: Path, corpus: Path, limit: int, weight: float = 1.0
) -> list[Sample]:
    """Samples of one set, cached under data/train by set and limit (delete to recollect)."""

    def chosen() -> list[Question]:
        qs = read_questions(questions)
        return qs[:: max(1, len(qs) // limit)][:limit] if limit else qs

    samples = cached_samples(
        PROJECT_ROOT / "data" / "train" / f"{name}-{limit}.pkl", corpus, chosen
    )
    for s in samples:
        s.weight = weight
    return samples


def cached_samples(
    cache: Path, corpus: Path, questions: Callable[[], list[Question]]
) -> list[Sample]:
    """The samples of questions() over corpus (collect), kept in cache: a cached one's
    evidence refreshed as the service now weighs it."""
    from service.cli import eval_service

    service, _ = eval_service([corpus], None)
    if cache.exists():
        with cache.open("rb") as fh:
            samples: list[Sample] = pickle.load(fh)
        refresh(samples, service)
    else:
        qs = questions()
        print(f"{cache.stem}: {len(qs)} questions", file=sys.stderr, flush=True)
        samples = collect(service, qs)
        cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as fh:
        pickle.dump(samples, fh)  # refreshed: readable without the index by analysis scripts
    return samples


def fold_of(sample: Sample) -> int:
    """Two folds by article (unanswerable questions by id), so no article is in both."""
    key = sample.question.doc_id or sample.question.id
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    parser.add_argument(
        "--limit",
        nargs="*",
        default=[],
        help="NAME=N: at most N questions of that public set, sampled evenly (default: all)",
    )
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--wrong-cost", type=float, default=WRONG_COST, help="see WRONG_COST")
    parser.add_argument("--sets", nargs="+", default=["cmrc2018", "drcd"], help="public sets")
    args = parser.parse_args(argv)
    limits = {k: int(v) for k, v in (item.split("=", 1) for item in args.limit)}
    public = {
        name: load_samples(
            name,
            args.shared / "eval" / name / "questions_public.jsonl",
            args.shared / "eval" / name / "docs.jsonl",
            limits.get(name, 0),
        )
        for name in args.sets
    }
    realistic = [
        s
        for part in REALISTIC_PARTS
        if part.trained
        for s in load_samples(part.name, part.questions, part.articles, 0, REALISTIC_WEIGHT)
    ]
    everything_public = [s for ss in public.values() for s in ss]
    for name, samples in public.items():
        others = [s for n, ss in public.items() if n != name for s in ss]
        model = train([*others, *realistic], f"all but {name}", args.wrong_cost)
        print(f"{name}, trained without it: {figures(samples, model)}")
    held = []
    for fold in (0, 1):
        train_set = [s for s in realistic if fold_of(s) != fold]
        test_set = [s for s in realistic if fold_of(s) == fold]
        model = train([*everything_public, *train_set], f"fold {fold}", args.wrong_cost)
        held.append(figures(test_set, model))
        print(f"realistic fold {fold} ({len(test_set)} questions), trained without it: {held[-1]}")
    model = train(
        [*everything_public, *realistic],
        f"{'+'.join(public)} public questions and bench/realistic (python -m bench.train_answer)",
        args.wrong_cost,
    )
    for name, samples in [*public.items(), ("realistic", realistic)]:
        print(f"{name}, trained with it: {figures(samples, model)}")
    save_model(model, args.out)
    print(f"wrote {args.out} (threshold {model.threshold:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
