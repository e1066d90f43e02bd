"""`wenda eval`: answer evaluation files through the /ask code path and compute CONTRACT.md's figures."""

from __future__ import annotations

import json
import random
import re
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.text import compact, longest_common_substring
from index.modes import Mode
from service.answer import MAX_ANSWER_CHARS
from service.followup import Turn
from service.generate import Generated, Generator, generate_answer
from service.qa import QAService

_MARKER = re.compile(r"\[\d+\]")


class EvalFileError(ValueError):
    """An evaluation file is malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    answerable: bool
    doc_id: str | None = None
    history: tuple[Turn, ...] = ()
    kind: str | None = None


@dataclass(slots=True)
class Outcome:
    question: Question
    hit: bool
    supported: bool
    abstained: bool
    gold_rank: int | None  # 1-based rank of the first passage from the gold article
    answer_chars: int
    latency_ms: float
    short_f1: float = 0.0  # character F1 of short_answer against the best gold (0 without one)
    short_hit: bool = False  # a short_answer of at most 40 characters holding a gold answer
    generation: Generated | None = None  # with a model: what it drafted and the verifier did


@dataclass(slots=True)
class Report:
    name: str
    mode: str
    outcomes: list[Outcome] = field(default_factory=list)

    def figures(self, outcomes: Sequence[Outcome] | None = None) -> dict[str, Any]:
        rows = self.outcomes if outcomes is None else outcomes
        ans = [o for o in rows if o.question.answerable]
        unans = [o for o in rows if not o.question.answerable]
        ranked = [o for o in ans if o.question.doc_id]
        lat = sorted(o.latency_ms for o in rows)
        answered = [o for o in ans if not o.abstained]
        given = [o for o in rows if not o.abstained]

        def share(xs: Sequence[bool]) -> float | None:
            return round(sum(xs) / len(xs), 4) if xs else None

        return {
            "file": self.name,
            "mode": self.mode,
            "questions": len(rows),
            "answerable": len(ans),
            "unanswerable": len(unans),
            "answer_hit": share([o.hit for o in ans]),
            "citation_support": share([o.supported for o in ans]),
            "recall@1": share([o.gold_rank == 1 for o in ranked]),
            "recall@5": share([o.gold_rank is not None and o.gold_rank <= 5 for o in ranked]),
            "mrr": round(sum(1 / o.gold_rank for o in ranked if o.gold_rank) / len(ranked), 4)
            if ranked
            else None,
            "false_abstention": share([o.abstained for o in ans]),
            "abstention_unanswerable": share([o.abstained for o in unans]),
            "wrong_when_answering": share([not (o.question.answerable and o.hit) for o in given]),
            "short_answer_f1": round(100 * statistics.mean(o.short_f1 for o in ans), 1)
            if ans
            else None,
            "short_answer_hit": share([o.short_hit for o in ans]),
            "answer_chars_mean": round(statistics.mean(o.answer_chars for o in answered), 1)
            if answered
            else None,
            "answer_chars_median": round(statistics.median(o.answer_chars for o in answered), 1)
            if answered
            else None,
            "latency_p50_ms": round(percentile(lat, 50), 2) if lat else None,
            "latency_p95_ms": round(percentile(lat, 95), 2) if lat else None,
        } | generation_figures([o.generation for o in rows if o.generation is not None])

    def by_kind(self) -> dict[str, dict[str, Any]]:
        kinds = sorted({o.question.kind for o in self.outcomes if o.question.kind})
        return {k: self.figures([o for o in self.outcomes if o.question.kind == k]) for k in kinds}


def generation_figures(outcomes: Sequence[Generated]) -> dict[str, Any]:
    """With a model: how often it answered, what the verifier did with its drafts (shares of
    the drafts), and how soon its first text and first verified sentence came."""
    if not outcomes:
        return {}
    drafts = [o for o in outcomes if o.drafted]
    tokens = sorted(o.first_token_ms for o in outcomes if o.first_token_ms is not None)
    sentences = sorted(o.first_sentence_ms for o in outcomes if o.first_sentence_ms is not None)

    def of_drafts(xs: Sequence[bool]) -> float | None:
        return round(sum(xs) / len(drafts), 4) if drafts else None

    def p(values: Sequence[float], pct: float) -> float | None:
        return round(percentile(values, pct), 1) if values else None

    return {
        "model": outcomes[0].model,
        "answered_by_model": round(
            sum(o.answered_by == "generated" for o in outcomes) / len(outcomes), 4
        ),
        "drafts": len(drafts),
        "drafts_kept_whole": of_drafts(
            [o.answered_by == "generated" and not o.cut for o in drafts]
        ),
        "drafts_cut": of_drafts([o.cut for o in drafts]),
        "drafts_replaced": of_drafts([o.replaced for o in drafts]),
        "drafts_declined": of_drafts([o.declined for o in drafts]),
        "model_failed": sum(o.failed for o in outcomes),
        "first_token_p50_ms": p(tokens, 50),
        "first_token_p95_ms": p(tokens, 95),
        "first_sentence_p50_ms": p(sentences, 50),
        "first_sentence_p95_ms": p(sentences, 95),
    }


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    pos = (len(sorted_values) - 1) * pct / 100
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def read_questions(path: Path) -> list[Question]:
    questions: list[Question] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                history = tuple(Turn(t["role"], t["content"]) for t in r.get("history") or ())
                questions.append(
                    Question(
                        id=str(r["id"]),
                        question=str(r["question"]),
                        answers=tuple(r.get("answers") or ()),
                        answerable=bool(r["answerable"]),
                        doc_id=r.get("doc_id"),
                        history=history,
                        kind=r.get("kind"),
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise EvalFileError(
                    f"{path}:{lineno}: not an evaluation line ({exc}); see CONTRACT.md"
                ) from exc
    return questions


def contains_gold(text: str, answers: Sequence[str]) -> bool:
    norm = compact(text)
    return any(compact(g) and compact(g) in norm for g in answers)


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def char_f1(prediction: str, gold: str) -> float:
    """CMRC 2018's measure: F1 of the longest common substring, punctuation and spaces removed."""
    p, g = _PUNCT.sub("", compact(prediction)), _PUNCT.sub("", compact(gold))
    if not p or not g:
        return 0.0
    n = longest_common_substring(p, g)[2]
    if n == 0:
        return 0.0
    precision, recall = n / len(p), n / len(g)
    return 2 * precision * recall / (precision + recall)


