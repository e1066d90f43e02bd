"""Train the check (service/check.py: the `check` part of service/answer_model.json).

Every question of the realistic set's parts, and of the public CMRC 2018 and DRCD questions that
`make eval` samples, is asked through the /ask code path with the check off and the reading
stage unbarred (AnswerSettings.unbarred): its answer whatever its confidence, as the service
gives the check its answers.
Of each answer (not the rules' abstentions), service.check.check_features are kept, and whether
it is right (it holds a gold answer of an answerable question); a logistic model learns from
them (a public question weighs PUBLIC_WEIGHT: the check is for questions as readers ask them,
and must not lose the public ones), and its threshold is the one that maximises right answers
minus WRONG_COST wrong ones. Its figures are printed group by group (a realistic part; half of a
public set's articles), each from a check trained without that group, beside the stage's own
decision on the same answers; then the check is trained on everything and written into the
answer model.

The realistic parts held out of the other trainers (parts.py, trained=False) train the check too
(all but those marked trains_check=False, a test no trainer reads): the span reader
never read them, so its margins there are those of a user's question, which the parts it was
fine-tuned on cannot give (nor can the public articles it was trained on: the ones `make eval`
samples are not among them). Their figures here are a check's trained without them. Run it after
bench.train_reading and whenever the reader's weights change:

    python -m bench.train_check --rows /tmp/check-rows.jsonl   # about 20 minutes on two cores

(--rows keeps the answers' features, and reads them back on a second run.)
"""

from __future__ import annotations

import argparse
import json
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from bench.evaluation import MAKE_EVAL_LIMIT, even_sample
from bench.realistic.parts import PARTS as REALISTIC_PARTS
from bench.train_answer import WRONG_COST, choose_threshold, fit_logistic
from service.answer import AnswerSettings
from service.answer_model import (
    MODEL_PATH,
    AnswerModel,
    CheckModel,
    load_model,
    probability,
    save_model,
)
from service.check import answer_features
from service.evaluate import Question, judge, read_questions
from service.evidence import standard_question
from service.operations import eval_service, make_settings, ready_embedder
from service.reading import bars
from service.settings import PROJECT_ROOT

PUBLIC_SETS = ("cmrc2018", "drcd")
PUBLIC_WEIGHT = 0.5  # a public question weighs this much against a realistic one


@dataclass(frozen=True, slots=True)
class Row:
    group: str  # a realistic part's name, or a public set's name and half (cmrc2018/1)
    features: dict[str, float]
    right: bool
    weight: float = 1.0
    stage: bool = False  # the reading stage would answer it, over its own bar


def answered_rows(
    model: AnswerModel,
    articles: Path,
    questions: Path,
    group_of: Callable[[Question], str],
    weight: float,
) -> Iterator[Row]:
    """The features of every answer the reading stage gives to the questions, unbarred and
    unchecked (service.answer.AnswerSettings.unbarred, as the service gives the check its
    answers), and whether each is right."""
    settings = make_settings(reader=True)
    service, _ = eval_service(settings, ready_embedder(settings), [articles])
    # the eval index's settings are the environment's: the reader and these are set here
    service.settings = service.settings.model_copy(update={"reader": True})
    service.answer_settings = AnswerSettings(check=False, unbarred=True)
    if model.read is None or service.read() is None:
        raise SystemExit(
            "the check reads the reading stage's answers: the model or reader is missing"
        )
    for q in read_questions(questions):
        result = service.ask(q.question, q.history)
        answer = result.answer
        if answer.abstained:
            continue
        # answer_question reads the question with its spoken question words written
        question = standard_question(result.question)
        features = answer_features(question, result.rewritten, answer.confidence, model)
        _, stage_bar = bars(model.read.threshold, question, result.rewritten)
        right = judge(q, result, 0.0).hit
        yield Row(group_of(q), features, right, weight, answer.confidence >= stage_bar)


def all_rows(model: AnswerModel, shared: Path) -> list[Row]:
    rows = [
        r
        for part in REALISTIC_PARTS
        if part.trains_check
        for r in answered_rows(model, part.articles, part.questions, _named(part.name), 1.0)
    ]
    for name in PUBLIC_SETS:
        folder = shared / "eval" / name
        sample = even_sample(folder / "questions_public.jsonl", MAKE_EVAL_LIMIT)

        def half(q: Question, name: str = name) -> str:
            return f"{name}/{zlib.crc32((q.doc_id or q.id).encode()) % 2}"

        rows.extend(answered_rows(model, folder / "docs.jsonl", sample, half, PUBLIC_WEIGHT))
    return rows


def _named(group: str) -> Callable[[Question], str]:
    """Every question of a realistic part in the part's group."""
    return lambda _q: group


def fit(rows: Sequence[Row]) -> CheckModel:
    """A check fitted on rows, with the threshold that maximises right minus WRONG_COST wrong."""
    weights = [r.weight for r in rows]
    decide = fit_logistic([r.features for r in rows], [r.right for r in rows], weights)
    probs = np.array([probability(decide.logit(r.features)) for r in rows])
    right = np.array([r.right for r in rows])
    return CheckModel(decide, choose_threshold(probs, right, np.array(weights), WRONG_COST))


def counts(rows: Sequence[Row], answered: Sequence[bool]) -> tuple[int, int]:
    """Right and wrong answers among rows answered."""
    right = sum(a and r.right for r, a in zip(rows, answered, strict=True))
    return right, sum(answered) - right


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--rows", type=Path, help="keep the answers' features in this file")
    args = parser.parse_args(argv)
    if args.rows and args.rows.exists():
        rows = [Row(**json.loads(line)) for line in args.rows.read_text().splitlines()]
    else:
        rows = all_rows(load_model(args.out), args.shared)
        if args.rows:
            args.rows.write_text("".join(json.dumps(asdict(r)) + "\n" for r in rows))
    held = {p.name for p in REALISTIC_PARTS if not p.trained}
    for group in dict.fromkeys(r.group for r in rows):
        mine = [r for r in rows if r.group == group]
        check = fit([r for r in rows if r.group != group])
        stage = counts(mine, [r.stage for r in mine])
        checked = counts(
            mine, [probability(check.decide.logit(r.features)) >= check.threshold for r in mine]
        )
        note = " (held out of the reader's training)" if group in held else ""
        print(f"{group}{note}: right/wrong, the stage {stage}, checked {checked}", flush=True)
    check = replace(
        fit(rows),
        trained_on="the realistic parts and the public questions make eval samples "
        "(python -m bench.train_check)",
    )
    save_model(replace(load_model(args.out), check=check), args.out)
    print(f"wrote {args.out} (threshold {check.threshold:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
