"""The statement an answer is made of: the clauses of the cited sentence around its fact."""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.short_answer import Span, clause_spans, question_anchors

if TYPE_CHECKING:
    from service.answer import AnswerSettings, Candidate


def statement(question: str, best: Candidate, span: Span | None, settings: AnswerSettings) -> str:
    """The answer's words: the clause holding the fact span (with the subject's clause before
    it), or the whole sentence when it is short or no fact was found in it."""
    if span is None or len(best.text) <= settings.max_answer_chars:
        return best.text
    around = clause_around(best.text, span, question, settings.max_answer_chars)
    return best.text[around.start : around.end]


def clause_around(sentence: str, span: Span, question: str, max_chars: int = 60) -> Span:
    """The clauses of sentence around span, widened towards the question's words while they fit:
    the short statement an answer is made of."""
    clauses = clause_spans(sentence)
    if not clauses:
        return Span(0, len(sentence))
    first = next((i for i, (lo, hi) in enumerate(clauses) if hi > span.start), len(clauses) - 1)
    last = next((i for i, (lo, hi) in enumerate(clauses) if hi >= span.end), len(clauses) - 1)
    lo, hi = clauses[first][0], clauses[last][1]
    anchors = question_anchors(question, sentence)
    # take in the clauses before holding the question's words (the subject), nearest first
    i = first - 1
    while i >= 0 and any(clauses[i][0] <= a < clauses[i][1] for a in anchors):
        if hi - clauses[i][0] > max_chars:
            break
        lo = clauses[i][0]
        i -= 1
    end = hi
    while end < len(sentence) and sentence[end] in "。！？；!?;”’」）)":
        end += 1
    return Span(lo, end)