def judge(question: Question, result: Any, latency_ms: float) -> Outcome:
    a = result.answer
    plain = _MARKER.sub("", a.text)
    hit = (
        question.answerable
        and not a.abstained
        and len(plain) <= MAX_ANSWER_CHARS
        and contains_gold(plain, question.answers)
    )
    supported = hit and any(contains_gold(c.text, question.answers) for c in a.citations)
    gold_rank = next(
        (i for i, h in enumerate(result.hits, 1) if h.chunk.doc_id == question.doc_id), None
    )
    short = a.short.text if a.short and not a.abstained and question.answerable else ""
    return Outcome(
        question,
        hit,
        supported,
        a.abstained,
        gold_rank,
        len(plain),
        latency_ms,
        short_f1=max((char_f1(short, g) for g in question.answers), default=0.0) if short else 0.0,
        short_hit=bool(short) and len(short) <= 40 and contains_gold(short, question.answers),
    )


def sample_of(questions: list[Question], size: int | None) -> list[Question]:
    """size questions drawn with a fixed seed, in file order (all when size is None)."""
    if size is None or size >= len(questions):
        return questions
    return [questions[i] for i in sorted(random.Random(0).sample(range(len(questions)), size))]


def evaluate(
    service: QAService, path: Path, mode: Mode, top_k: int = 5, sample: int | None = None
) -> Report:
    report = Report(path.name, mode)
    for q in sample_of(read_questions(path), sample):
        t0 = time.perf_counter()
        result = service.ask(q.question, q.history, top_k, mode)
        report.outcomes.append(judge(q, result, (time.perf_counter() - t0) * 1000))
    return report


def evaluate_generated(
    service: QAService,
    path: Path,
    generator: Generator,
    mode: Mode,
    top_k: int = 5,
    sample: int | None = None,
) -> tuple[Report, Report]:
    """The extractive and the generated answers to the same questions, side by side, through
    the code path of /ask with a model (service.generate.answer_stream): the extractive one's
    latency is its own retrieval and picking, the generated one's the whole answer."""
    extractive, generated = Report(path.name, mode), Report(path.name, "generated")
    for q in sample_of(read_questions(path), sample):
        t0 = time.perf_counter()
        outcome = generate_answer(service, q.question, q.history, top_k, None, generator, mode)
        wall = (time.perf_counter() - t0) * 1000
        assert outcome.extractive is not None
        picked = outcome.extractive
        extractive.outcomes.append(judge(q, picked, picked.timings_ms.get("total", wall)))
        judged = judge(q, outcome.result, wall)
        judged.generation = outcome
        generated.outcomes.append(judged)
    return extractive, generated


COLUMNS = (
    ("answer_hit", "answer hit"),
    ("citation_support", "citation support"),
    ("recall@1", "recall@1"),
    ("recall@5", "recall@5"),
    ("mrr", "MRR"),
    ("false_abstention", "false abstention"),
    ("abstention_unanswerable", "abstained (unanswerable)"),
    ("wrong_when_answering", "wrong when answering"),
    ("short_answer_f1", "short answer F1"),
    ("short_answer_hit", "short answer hit"),
    ("answer_chars_median", "answer chars (median)"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
)


GENERATION_COLUMNS = (
    ("answered_by_model", "answered by the model"),
    ("drafts", "drafts"),
    ("drafts_kept_whole", "kept whole"),
    ("drafts_cut", "cut"),
    ("drafts_replaced", "replaced"),
    ("drafts_declined", "declined"),
    ("model_failed", "model failed"),
    ("first_token_p50_ms", "first token p50 ms"),
    ("first_token_p95_ms", "first token p95 ms"),
    ("first_sentence_p50_ms", "first verified sentence p50 ms"),
    ("first_sentence_p95_ms", "first verified sentence p95 ms"),
)
# figures shown as they are, not as a share with three decimals
_AS_IS = ("answer_chars_median", "short_answer_f1", "drafts", "model_failed")


def markdown_table(
    rows: Sequence[dict[str, Any]],
    label: str = "mode",
    columns: Sequence[tuple[str, str]] = COLUMNS,
) -> str:
    head = f"| {label} | questions | " + " | ".join(c[1] for c in columns) + " |"
    sep = "|---|---:|" + "---:|" * len(columns)
    lines = [head, sep]
    for r in rows:
        cells = [
            "–"
            if r.get(k) is None
            else f"{r[k]:.3f}"
            if isinstance(r[k], float) and k not in _AS_IS and not k.endswith("_ms")
            else str(r[k])
            for k, _ in columns
        ]
        lines.append(f"| {r[label]} | {r['questions']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
