"""Real `wenda serve` processes on 127.0.0.1 and /ask load against them, one at a time and from several clients."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.perf.common import CLIENTS, VARIANTS, Budget, ask_body, log, pct, peak_rss
from bench.perf.process import free_port, running
from index.modes import MODES
from service.evaluate import Question


@dataclass(slots=True)
class Server:
    url: str
    pid: int
    startup_s: float
    rss_ready: int


@contextlib.contextmanager
def serve(
    data_dir: Path, mode: str, logfile: Path, variant: str = "", timeout: float = 900
) -> Iterator[Server]:
    """A real `wenda serve` on 127.0.0.1 over data_dir in mode, with the environment of
    VARIANTS[variant]; stopped on exit."""
    import psutil

    port = free_port()
    wenda = Path(sys.executable).with_name("wenda")
    env = {**os.environ, "WENDA_MODE": mode, "WENDA_DATA_DIR": str(data_dir)}
    env.update(VARIANTS[variant])
    cmd = [str(wenda), "serve", "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    with running(
        [*cmd, "--data-dir", str(data_dir)],
        logfile,
        f"{url}/healthz",
        env,
        seconds=timeout,
        every=0.25,
        stop_seconds=30,
    ) as proc:
        startup = time.perf_counter() - t0
        yield Server(url, proc.pid, startup, psutil.Process(proc.pid).memory_info().rss)


@dataclass(slots=True)
class HttpRun:
    corpus: str
    chunks: int
    mode: str
    clients: int
    requests: int
    errors: int
    wall_s: float
    latency_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)  # the service's own timings_ms.total
    startup_s: float = 0.0
    rss_ready: int = 0
    rss_peak: int = 0
    variant: str = ""  # a key of VARIANTS: how the server's threads were set up

    @property
    def label(self) -> str:
        return f"{self.mode}, {self.variant}" if self.variant else self.mode

    @property
    def rps(self) -> float:
        return len(self.latency_ms) / self.wall_s

    def p(self, q: float) -> float:
        return pct(self.latency_ms, q)


def post_ask(client: Any, url: str, q: Question) -> tuple[float, float] | None:
    body = ask_body(q)
    t0 = time.perf_counter()
    resp = client.post(f"{url}/ask", json=body)
    ms = (time.perf_counter() - t0) * 1000
    if resp.status_code != 200:
        return None
    return ms, float(resp.json()["timings_ms"]["total"])


def load_ask(
    server: Server, questions: Sequence[Question], requests: int, clients: int, run: HttpRun
) -> None:
    """requests /ask calls spread over clients threads (each with its own connection)."""
    import httpx

    lock = threading.Lock()
    counter = iter(range(requests))

    def client_loop() -> None:
        with httpx.Client(timeout=120) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                got = post_ask(client, server.url, questions[i % len(questions)])
                with lock:
                    if got is None:
                        run.errors += 1
                    else:
                        run.latency_ms.append(got[0])
                        run.server_ms.append(got[1])

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for f in [pool.submit(client_loop) for _ in range(clients)]:
            f.result()
    run.wall_s = time.perf_counter() - t0


def measure_server(
    corpus: str,
    chunks: int,
    data_dir: Path,
    mode: str,
    questions: Sequence[Question],
    counts: tuple[int, int],
    logfile: Path,
    variant: str = "",
) -> list[HttpRun]:
    """One server: warm-up, then one client, then CLIENTS concurrent clients."""
    import httpx

    runs: list[HttpRun] = []
    with serve(data_dir, mode, logfile, variant) as server:
        with httpx.Client(timeout=120) as client:
            for q in questions[:5]:
                post_ask(client, server.url, q)
        for clients, n in ((1, counts[0]), (CLIENTS, counts[1])):
            run = HttpRun(corpus, chunks, mode, clients, n, 0, 0.0, variant=variant)
            load_ask(server, questions, n, clients, run)
            run.startup_s, run.rss_ready = server.startup_s, server.rss_ready
            run.rss_peak = peak_rss(server.pid)
            runs.append(run)
            log(
                f"http {corpus} {run.label} x{clients}: p50 {run.p(50):.1f} ms, p95 {run.p(95):.1f} ms, "
                f"{run.rps:.1f} req/s, {run.errors} errors"
            )
    return runs


def bench_http(
    seed_dir: Path,
    seed_chunks: int,
    cmrc_dir: Path,
    cmrc_chunks: int,
    seed_q: list[Question],
    cmrc_q: list[Question],
    work: Path,
    budget: Budget,
) -> list[HttpRun]:
    runs: list[HttpRun] = []
    counts = (budget.sequential, budget.concurrent)
    for corpus, data_dir, chunks, qs in (
        ("seed page", seed_dir, seed_chunks, seed_q),
        ("CMRC 2018", cmrc_dir, cmrc_chunks, cmrc_q),
    ):
        for mode in MODES:
            logfile = work / f"serve-{corpus.split()[0]}-{mode}.log"
            runs += measure_server(corpus, chunks, data_dir, mode, qs, counts, logfile)
    for variant in list(VARIANTS)[1:]:
        logfile = work / f"serve-CMRC-{variant.split()[0]}.log"
        runs += measure_server(
            "CMRC 2018", cmrc_chunks, cmrc_dir, "hybrid", cmrc_q, counts, logfile, variant
        )
    return runs
