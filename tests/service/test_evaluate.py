"""`wenda eval`'s figures with a model: generated answers beside the extractive ones from the
same run, and what the verifier did with the drafts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from service.evaluate import evaluate, evaluate_generated
from service.qa import QAService
from service.settings import Settings
from tests.service.test_generate import ScriptedGenerator

QUESTIONS = [
    ("q1", "截至11月底,武陵区城镇新增就业多少人?", ["8210"], True),
    ("q2", "武陵区发放了多少笔创业担保贷款?", ["122"], True),
    ("q3", "安化县的县长是谁?", [], False),
]


class CopyingGenerator:
    """A model that answers with its first evidence sentence, cited: always supported."""

    name = "copying"

    def stream(self, messages: Sequence[Mapping[str, str]]) -> Iterator[str]:
        first = re.search(r"^\[1\]（《[^》]*》）(.*)$", messages[1]["content"], re.M)
        assert first is not None
        yield first.group(1).rstrip("。") + "[1]。"


@pytest.fixture
def service(seed_settings: Settings, fake_embedder: object) -> QAService:
    return QAService.load(seed_settings, fake_embedder)  # type: ignore[arg-type]


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    path = tmp_path / "q.jsonl"
    rows = [{"id": i, "question": q, "answers": a, "answerable": ok} for i, q, a, ok in QUESTIONS]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_extractive_side_matches_plain_eval(service: QAService, questions: Path) -> None:
    extractive, generated = evaluate_generated(service, questions, CopyingGenerator(), "hybrid")
    alone = evaluate(service, questions, "hybrid").figures()
    side = extractive.figures()
    for name in ("answer_hit", "citation_support", "wrong_when_answering", "short_answer_f1"):
        assert side[name] == alone[name], name
    assert "drafts" not in side  # the extractive figures are those of a run without a model
    figures = generated.figures()
    assert figures["mode"] == "generated" and figures["model"] == "copying"


def test_supported_drafts_answer_and_are_counted_whole(service: QAService, questions: Path) -> None:
    _, generated = evaluate_generated(service, questions, CopyingGenerator(), "hybrid")
    figures = generated.figures()
    answered = [o for o in generated.outcomes if not o.abstained]
    assert figures["drafts"] == len(answered) >= 2  # the abstained question is not drafted
    assert figures["drafts_kept_whole"] == 1.0 and figures["drafts_replaced"] == 0.0
    assert figures["answered_by_model"] == round(len(answered) / len(QUESTIONS), 4)
    assert figures["first_token_p50_ms"] is not None
    assert figures["first_sentence_p50_ms"] >= figures["first_token_p50_ms"]


def test_unsupported_drafts_are_counted_replaced(service: QAService, questions: Path) -> None:
    inventing = ScriptedGenerator("王芳说新增就业9999人[1]。")
    extractive, generated = evaluate_generated(service, questions, inventing, "hybrid")
    figures = generated.figures()
    assert figures["drafts"] >= 2 and figures["drafts_replaced"] == 1.0
    assert figures["answered_by_model"] == 0.0 and figures["first_sentence_p50_ms"] is None
    # every answer is the extractive one, so the hits are the same
    assert figures["answer_hit"] == extractive.figures()["answer_hit"]


def test_declines_and_cuts_are_told_apart(service: QAService, questions: Path) -> None:
    _, declined = evaluate_generated(service, questions, ScriptedGenerator("无法回答。"), "hybrid")
    assert declined.figures()["drafts_declined"] == 1.0
    cutting = ScriptedGenerator("武陵区城镇新增就业8210人[1]。李明说就业很好[1]。")
    _, cut = evaluate_generated(service, questions, cutting, "hybrid", sample=1)
    assert len(cut.outcomes) == 1
    outcome = cut.outcomes[0].generation
    assert outcome is not None
    if outcome.answered_by == "generated":  # evidence [1] of q1 holds 8210
        assert cut.figures()["drafts_cut"] == 1.0
    else:
        assert cut.figures()["drafts_replaced"] == 1.0
