"""Sentence embeddings: the small interface the index depends on, and the real e5 model behind it."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

E5_NAME = "multilingual-e5-small"


class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...  # float32, L2-normalised

    def embed_query(self, text: str) -> np.ndarray: ...


def cpu_has_amx() -> bool:
    """AMX tiles: where bfloat16 matrix products beat float32 outright. With AVX512_BF16 alone
    the conversions around every other operation eat the gain, so `auto` stays float32."""
    try:
        return "amx_bf16" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def vectors_name(embedder: Embedder) -> str:
    """What embedding-cache entries are keyed by: the model's name, and its precision where it
    embeds in bfloat16 (those vectors differ a little from float32's, and neither may stand in
    for the other when WENDA_EMBED_DTYPE changes)."""
    return f"{embedder.name}@bfloat16" if getattr(embedder, "bfloat16", False) else embedder.name


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """float32 rows of length 1: bfloat16 models normalise only to bfloat16 precision."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.ascontiguousarray(v / np.maximum(norms, 1e-12))


class ModelDamaged(RuntimeError):
    """The model folder is there but cannot be loaded (a truncated or garbled file)."""


def damaged(model_dir: Path, exc: Exception) -> ModelDamaged:
    reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return ModelDamaged(
        f"the embedding model {model_dir.name} cannot be loaded ({reason}): "
        "delete its folder and run `wenda model` to convert it again"
    )


class _Waiting:
    """One question: its vector or error once a pass is done, or woken without either to lead
    the next pass."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None
        self.woken = threading.Event()


class QuestionBatcher:
    """Questions asked at the same time embedded in one pass: a caller embeds at once while
    fewer than `passes` passes run (no waiting when the server is idle; one pass a core, as a
    pass runs on one thread); those arriving meanwhile queue, and when a pass ends the first of
    them leads the next, for all queued then (up to max_batch). One pass reads the encoder's
    weights once for all its questions: with ONNX Runtime 9 questions took 115 ms in one pass
    against 16 ms each alone (with the numpy pass before it, 8 took 125 ms against 265)."""

    def __init__(
        self,
        embed_many: Callable[[list[str]], np.ndarray],
        max_batch: int = 8,
        passes: int = max(1, min(os.cpu_count() or 1, 2)),
    ) -> None:
        self.embed_many = embed_many
        self.max_batch = max_batch
        self.passes = passes
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._running = 0

    def __call__(self, text: str) -> np.ndarray:
        me = _Waiting(text)
        with self._lock:
            lead = self._running < self.passes
            if lead:
                self._running += 1
            else:
                self._queue.append(me)
        if not lead:
            me.woken.wait()  # done in another's pass, or taken off the queue to lead the next
        if me.vector is None and me.error is None:
            self._pass(me)
        if me.error is not None:
            raise me.error
        assert me.vector is not None
        return me.vector

    def _pass(self, leader: _Waiting) -> None:
        """One pass for leader and the first ones queued; then the next queued one leads."""
        with self._lock:
            take = self.max_batch - 1
            batch, self._queue = [leader, *self._queue[:take]], self._queue[take:]
        try:
            vectors = self.embed_many([w.text for w in batch])
            for waiting, vector in zip(batch, vectors, strict=True):
                waiting.vector = vector
        except BaseException as exc:  # each caller raises it
            for waiting in batch:
                waiting.error = exc
        with self._lock:
            following = self._queue.pop(0) if self._queue else None
            if following is None:
                self._running -= 1
        for waiting in batch[1:]:
            waiting.woken.set()
        if following is not None:
            following.woken.set()


class E5Embedder:
    """multilingual-e5-small: passages through sentence-transformers (torch, batched), questions
    through index/e5_numpy.py (ONNX Runtime, no torch), each loaded on first use, so a server
    that only answers never loads torch. `threads` (0: torch's default) sets torch's threads."""

    name = E5_NAME
    dim = 384

    def __init__(
        self, model_dir: Path, dtype: str = "auto", batch_size: int = 16, threads: int = 0
    ) -> None:
        self.model_dir = Path(model_dir)
        self.dtype = dtype
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None
        self._questions: Any = None
        self._batcher = QuestionBatcher(lambda texts: self.questions.embed_many(texts, "query"))

    @property
    def bfloat16(self) -> bool:
        """Whether passages are embedded in bfloat16 (asked, or `auto` on a CPU with AMX)."""
        return self.dtype == "bfloat16" or (self.dtype == "auto" and cpu_has_amx())

    @property
    def model(self) -> Any:
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            if self.threads:
                torch.set_num_threads(self.threads)
            torch_dtype = torch.bfloat16 if self.bfloat16 else torch.float32
            try:
                self._model = SentenceTransformer(
                    str(self.model_dir),
                    device="cpu",
                    local_files_only=True,
                    model_kwargs={"dtype": torch_dtype},
                )
            except Exception as exc:  # each file of the folder fails its own way when damaged
                raise damaged(self.model_dir, exc) from exc
        return self._model

    @property
    def questions(self) -> Any:
        if self._questions is None:
            from threadpoolctl import threadpool_limits

            from index.e5_numpy import NumpyE5

            # numpy's BLAS on one thread for the whole process: a server's products are small
            # (a question against a few unit rows), and OpenBLAS's idle second thread spins
            # waiting for a core the other questions hold (with the numpy encoder pass of
            # before: 453 ms a question against 40 ms on this 2-core EPYC under load). The
            # encoder itself runs in ONNX Runtime on one thread (index/e5_numpy.py).
            threadpool_limits(1, user_api="blas")
            try:
                self._questions = NumpyE5(self.model_dir)
            except Exception as exc:
                raise damaged(self.model_dir, exc) from exc
        return self._questions

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            list(texts),
            prompt_name="passage",
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return unit_rows(vecs)

    def embed_query(self, text: str) -> np.ndarray:
        return self._batcher(text)
