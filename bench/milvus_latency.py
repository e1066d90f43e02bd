"""/ask through a real `wenda serve` on both backends, side by side in one run: the FAISS index
of a corpus (default: the CMRC 2018 public documents, kept in the data dir's eval/) and the same
index searched in a Milvus Lite server over gRPC (started here, on 127.0.0.1). Prints one JSON
line a backend and client count: p50/p95 ms, req/s, errors, and the CPU seconds the Milvus Lite
server spent."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import psutil

from bench.milvus_lite import lite_server
from bench.perf.server import measure_server
from service.evaluate import read_questions
from service.operations import ensure_eval_index, make_settings, ready_embedder, sync_backend
from service.settings import PROJECT_ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    shared = PROJECT_ROOT.parent / "shared" / "eval" / "cmrc2018"
    parser.add_argument("--corpus", type=Path, default=shared / "docs.jsonl")
    parser.add_argument("--questions", type=Path, default=shared / "questions_public.jsonl")
    parser.add_argument("--requests", type=int, default=100, help="one client, then 8 clients")
    args = parser.parse_args(argv)

    settings = make_settings()
    embedder = ready_embedder(settings)
    faiss_settings = ensure_eval_index(settings, embedder, [args.corpus])
    questions = [q for q in read_questions(args.questions) if q.answerable]
    with tempfile.TemporaryDirectory() as tmp, lite_server(Path(tmp) / "milvus") as server:
        milvus = faiss_settings.model_copy(update={"backend": "milvus", "milvus_uri": server.uri})
        sync_backend(milvus, embedder)
        lite = psutil.Process(server.pid)
        for backend in ("faiss", "milvus"):
            os.environ |= {
                "WENDA_BACKEND": backend,
                "WENDA_MILVUS_URI": server.uri,
                "WENDA_MILVUS_COLLECTION": milvus.milvus_collection,
            }
            cpu = sum(lite.cpu_times()[:2])
            runs = measure_server(
                args.corpus.name,
                0,
                faiss_settings.data_dir,
                "hybrid",
                questions,
                (args.requests, args.requests),
                Path(tmp) / f"serve-{backend}.log",
                variant="1 thread",
            )
            lite_cpu = sum(lite.cpu_times()[:2]) - cpu
            for run in runs:
                figures = {
                    "backend": backend,
                    "clients": run.clients,
                    "requests": len(run.latency_ms),
                    "errors": run.errors,
                    "p50_ms": round(run.p(50), 1),
                    "p95_ms": round(run.p(95), 1),
                    "req_per_s": round(run.rps, 2),
                    "milvus_lite_cpu_s": round(lite_cpu, 1) if backend == "milvus" else 0.0,
                    "load": os.getloadavg()[0],
                }
                print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
