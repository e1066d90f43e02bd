"""Shared by the bench tools: budgets and constants, logging, the percentile and question reader `wenda eval` uses, timing helpers."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss

from service.evaluate import Question, percentile
from service.evaluate import read_questions as evaluation_questions

SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)
PROFILE_SIZE = 100_000
# per-dimension sigma of the noise added to a copied vector: cosine to its source ≈ 0.95, about
# as close as neighbouring passages of one CMRC article (mean nearest-neighbour cosine 0.94)
NOISE_SIGMA = 0.0168
CLIENTS = 8
# server environments compared: torch and FAISS each run one OpenMP team per question, and
# OpenMP threads spin while they wait; on 2 shared cores that spinning competes with the work
VARIANTS: dict[str, dict[str, str]] = {
    "": {},
    "passive wait": {"OMP_WAIT_POLICY": "PASSIVE"},
    "1 thread": {"OMP_NUM_THREADS": "1", "WENDA_TORCH_THREADS": "1"},
}
MEMORY_MARGIN = 3 * 2**30  # left free for the other processes on the machine
SEED = 20261125


@dataclass(frozen=True, slots=True)
class Budget:
    """How much each section measures; --quick shrinks all of it for a smoke run."""

    cold_articles: int = 100
    sequential: int = 150  # /ask requests one at a time, per server
    concurrent: int = 240  # /ask requests from CLIENTS threads, per server
    scale_sequential: int = 100
    scale_concurrent: int = 160
    queries: int = 200  # question vectors for FAISS timings and recall
    searches: int = 100  # Retriever.search / QAService.ask calls per size and mode
    sizes: tuple[int, ...] = SIZES


QUICK = Budget(
    cold_articles=40,
    sequential=30,
    concurrent=48,
    scale_sequential=20,
    scale_concurrent=32,
    queries=50,
    searches=20,
    sizes=QUICK_SIZES,
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (linear, as `wenda eval` computes it); NaN for no values."""
    return percentile(sorted(values), q) if values else float("nan")


def folder_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def peak_rss(pid: int) -> int:
    """VmHWM: the most resident memory the process has held (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


# ---------------------------------------------------------------- machine and inputs


def read_questions(path: Path, limit: int) -> list[Question]:
    """The first limit questions of an evaluation file, read as `wenda eval` reads them."""
    return evaluation_questions(path)[:limit]


def ask_body(q: Question) -> dict[str, Any]:
    """The /ask request body of an evaluation question."""
    body: dict[str, Any] = {"question": q.question}
    if q.history:
        body["history"] = [{"role": t.role, "content": t.content} for t in q.history]
    return body


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """(milliseconds, result) of one call."""
    t0 = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t0) * 1000, out


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """torch, BLAS and FAISS on one thread: in-process timings of the work itself, not of
    OpenMP threads waiting for a share of 2 busy cores."""
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads(), faiss.omp_get_max_threads()
    torch.set_num_threads(1)
    faiss.omp_set_num_threads(1)
    try:
        with threadpool_limits(1):
            yield
    finally:
        torch.set_num_threads(before[0])
        faiss.omp_set_num_threads(before[1])
