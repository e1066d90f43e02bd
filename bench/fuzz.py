"""`make fuzz`: Schemathesis on every route of a real `wenda serve` on 127.0.0.1 (issue 15).

Builds the bundled corpus into data/fuzz (its own data dir: generated POST/DELETE /articles
change that index, never data/index), serves it with the real model and an admin token, and
runs `st run` with valid and invalid requests on every operation. Prints the command, the cases
sent and the failures; exits non-zero on any 5xx or answer that the OpenAPI document does not
describe.

    python -m bench.fuzz --examples 1800      # 6 operations with inputs: over 10,000 cases
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
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


def fuzz_data_dir(data_dir: Path, cache_dir: Path) -> None:
    """A fresh index of the bundled corpus in data_dir (the shared cache spares embedding)."""
    shutil.rmtree(data_dir, ignore_errors=True)
    wenda = Path(sys.executable).with_name("wenda")
    env = {**os.environ, "WENDA_CACHE_DIR": str(cache_dir)}
    subprocess.run([str(wenda), "index", "--data-dir", str(data_dir)], check=True, env=env)


def counts(events_path: Path) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Requests by operation and by status, and failed checks by name, from st's NDJSON report."""
    operations: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    with events_path.open(encoding="utf-8") as fh:
        for line in fh:
            scenario = json.loads(line).get("ScenarioFinished")
            if not scenario:
                continue
            recorder = scenario.get("recorder", {})
            for interaction in recorder.get("interactions", {}).values():
                operations[recorder.get("label", "?")] += 1
                response = interaction.get("response") or {}
                statuses[str(response.get("status_code", "no response"))] += 1
            for checks in recorder.get("checks", {}).values():
                for check in checks:
                    if check.get("status", "").lower() == "failure":
                        failures[check.get("name", "?")] += 1
    return operations, statuses, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=1800, help="cases per operation")
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT / "data" / "fuzz")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)

    data_dir: Path = args.data_dir
    fuzz_data_dir(data_dir, PROJECT_ROOT / "data" / "cache")
    report = data_dir / "report"
    report.mkdir(parents=True, exist_ok=True)
    os.environ["WENDA_ADMIN_TOKEN"] = TOKEN  # serve() passes the environment on
    st = Path(sys.executable).with_name("st")
    with serve(data_dir, "hybrid", report / "serve.log") as server:
        cmd = [
            str(st),
            "--config-file",
            str(PROJECT_ROOT / "schemathesis.toml"),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            CHECKS,
            "--mode",
            "all",
            "--max-examples",
            str(args.examples),
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
            "ndjson",
            "--report-ndjson-path",
            str(report / "events.ndjson"),
            *(["--seed", str(args.seed)] if args.seed is not None else []),
        ]
        shown = " ".join(c if " " not in c else repr(c) for c in cmd)
        print(f"$ {shown}", flush=True)
        started = time.perf_counter()
        run = subprocess.run(cmd, check=False, cwd=report)  # st keeps a crash cache in cwd
        minutes = (time.perf_counter() - started) / 60
    operations, statuses, failures = counts(report / "events.ndjson")
    server_errors = sum(n for s, n in statuses.items() if s.startswith("5"))
    print(
        "\nrequests by operation: " + ", ".join(f"{o}: {n}" for o, n in sorted(operations.items()))
    )
    print(
        f"{sum(statuses.values())} requests in {minutes:.1f} min; by status: "
        + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
        + f"; 5xx: {server_errors}; failed checks: {dict(failures) or 0}; st exit {run.returncode}"
    )
    return 0 if run.returncode == 0 and not server_errors and not failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
