"""The check: a second look at the answer the reading stage gives, by a small logistic model
(answer_model.json's `check`, trained by `python -m bench.train_check`) that decides whether it
stands. It reads the stage's decision against the bar of its question's form (how far the
stage's probability stands above or below service.reading.bars, in log-odds), whether the
question was rewritten from the earlier turns, and the kind of fact asked.

The stage learned its weights from the public questions and from realistic parts the span
reader was fine-tuned on, where its margins are surer than on a question it never read; its
bar's shares for a rewritten follow-up, a question naming only what it asks and a yes/no one were
set by hand. The check learns how often an answer at a given decision is right for each form
of question from every realistic part but the two kept for testing, among them the eight the
reader never read, where its margins are a user's, and from the public questions `make eval`
samples (their articles are not in the reader's training), at half weight. A yes/no answer below
the stage's bar still needs a rule's 是 or 否 (service.answer: AnswerSettings.unbarred).

Measured and left out (as bench.train_check measures, each realistic part from a check trained
without it):
how many of the question's words the cited sentence and the fact's own clause hold, whether the
words it lacks are told elsewhere in the article, the fact's length and measure. On questions as
readers ask them they tell a paraphrase from a neighbour's fact a little, but on the public
questions, written by annotators looking at the paragraph, they cost more wrong answers than
they saved on ours."""

from __future__ import annotations

import math

from service.answer_model import AnswerModel, CheckModel, probability
from service.reading import bars
from service.short_answer import asked_kind

KINDS = ("number", "person", "place", "time", "reason", "yesno")
_EDGE = 1e-4  # a probability this close to 0 or 1 is read as that far from it


def logit(p: float) -> float:
    p = min(max(p, _EDGE), 1.0 - _EDGE)
    return math.log(p / (1.0 - p))


def check_features(
    question: str, rewritten: bool, confidence: float, bar: float
) -> dict[str, float]:
    """What the check reads of an answer to question: the stage's confidence against the bar
    of the question's form, whether it was rewritten from the earlier turns, what it asks."""
    kind = asked_kind(question)
    return {
        "decision": logit(confidence) - logit(bar),
        "rewritten": float(rewritten),
    } | {f"asks_{k}": float(kind == k) for k in KINDS}


def answer_features(
    question: str, rewritten: bool, confidence: float, model: AnswerModel
) -> dict[str, float]:
    """check_features of the reading stage's answer to question at confidence, against the bar
    of the question's form under model's reading stage."""
    if model.read is None:
        raise ValueError("the check reads a reading stage's answer: the model has none")
    bar, _ = bars(model.read.threshold, question, rewritten)
    return check_features(question, rewritten, confidence, bar)


def checked_probability(model: CheckModel, features: dict[str, float]) -> float:
    """The probability that the answer is right, as the check weighs its features."""
    return probability(model.decide.logit(features))
