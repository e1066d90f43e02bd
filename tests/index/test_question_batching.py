"""QuestionBatcher (index/embedder.py): questions asked at once share one pass of the encoder,
each gets its own vector, at most `passes` passes run at a time, and a failed pass fails only
its own callers."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.embedder import QuestionBatcher


class SlowEncoder:
    """A vector that names its text, after a pause; records each pass and how many overlap."""

    def __init__(self, seconds: float = 0.05, fail_on: str | None = None) -> None:
        self.seconds = seconds
        self.fail_on = fail_on
        self.passes: list[list[str]] = []
        self.running = 0
        self.most_running = 0
        self.lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self.lock:
            self.passes.append(list(texts))
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
        if self.fail_on in texts:
            raise RuntimeError("encoder broke")
        return np.array([[float(t.removeprefix("q"))] for t in texts], dtype=np.float32)


def ask_at_once(batcher: QuestionBatcher, texts: list[str]) -> list[object]:
    def ask(text: str) -> object:
        try:
            return float(batcher(text)[0])
        except RuntimeError as exc:
            return str(exc)

    with ThreadPoolExecutor(len(texts)) as pool:
        return list(pool.map(ask, texts))


def test_questions_asked_at_once_share_passes_and_each_gets_its_own_vector() -> None:
    encoder = SlowEncoder()
    batcher = QuestionBatcher(encoder, max_batch=4, passes=2)
    texts = [f"q{i}" for i in range(12)]

    answers = ask_at_once(batcher, texts)

    assert answers == [float(i) for i in range(12)]
    assert len(encoder.passes) < len(texts)
    assert max(len(p) for p in encoder.passes) <= 4
    assert encoder.most_running <= 2
    assert sorted(t for p in encoder.passes for t in p) == sorted(texts)  # each once


def test_a_lone_question_is_embedded_at_once() -> None:
    encoder = SlowEncoder(seconds=0.0)
    batcher = QuestionBatcher(encoder, passes=1)

    assert float(batcher("q7")[0]) == 7.0
    assert float(batcher("q8")[0]) == 8.0
    assert encoder.passes == [["q7"], ["q8"]]


def test_a_failed_pass_fails_its_own_questions_and_the_next_ones_are_answered() -> None:
    encoder = SlowEncoder(fail_on="q3")
    batcher = QuestionBatcher(encoder, max_batch=8, passes=1)

    answers = ask_at_once(batcher, [f"q{i}" for i in range(6)])

    failed_pass = next(p for p in encoder.passes if "q3" in p)
    for text, answer in zip([f"q{i}" for i in range(6)], answers, strict=True):
        expected = "encoder broke" if text in failed_pass else float(text[1:])
        assert answer == expected
    assert float(batcher("q9")[0]) == 9.0  # nothing left stuck
    with pytest.raises(RuntimeError, match="encoder broke"):
        batcher("q3")
