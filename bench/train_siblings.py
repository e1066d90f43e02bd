"""Weigh the siblings reader's margin in the decision (the `siblings` of service/answer_model.json's
`read`): a logistic model over the reading stage's logit and the margin of the siblings reader
(service/reader_siblings.npz) on the unit the service cites, and the threshold at which as small
a share of the answers given is wrong as with the stage alone on the same questions.

The siblings reader is the shipped reader fine-tuned one epoch more with each realistic question
also asked of a neighbour of what its answer unit names (大货车 for 小型客车, another county of
its article), that unit its no answer (session 43, about 55 minutes on two threads after 6 for
the frozen states; held-out character F1 77.7 on CMRC 2018's gold units, margin AUC 0.965):

    python -m bench.train_reader --init service/reader_model.npz --first 2 --realistic 2 \
        --sample 4000 --epochs 1 --siblings --leads --without realistic29 realistic30 \
        realistic31 realistic32 realistic33 --out service/reader_siblings.npz
    python -m bench.train_siblings        # about 6 minutes: parts 29-33 asked through the service

Alone it refuses too much (bench.train_reader's docstring: fewer right answers for each wrong
one it saved); beside the shipped reader it tells the neighbour's fact from the one asked. The
questions are those of the realistic parts that neither reader nor the stage has read (parts
29-33, trained=True in bench/realistic/parts.py but left out of every training since), asked
through the service with no bar (QAService.ask), the stage alone deciding: each answered one
gives the stage's logit, the siblings reader's margin on the cited unit (the reader's own where
the siblings reader could not read it) and whether the answer holds the gold.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.realistic.parts import PARTS
from service.answer import yes_no_verdict
from service.answer_model import (
    SIBLING_MARGIN,
    STAGE,
    AnswerModel,
    Logistic,
    ReadModel,
    load_model,
    save_model,
)
from service.evaluate import judge, read_questions
from service.evidence import standard_question
from service.operations import eval_service, make_settings, ready_embedder
from service.reader import Reading
from service.reading import bars, sibling_margin
from service.settings import PROJECT_ROOT

FIT_PARTS = ("realistic29", "realistic30", "realistic31", "realistic32", "realistic33")


@dataclass(frozen=True, slots=True)
class Asked:
    """One question the service answered with no bar: what the threshold is chosen on."""

    question: str  # as answered (a follow-up resolved)
    rewritten: bool
    decided: bool  # a yes/no answer whose fact says 是 or 否 plainly (reading.bars' lower bar)
    stage: float  # the stage's logit
    sibling: float  # the siblings reader's margin on the cited unit
    right: bool  # answerable, and the answer holds its gold


def ask_parts(model: AnswerModel, names: tuple[str, ...], data_dir: Path) -> list[Asked]:
    """Every question of the named realistic parts asked through the service with no bar, the
    stage of model (its read) alone deciding; those it answered."""
    assert model.read is not None
    stage_only = replace(model, read=replace(model.read, siblings=None))
    settings = make_settings(data_dir=data_dir, min_confidence=0.0)
    embedder = ready_embedder(settings)
    out: list[Asked] = []
    for part in (p for p in PARTS if p.name in names):
        service, _ = eval_service(settings, embedder, [part.articles])
        service.model = stage_only
        read = service.read()
        assert read is not None, "the span reader is off (WENDA_READER)"
        seen: dict[str, Reading | None] = {}

        def recording(question: str, text: str, lead: str) -> Reading | None:
            seen[text] = found = read(question, text, lead)  # noqa: B023 (this part's reader)
            return found

        service._read = recording
        for q in read_questions(part.questions):
            seen.clear()
            result = service.ask(q.question, q.history)
            answer = result.answer
            if answer.abstained:
                continue
            question = standard_question(result.question)  # as compose_answer reads it
            p = min(max(answer.confidence, 1e-4), 1 - 1e-4)
            out.append(
                Asked(
                    question=question,
                    rewritten=result.question != q.question.strip(),
                    decided=yes_no_verdict(question, answer.short, doubtful=True) is not None,
                    stage=math.log(p / (1 - p)),
                    sibling=sibling_margin(seen.get(answer.citations[0].text)),
                    right=judge(q, result, 0.0).hit,
                )
            )
        print(f"{part.name}: {len(out)} answered so far")
    return out


def answers_at(asked: list[Asked], probs: np.ndarray, threshold: float) -> tuple[int, int]:
    """Right and wrong answers left at threshold (each question's own bar, reading.bars)."""
    right = wrong = 0
    for a, p in zip(asked, probs, strict=True):
        bar, decided_bar = bars(threshold, a.question, a.rewritten)
        if p >= (decided_bar if a.decided else bar):
            right += a.right
            wrong += not a.right
    return right, wrong


def fit(asked: list[Asked], model_threshold: float) -> tuple[Logistic, float]:
    """The siblings model and its threshold: the lowest (in thousandths) at which the share of
    wrong answers among those given on asked is at most the stage's at its own threshold."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[a.stage, a.sibling] for a in asked])
    y = np.array([a.right for a in asked])
    lr = LogisticRegression(C=1.0).fit(x, y)
    (w_stage, w_sibling), bias = lr.coef_[0], float(lr.intercept_[0])
    siblings = Logistic((STAGE, SIBLING_MARGIN), (w_stage, w_sibling), (0.0, 0.0), (1.0, 1.0), bias)
    right, wrong = answers_at(asked, 1 / (1 + np.exp(-x[:, 0])), model_threshold)
    probs = lr.predict_proba(x)[:, 1]

    def within(threshold: float) -> bool:
        r, w = answers_at(asked, probs, threshold)
        return w * (right + wrong) <= wrong * (r + w)

    threshold = min((t / 1000 for t in range(300, 1000) if within(t / 1000)), default=0.999)
    after = answers_at(asked, probs, threshold)
    print(
        f"{len(asked)} answered with no bar; at the stage's threshold {model_threshold}: "
        f"{right} right / {wrong} wrong; with the siblings reader at {threshold}: "
        f"{after[0]} right / {after[1]} wrong; weights stage {w_stage:.3f}, "
        f"sibling margin {w_sibling:.3f}, bias {bias:.3f}"
    )
    return siblings, threshold


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", nargs="+", default=list(FIT_PARTS), metavar="PART")
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT / "data")
    args = parser.parse_args(argv)
    model = load_model()
    assert model.read is not None, "train the reading stage first (bench.train_reading)"
    asked = ask_parts(model, tuple(args.parts), args.data_dir)
    siblings, threshold = fit(asked, model.read.threshold)
    read = ReadModel(model.read.decide, model.read.threshold, siblings, threshold)
    save_model(replace(model, read=read))
    print("wrote service/answer_model.json")


if __name__ == "__main__":
    main()
