"""`make fuzz`: Schemathesis on every route of a real `wenda serve` on 127.0.0.1 (issue 15).

Builds the bundled corpus once into <data-dir>/pristine (data/fuzz by default, never
data/index), then tests one operation at a time, each with its own `st run` against its own
`wenda serve` (real model, an admin token) over a throwaway copy of that index: generated POST
/articles and DELETE /articles/{doc_id} change only their copy, which is deleted afterwards.
Prints each command and, per route, the cases generated, the answers by status (from the
server's access log), 5xx and failed checks; writes them to <data-dir>/summary.json as each
route finishes; exits non-zero on any 5xx or answer that the OpenAPI document does not describe.

    nice python -m bench.fuzz --examples 10000            # every route, about 4 h on 2 cores
    python -m bench.fuzz --examples 300 --only "DELETE /articles/{doc_id}"

Why one run per operation: in one run of every route, DELETE /articles/{doc_id} drew its ids
from the pool Schemathesis fills from GET /articles answers; every drawn id it deleted was
retired, so the pool ran dry and Hypothesis stopped after 11 cases. Alone, it generates ids.
The routes without parameters or body (GET /articles, /config, /healthz, /v1/models) have one
valid request each and nothing to make invalid: Hypothesis finds its search space exhausted after
one positive case (no negative one is satisfiable), so Schemathesis sends that request and every
other method (405), and no more. They run without --max-minutes: with a time budget `st` repeats
its phases until the budget is spent, re-sending the same request (3,440 identical GET /articles
in eight minutes); the routes with inputs get new cases each cycle.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.perf.server import serve
from service.settings import PROJECT_ROOT

TOKEN = "fuzz-admin-token"
# not positive_data_acceptance: a schema cannot say which file names an upload may carry, nor
# that the last user message of a chat is the question (see tests/service/test_schema_fuzz.py)
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance,negative_data_rejection,"
    "unsupported_method"
)
# cheapest first: an accepted POST /articles embeds its text and publishes a generation
OPERATIONS = (
    "DELETE /articles/{doc_id}",
    "GET /articles/{doc_id}",
    "POST /ask",
    "POST /v1/chat/completions",
    "POST /ask/stream",
    "POST /articles",
)
WITHOUT_INPUT = ("GET /articles", "GET /config", "GET /healthz", "GET /v1/models")
ACCESS_LINE = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d{3})')


@dataclass(slots=True)
class RouteRun:
    """One `st run` over some operations, and what the server answered to them."""

    operations: list[str]
    command: str = ""
    generated: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # "check: message", one per unique failure
    st_exit: int = -1
    minutes: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s.startswith("5"))

    @property
    def passed(self) -> bool:
        return self.st_exit == 0 and not self.server_errors and not self.failures


def fuzz_data_dir(data_dir: Path, cache_dir: Path) -> None:
    """A fresh index of the bundled corpus in data_dir (the shared cache spares embedding)."""
    shutil.rmtree(data_dir, ignore_errors=True)
    wenda = Path(sys.executable).with_name("wenda")
    env = {**os.environ, "WENDA_CACHE_DIR": str(cache_dir)}
    subprocess.run([str(wenda), "index", "--data-dir", str(data_dir)], check=True, env=env)


def route_pattern(operations: Sequence[str]) -> re.Pattern[str]:
    """The paths of operations (any method: unsupported-method cases count), `{x}` any segment
    run: doc_id is a path parameter that may hold `/`."""
    paths = sorted({op.split(" ", 1)[1] for op in operations})
    alternatives = "|".join(re.sub(r"\\\{\w+\\\}", ".+", re.escape(p)) for p in paths)
    return re.compile(rf"^(?:{alternatives})(?:\?.*)?$")


def access_statuses(log: str, operations: Sequence[str]) -> Counter[str]:
    """Statuses of the requests to operations' paths in a uvicorn access log."""
    pattern = route_pattern(operations)
    found: Counter[str] = Counter()
    for method, path, status in ACCESS_LINE.findall(log):
        if pattern.match(path) and not (method == "GET" and path == "/openapi.json"):
            found[status] += 1
    return found


