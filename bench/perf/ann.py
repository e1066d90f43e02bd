"""`python -m bench.perf.ann`: the approximate vector index against flat search on real vectors.

The vectors are every e5 embedding in the embedding cache (the CMRC 2018 and DRCD passages and
answer units, and whatever else was indexed here), extended to 100,000 by normalised midpoints
of random pairs of them; the queries are CMRC and DRCD questions embedded by the model. The
noisy copies of the scale section (bench.perf.synthetic) are the stress case, measured there.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bench.perf.abuse import replace_section
from bench.perf.common import SEED, log, one_thread, pct, read_questions
from index.embedder import Embedder
from index.vectors import HNSW_M, make_hnsw_sq16, make_ivf_sq8
from service.settings import PROJECT_ROOT

SIZE = 100_000
K = 10
NPROBES = (32, 0, 128, 256)  # 0: the nprobe make_ivf_sq8 sets
EF_SEARCH = (128, 256, 0, 1024)  # 0: the efSearch make_hnsw_sq16 sets
TITLE = "Approximate vector index on real vectors"


@dataclass(slots=True)
class AnnResult:
    real: int  # vectors read from the embedding cache
    size: int  # after the derived ones are added
    queries: int
    flat_ms: list[float] = field(default_factory=list)
    build_s: dict[str, float] = field(default_factory=dict)  # per index type
    # (index type, search parameter, default?, recall@10 against flat, ms per search)
    rows: list[tuple[str, str, bool, float, list[float]]] = field(default_factory=list)
    cpus: int = 0
    load: tuple[float, ...] = ()


def cached_vectors(path: Path) -> np.ndarray:
    """Every float32 vector of an embedding cache file, L2-normalised."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        blobs = [bytes(v) for (v,) in db.execute("SELECT vec FROM emb")]
    finally:
        db.close()
    x = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def derived(real: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """real, then normalised midpoints of random pairs of its vectors up to n rows."""
    extra = max(0, n - len(real))
    a, b = rng.integers(0, len(real), extra), rng.integers(0, len(real), extra)
    w = rng.uniform(0.5, 0.9, (extra, 1)).astype(np.float32)
    mid = w * real[a] + (1 - w) * real[b]
    mid /= np.linalg.norm(mid, axis=1, keepdims=True)
    return np.ascontiguousarray(np.concatenate([real, mid]).astype(np.float32))


def searched(index: Any, queries: np.ndarray, exact: list[set[int]]) -> tuple[float, list[float]]:
    """recall@K of index against the exact neighbours, and ms per search."""
    found, ms = 0, []
    for q, want in zip(queries, exact, strict=True):
        t = time.perf_counter()
        ids = index.search(q[None, :], K)[1][0]
        ms.append((time.perf_counter() - t) * 1000)
        found += len(set(ids.tolist()) & want)
    return found / (K * len(queries)), ms


def measure(cache: Path, queries: np.ndarray, size: int = SIZE) -> AnnResult:
    real = cached_vectors(cache)
    vectors = derived(real, size, np.random.default_rng(SEED))
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    res = AnnResult(len(real), len(vectors), len(queries))
    with one_thread():
        exact = []
        for q in queries:
            t = time.perf_counter()
            exact.append(set(flat.search(q[None, :], K)[1][0].tolist()))
            res.flat_ms.append((time.perf_counter() - t) * 1000)
    for kind, make in (("ivf-sq8", make_ivf_sq8), ("hnsw-sq16", make_hnsw_sq16)):
        t0 = time.perf_counter()
        index = make(vectors)
        res.build_s[kind] = time.perf_counter() - t0
        ivf = faiss.try_extract_index_ivf(index)
        default = ivf.nprobe if ivf is not None else index.hnsw.efSearch
        for value in NPROBES if ivf is not None else EF_SEARCH:
            if ivf is not None:
                ivf.nprobe = value or default
            else:
                index.hnsw.efSearch = value or default
            with one_thread():
                recall, ms = searched(index, queries, exact)
            name = "nprobe" if ivf is not None else "efSearch"
            res.rows.append((kind, f"{name} {value or default}", not value, recall, ms))
        log(f"ANN on real vectors: {kind} built in {res.build_s[kind]:.0f} s")
    res.cpus, res.load = os.cpu_count() or 0, os.getloadavg()
    return res


def question_vectors(embedder: Embedder, shared: Path, per_set: int = 200) -> np.ndarray:
    """CMRC 2018 and DRCD public questions, embedded as /ask embeds them."""
    texts = [
        q.question
        for name in ("cmrc2018", "drcd")
        for q in read_questions(shared / "eval" / name / "questions_public.jsonl", per_set)
    ]
    return np.stack([embedder.embed_query(t) for t in texts])


def section(res: AnnResult, command: str) -> list[str]:
    """The report's section on the approximate indexes against flat search."""
    builds = ", ".join(f"{k} {v:.0f} s" for k, v in res.build_s.items())
    lines = [
        f"## {TITLE}",
        "",
        f"`{command}`, on {res.cpus} shared cores (load {', '.join(f'{x:.1f}' for x in res.load)}"
        f"). Vectors: the {res.real:,} e5 embeddings of the embedding cache (the passages and "
        "answer units embedded on this machine: CMRC 2018's, and DRCD's where its index was "
        f"built), extended to {res.size:,} by normalised midpoints of random "
        f"pairs of them; queries: {res.queries} CMRC and DRCD public questions embedded as /ask "
        "embeds them; FAISS on one thread. `index/vectors.py` builds both: hnsw-sq16 (HNSW, "
        f"M {HNSW_M}, float16 vectors) is what index type auto builds past 50,000 passages, ivf-sq8 "
        f"(about 4·√n lists, int8 vectors) the smaller one. Built in {builds} (2 threads, "
        "loaded machine). The noisy copies of the scale section are the stress case.",
        "",
        "| search | parameter | recall@10 vs flat | p50 ms | p95 ms |",
        "|---|---|---:|---:|---:|",
        f"| flat | – | 1.0000 | {pct(res.flat_ms, 50):.2f} | {pct(res.flat_ms, 95):.2f} |",
    ]
    for kind, param, default, recall, ms in res.rows:
        mark = " (default)" if default else ""
        lines.append(
            f"| {kind} | {param}{mark} | {recall:.4f} | {pct(ms, 50):.2f} | {pct(ms, 95):.2f} |"
        )
    return [*lines, ""]


def main(argv: Sequence[str] | None = None) -> int:
    from service.qa import make_embedder
    from service.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    ap.add_argument("--size", type=int, default=SIZE)
    args = ap.parse_args(argv)
    settings = Settings()
    embedder = make_embedder(settings)
    cache = settings.embedding_cache_dir / f"embeddings-{embedder.name}.sqlite"
    res = measure(cache, question_vectors(embedder, args.shared), args.size)
    command = " ".join(["python -m bench.perf.ann", *(sys.argv[1:] if argv is None else argv)])
    lines = section(res, command)
    print("\n".join(lines))
    out: Path = args.out
    out.write_text(replace_section(out.read_text(encoding="utf-8"), lines, TITLE), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
