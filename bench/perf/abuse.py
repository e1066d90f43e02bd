"""Abuse: what the largest valid requests, huge bodies and many connections do to ordinary
questions on a real `wenda serve` (issue 15). A section of `make bench`; alone:

    python -m bench.perf.abuse --out docs/benchmarks.md   # its section there and in the JSON

1. ordinary questions one at a time, unloaded, then while 4 clients send the largest valid
   request (a 2,000-character question and 20 history turns, just under the body limit);
2. a 100 MB body, declared and chunked: 413, and the server's RSS before and after;
3. 64 connections asking at once: how long each waited, and how many got the fast 503.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.perf.build import seed_index
from bench.perf.common import ask_body, pct, read_questions
from bench.perf.machine import machine
from bench.perf.server import serve
from service.evaluate import Question
from service.settings import PROJECT_ROOT, Settings

LARGE_CLIENTS = 4
CONNECTIONS = 64
HUGE_BYTES = 100 * 1024 * 1024
ORDINARY = 60  # ordinary questions timed in each condition


@dataclass(slots=True)
class Abuse:
    cpu: str
    cpus: int
    large_body_bytes: int = 0
    unloaded_ms: list[float] = field(default_factory=list)
    loaded_ms: list[float] = field(default_factory=list)
    loaded_failed: int = 0
    # plain dicts: dataclasses.asdict rebuilds a Counter from (key, value) pairs, counting them
    large_statuses: dict[int, int] = field(default_factory=dict)
    large_ms: list[float] = field(default_factory=list)
    huge: list[tuple[str, int, float, int, int]] = field(
        default_factory=list
    )  # how, status, s, rss
    burst_statuses: dict[int, int] = field(default_factory=dict)
    burst_ms: list[float] = field(default_factory=list)
    burst_503_ms: list[float] = field(default_factory=list)
    # of the answered ones: the wait for a slot (Server-Timing) and the time beyond their own
    # compute (timings_ms.total), i.e. every wait: before the server read it, for a slot, after
    burst_queue_ms: list[float] = field(default_factory=list)
    burst_beyond_ms: list[float] = field(default_factory=list)
    burst_cpu_s: float = 0.0  # the server's CPU seconds during the burst
    burst_wall_s: float = 0.0
    load: tuple[float, ...] = ()  # the machine's load average when done
    alone: str = ""  # when and at which commit it ran by itself, not as a part of `make bench`

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Abuse:
        """From its JSON (docs/benchmarks.json's "abuse")."""
        res = cls(**raw)
        res.large_statuses = {int(k): v for k, v in raw["large_statuses"].items()}
        res.burst_statuses = {int(k): v for k, v in raw["burst_statuses"].items()}
        res.huge = [tuple(h) for h in raw["huge"]]  # type: ignore[misc]
        return res


def largest_valid_request(limit: int) -> dict[str, Any]:
    """A 2,000-character question and 20 history turns, as long as fits under limit bytes."""
    question = ("请详细说明武陵区发放创业担保贷款的情况" * 120)[:2000]
    body: dict[str, Any] = {"question": question, "history": []}
    size = len(json.dumps(body).encode())
    # json.dumps escapes each CJK character as \\uXXXX: 6 bytes
    turn_chars = min(20000, (limit - size - 20 * 60) // (20 * 6))
    for i in range(20):
        role = "user" if i % 2 == 0 else "assistant"
        body["history"].append({"role": role, "content": ("那创业培训呢" * 4000)[:turn_chars]})
    assert len(json.dumps(body).encode()) < limit
    return body


def ask(client: Any, url: str, q: Question) -> tuple[int, float]:
    t0 = time.perf_counter()
    status = client.post(f"{url}/ask", json=ask_body(q)).status_code
    return status, (time.perf_counter() - t0) * 1000


def ordinary(url: str, questions: Sequence[Question], n: int) -> tuple[list[float], int]:
    """n ordinary questions one at a time: their latencies (200s) and how many failed."""
    import httpx

    done, failed = [], 0
    with httpx.Client(timeout=120) as client:
        ask(client, url, questions[0])  # warm the connection
        for i in range(n):
            status, ms = ask(client, url, questions[i % len(questions)])
            if status == 200:
                done.append(ms)
            else:
                failed += 1
    return done, failed


def rss(pid: int) -> int:
    import psutil

    return int(psutil.Process(pid).memory_info().rss)


def huge_body(url: str, pid: int, chunked: bool) -> tuple[str, int, float, int, int]:
    """A 100 MB body to /ask: declared by Content-Length, or chunked (size unknown)."""
    import httpx

    def chunks() -> Iterator[bytes]:
        block = b" " * (1024 * 1024)
        yield b'{"question": "'
        for _ in range(HUGE_BYTES // len(block)):
            yield block

    before = rss(pid)
    t0 = time.perf_counter()
    headers = {"content-type": "application/json"}
    try:
        with httpx.Client(timeout=120) as client:
            if chunked:
                status = client.post(f"{url}/ask", content=chunks(), headers=headers).status_code
            else:
                body = b'{"question": "' + b" " * HUGE_BYTES + b'"}'
                status = client.post(f"{url}/ask", content=body, headers=headers).status_code
    except httpx.HTTPError:  # the server closed the connection after its 413, mid-upload
        status = -1
    seconds = time.perf_counter() - t0
    time.sleep(0.5)
    return ("chunked" if chunked else "Content-Length", status, seconds, before, rss(pid))


def measure(data_dir: Path, questions: Sequence[Question], work: Path) -> Abuse:
    """The three measurements on a `wenda serve` of data_dir; ordinary questions are those of
    questions without history."""
    import httpx

    questions = [q for q in questions if not q.history] or list(questions)

    env = machine()
    result = Abuse(cpu=str(env["cpu"]), cpus=int(env["cpus"]))
    large = largest_valid_request(Settings().max_request_bytes)
    result.large_body_bytes = len(json.dumps(large).encode())
    with serve(data_dir, "hybrid", work / "abuse-serve.log") as server:
        url = server.url
        result.unloaded_ms, _ = ordinary(url, questions, ORDINARY)

        stop = threading.Event()
        lock = threading.Lock()

        def send_large() -> None:
            with httpx.Client(timeout=120) as client:
                while not stop.is_set():
                    t0 = time.perf_counter()
                    status = client.post(f"{url}/ask", json=large).status_code
                    with lock:
                        result.large_statuses[status] = result.large_statuses.get(status, 0) + 1
                        if status == 200:
                            result.large_ms.append((time.perf_counter() - t0) * 1000)
                    if status == 503:
                        time.sleep(1.0)  # as Retry-After says

        with ThreadPoolExecutor(LARGE_CLIENTS) as pool:
            senders = [pool.submit(send_large) for _ in range(LARGE_CLIENTS)]
            time.sleep(2.0)  # the large requests are under way
            try:
                result.loaded_ms, result.loaded_failed = ordinary(url, questions, ORDINARY)
            finally:
                stop.set()
                for sender in senders:
                    sender.result()

        for chunked in (False, True):
            result.huge.append(huge_body(url, server.pid, chunked))

        burst(url, server.pid, questions, result)
    result.load = os.getloadavg()
    return result


def burst(url: str, pid: int, questions: Sequence[Question], result: Abuse) -> None:
    """CONNECTIONS clients, each with its connection open, ask at once (a barrier)."""
    import httpx
    import psutil

    clients = [httpx.Client(timeout=120) for _ in range(CONNECTIONS)]
    for client in clients:  # connected before the burst: only the questions are timed
        client.get(f"{url}/healthz")
    start = threading.Barrier(CONNECTIONS + 1)

    def one(i: int) -> tuple[int, float, float, float]:
        start.wait()
        t0 = time.perf_counter()
        response = clients[i].post(f"{url}/ask", json=ask_body(questions[i % len(questions)]))
        wall = (time.perf_counter() - t0) * 1000
        queued = float(response.headers.get("server-timing", "dur=0").split("dur=")[-1])
        compute = response.json()["timings_ms"]["total"] if response.status_code == 200 else 0.0
        return response.status_code, wall, queued, compute

    server = psutil.Process(pid)
    cpu_before = sum(server.cpu_times()[:2])
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        asked = [pool.submit(one, i) for i in range(CONNECTIONS)]
        start.wait()
        t0 = time.perf_counter()
        for status, wall, queued, compute in (a.result() for a in asked):
            result.burst_statuses[status] = result.burst_statuses.get(status, 0) + 1
            if status == 200:
                result.burst_ms.append(wall)
                result.burst_queue_ms.append(queued)
                result.burst_beyond_ms.append(wall - compute)
            else:
                result.burst_503_ms.append(wall)
    result.burst_wall_s = time.perf_counter() - t0
    result.burst_cpu_s = sum(server.cpu_times()[:2]) - cpu_before
    for client in clients:
        client.close()


def ms(values: Sequence[float], q: float) -> str:
    return f"{pct(values, q):,.0f}" if values else "–"


def section(res: Abuse, command: str) -> list[str]:
    """The "## Abuse" section of docs/benchmarks.md."""
    unloaded, loaded = pct(res.unloaded_ms, 50), pct(res.loaded_ms, 50)
    lines = [
        "## Abuse",
        "",
        f"`{command}` on a real `wenda serve` (hybrid, the bundled seed page, default limits) on "
        f"{res.cpus} shared cores of {res.cpu}; ordinary questions are seed_dev's, one at a "
        "time, over HTTP."
        + (
            f" Run on its own ({res.alone}), apart from the rest of this page." if res.alone else ""
        ),
        "",
        "| ordinary questions | n | p50 ms | p95 ms | failed |",
        "|---|---|---|---|---|",
        f"| unloaded | {len(res.unloaded_ms)} | {ms(res.unloaded_ms, 50)} | "
        f"{ms(res.unloaded_ms, 95)} | 0 |",
        f"| while {LARGE_CLIENTS} clients send the largest valid request | "
        f"{len(res.loaded_ms)} | {ms(res.loaded_ms, 50)} | {ms(res.loaded_ms, 95)} | "
        f"{res.loaded_failed} |",
        "",
        f"Loaded p50 is {loaded / unloaded:.1f}× the unloaded p50 (target: within 3×). The "
        f"largest valid request is {res.large_body_bytes:,} bytes (a 2,000-character question "
        "and 20 history turns, under WENDA_MAX_REQUEST_BYTES); the large requests got "
        + ", ".join(f"{n} × {s}" for s, n in sorted(res.large_statuses.items()))
        + f" (200s p50 {ms(res.large_ms, 50)} ms; a 503 is the one large-question slot staying "
        "busy past WENDA_QUESTION_WAIT_SECONDS, 2 s, answered with Retry-After).",
        "",
        "| 100 MB body | status | seconds | server RSS before / after MiB |",
        "|---|---|---|---|",
    ]
    for how, status, seconds, before, after in res.huge:
        shown = "connection closed after 413" if status == -1 else str(status)
        lines.append(
            f"| {how} | {shown} | {seconds:.2f} | {before / 2**20:,.0f} / {after / 2**20:,.0f} |"
        )
    lines += ["", _burst_paragraph(res), "", _load_line(res), ""]
    return lines


def _burst_paragraph(res: Abuse) -> str:
    """What 64 connections asking at once met."""
    statuses = ", ".join(f"{n} × {s}" for s, n in sorted(res.burst_statuses.items()))
    everyone = res.burst_ms + res.burst_503_ms
    return (
        f"{CONNECTIONS} connections, each already connected, asking at once: {statuses}; "
        f"answered p50 {ms(res.burst_ms, 50)} / max {ms(res.burst_ms, 100)} ms, of which "
        f"waiting for a slot p50 {ms(res.burst_queue_ms, 50)} / max "
        f"{ms(res.burst_queue_ms, 100)} ms and beyond their own compute (`timings_ms.total`) "
        f"p50 {ms(res.burst_beyond_ms, 50)} / max {ms(res.burst_beyond_ms, 100)} ms; "
        + (
            f"the 503s came after p50 {ms(res.burst_503_ms, 50)} / max "
            f"{ms(res.burst_503_ms, 100)} ms; "
            if res.burst_503_ms
            else ""
        )
        + f"no request took more than {max(everyone) / 1000:.1f} s. A question is admitted at "
        "arrival when its foretold wait (questions ahead × how long one holds one of the 4 "
        "slots lately) is under WENDA_QUESTION_WAIT_SECONDS (2 s), else it gets 503 + "
        "Retry-After at once; an admitted one gets 503 if no slot came within 2 s. The server "
        f"used {res.burst_cpu_s:.1f} CPU s in the burst's {res.burst_wall_s:.1f} s "
        f"({res.burst_cpu_s / max(res.burst_wall_s, 1e-9):.2f} of {res.cpus} cores)."
    )


def _load_line(res: Abuse) -> str:
    return (
        f"Load average when done: {', '.join(f'{x:.1f}' for x in res.load)} (the cores are shared "
        "with other work: absolute times vary from run to run, the ratios less)."
    )


def replace_section(doc: str, lines: list[str], title: str = "Abuse") -> str:
    """doc with its "## <title>" section (up to the next "## ") replaced by lines, or added."""
    text = "\n".join(lines)
    start = doc.find(f"\n## {title}\n")
    if start == -1:
        return doc.rstrip("\n") + "\n\n" + text
    end = doc.find("\n## ", start + 1)
    return doc[: start + 1] + text + ("\n" + doc[end + 1 :] if end != -1 else "")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    args = ap.parse_args(argv)
    questions = read_questions(args.shared / "eval" / "seed_dev.jsonl", 200)
    with tempfile.TemporaryDirectory(prefix="wenda-abuse-") as tmp:
        work = Path(tmp)
        result = measure(seed_index(work), questions, work)
    env = machine()
    result.alone = f"{env['date']}, commit {env['commit']}"
    lines = section(result, "python -m bench.perf.abuse")
    print("\n".join(lines))
    out: Path = args.out
    if out.exists():
        out.write_text(replace_section(out.read_text(encoding="utf-8"), lines), encoding="utf-8")
    else:  # a file of its own: the section alone
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = out.with_suffix(".json")  # the record `make bench` renders its report from
    if results.exists():
        raw = json.loads(results.read_text(encoding="utf-8"))
        raw["abuse"] = asdict(result)
        results.write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