def st_command(url: str, operations: Sequence[str], examples: int, report: Path) -> list[str]:
    st = Path(sys.executable).with_name("st")
    return [
        str(st),
        "--config-file",
        str(PROJECT_ROOT / "schemathesis.toml"),
        "run",
        f"{url}/openapi.json",
        "--include-name-regex",
        "^(" + "|".join(re.escape(op) for op in operations) + ")$",
        "--checks",
        CHECKS,
        "--mode",
        "all",
        "--max-examples",
        str(examples),
        "--phases",
        "examples,coverage,fuzzing",
        "--header",
        f"Authorization: Bearer {TOKEN}",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--continue-on-failure",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]


def read_report(report: Path, run: RouteRun) -> None:
    """Cases generated and unique failures from st's JSON run report."""
    if not report.exists():
        run.failures.append("st wrote no report")
        return
    raw = json.loads(report.read_text(encoding="utf-8"))
    run.generated = int(raw["test_cases"]["generated"])
    for failure in raw.get("failures", []):
        run.failures.append(json.dumps(failure, ensure_ascii=False)[:500])
    for error in raw.get("errors", []):
        run.failures.append("error: " + json.dumps(error, ensure_ascii=False)[:500])


def fuzz_operations(
    pristine: Path, operations: Sequence[str], examples: int, max_minutes: float | None = None
) -> RouteRun:
    """operations fuzzed by one `st run` on a server over a throwaway copy of pristine."""
    run = RouteRun(list(operations))
    work = pristine.with_name("run-" + re.sub(r"\W+", "-", operations[0]).strip("-"))
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(pristine, work)
    report = work / "report.json"
    try:
        with serve(work, "hybrid", work / "serve.log") as server:
            served_from = (work / "serve.log").stat().st_size  # past the readiness polls
            cmd = st_command(server.url, operations, examples, report)
            if max_minutes:
                cmd += ["--max-time", str(round(max_minutes * 60))]
            run.command = " ".join(c if " " not in c else repr(c) for c in cmd)
            print(f"$ {run.command}", flush=True)
            started = time.perf_counter()
            with (work / "st.log").open("w") as out:  # st keeps a crash cache in cwd
                done = subprocess.run(cmd, check=False, cwd=work, stdout=out, stderr=out)
            run.minutes = (time.perf_counter() - started) / 60
            run.st_exit = done.returncode
        with (work / "serve.log").open(encoding="utf-8", errors="replace") as fh:
            fh.seek(served_from)
            run.statuses = dict(access_statuses(fh.read(), operations))
        read_report(report, run)
    finally:
        if run.passed:
            shutil.rmtree(work, ignore_errors=True)  # kept to read when something failed
    return run


def summary_line(run: RouteRun) -> str:
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(run.statuses.items()))
    return (
        f"{' + '.join(run.operations)}: {run.generated:,} cases in {run.minutes:.1f} min; "
        f"answers by status: {statuses}; 5xx: {run.server_errors}; "
        f"failed checks: {len(run.failures)}; st exit {run.st_exit}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=10000, help="cases per operation")
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT / "data" / "fuzz")
    parser.add_argument(
        "--only", action="append", choices=[*WITHOUT_INPUT, *OPERATIONS], help="repeatable"
    )
    parser.add_argument(
        "--max-minutes", type=float, help="per route with inputs: st generates until then"
    )
    args = parser.parse_args(argv)

    # absolute: st runs in each route's folder, and a relative report path would land below it
    data_dir: Path = args.data_dir.resolve()
    pristine = data_dir / "pristine"
    fuzz_data_dir(pristine, PROJECT_ROOT / "data" / "cache")
    os.environ["WENDA_ADMIN_TOKEN"] = TOKEN  # serve() passes the environment on
    runs: list[RouteRun] = []
    for operation in args.only or [*WITHOUT_INPUT, *OPERATIONS]:
        # one distinct request: with a time budget st would send it again cycle after cycle
        budget = None if operation in WITHOUT_INPUT else args.max_minutes
        runs.append(fuzz_operations(pristine, [operation], args.examples, budget))
        print(summary_line(runs[-1]), flush=True)
        for failure in runs[-1].failures:
            print(f"  failed: {failure}", flush=True)
        summary = [asdict(r) for r in runs]
        (data_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    print("\n" + "\n".join(summary_line(r) for r in runs))
    total = sum(r.generated for r in runs)
    print(
        f"{total:,} cases; 5xx: {sum(r.server_errors for r in runs)}; failed checks: "
        f"{sum(len(r.failures) for r in runs)}"
    )
    return 0 if all(r.passed for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
