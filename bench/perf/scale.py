"""How search cost and memory grow with the corpus: FAISS flat and approximate, BM25, Retriever.search and QAService.ask per size."""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bench.perf.common import (
    CLIENTS,
    MEMORY_MARGIN,
    PROFILE_SIZE,
    SEED,
    VARIANTS,
    Budget,
    log,
    one_thread,
    pct,
    timed,
)
from bench.perf.profile import profile_ask
from bench.perf.server import HttpRun, measure_server
from bench.perf.synthetic import (
    Base,
    CopiedRows,
    keyword_index,
    source_doc,
    synthetic_corpus,
    write_index_folder,
)
from index.bm25 import tokenize
from index.embedder import Embedder
from index.modes import MODES
from index.retriever import Retriever
from index.store import (
    LoadedIndex,
    make_vector_index,
)
from index.vectors import FLAT_MAX_CHUNKS, concrete_type
from service.evaluate import Question
from service.qa import QAService
from service.settings import Settings


@dataclass(slots=True)
class ScaleRow:
    chunks: int
    articles: int = 0
    units: int = 0  # answer units (sentences) with a stored vector
    copy_cosine: float = float("nan")  # mean cosine of a noisy copy to its source vector
    build_s: dict[str, float] = field(default_factory=dict)  # flat, ann, bm25
    flat_ms: list[float] = field(default_factory=list)
    flat_default_ms: list[float] = field(default_factory=list)  # FAISS on its default threads
    ann_type: str = ""  # the approximate index measured (what auto builds past flat)
    served_type: str = ""  # the vector index served: what index type auto builds at this size
    ann_ms: list[float] = field(default_factory=list)
    ann_recall: float = float("nan")  # recall@10 against flat on the noisy copies
    bm25_ms: list[float] = field(default_factory=list)  # tokenize + scores of every passage
    search_ms: dict[str, list[float]] = field(default_factory=dict)  # Retriever.search by mode
    ask_ms: list[float] = field(default_factory=list)  # QAService.ask in-process, hybrid
    ask_split: list[dict[str, float]] = field(default_factory=list)  # its own timings_ms
    disk: dict[str, int] = field(default_factory=dict)
    ann_bytes: int = 0
    http: list[HttpRun] = field(default_factory=list)
    not_served: str = ""  # why no server was started at this size

    def run(self, clients: int, variant: str = "") -> HttpRun | None:
        return next((r for r in self.http if r.clients == clients and r.variant == variant), None)


def vector_search(row: ScaleRow, vectors: np.ndarray, query_vecs: np.ndarray, work: Path) -> Any:
    """Flat and the approximate index: build time, search time (one thread, and flat also on the
    default threads), recall@10 against flat; returns the index `wenda index` builds at this
    size."""
    n, k = len(vectors), 10
    t0 = time.perf_counter()
    flat = make_vector_index(vectors, "flat")
    row.build_s["flat"] = time.perf_counter() - t0
    row.flat_default_ms = [timed(flat.search, q[None, :], k)[0] for q in query_vecs[:50]]
    exact = []
    with one_thread():
        for q in query_vecs:
            ms, (_, ids) = timed(flat.search, q[None, :], k)
            row.flat_ms.append(ms)
            exact.append(set(ids[0].tolist()))
    t0 = time.perf_counter()
    row.ann_type = concrete_type("auto", FLAT_MAX_CHUNKS + 1)  # what auto builds past flat
    ann = make_vector_index(vectors, row.ann_type)
    row.build_s["ann"] = time.perf_counter() - t0
    hits = 0
    with one_thread():
        for q, want in zip(query_vecs, exact, strict=True):
            ms, (_, ids) = timed(ann.search, q[None, :], k)
            row.ann_ms.append(ms)
            hits += len(set(ids[0].tolist()) & want)
    row.ann_recall = hits / (k * len(query_vecs))
    path = work / "ann.faiss"
    faiss.write_index(ann, str(path))
    row.ann_bytes = path.stat().st_size
    path.unlink()
    log(f"{n:,}: {row.ann_type} built in {row.build_s['ann']:.1f} s, recall {row.ann_recall:.3f}")
    row.served_type = concrete_type("auto", n)
    return ann if row.served_type == row.ann_type else flat


def synthetic_index(
    row: ScaleRow, base: Base, embedder: Embedder, query_vecs: np.ndarray, work: Path
) -> LoadedIndex:
    """The synthetic index of row.chunks passages, in memory; fills row's build and FAISS figures."""
    n = row.chunks
    rng = np.random.default_rng(SEED + n)
    t0 = time.perf_counter()
    articles, chunks, vectors, source = synthetic_corpus(base, n, rng)
    row.articles = len(articles)
    copied = np.flatnonzero(np.arange(n) >= len(base.index.chunks))[:10_000]
    if copied.size:
        row.copy_cosine = float(np.mean(np.sum(vectors[copied] * base.vectors[source[copied]], 1)))
    log(f"{n:,}: {len(articles):,} articles made in {time.perf_counter() - t0:.1f} s")
    served = vector_search(row, vectors, query_vecs, work)
    del vectors
    t0 = time.perf_counter()
    keywords = keyword_index(base, source)
    row.build_s["bm25"] = time.perf_counter() - t0
    log(f"{n:,}: flat built in {row.build_s['flat']:.1f} s, BM25 in {row.build_s['bm25']:.1f} s")
    by_id = {a.doc_id: a for a in articles}
    units = sum(len(base.units.get(source_doc(a.doc_id), ())) for a in articles)
    counts: dict[str, Any] = {
        "articles": len(articles),
        "chunks": n,
        "corpus_hash": f"synthetic-{n}",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "index_type": row.served_type,
        "build_seconds": 0.0,
        "embedded": 0,
    }
    parts: dict[str, Any] = {  # the LoadedIndex's fields that differ from the base's
        "folder": work,
        "articles": articles,
        "articles_by_id": by_id,
        "chunks": chunks,
        "vectors": served,
        "keywords": keywords,
    }
    if base.units:
        counts["sentences"] = units
        parts["sentence_rows"] = CopiedRows(base.index.sentence_rows, set(by_id), units)
    row.units = units
    return replace(base.index, manifest=replace(base.index.manifest, **counts), **parts)


def search_in_process(
    row: ScaleRow,
    index: LoadedIndex,
    embedder: Embedder,
    questions: Sequence[Question],
    budget: Budget,
    profile: dict[str, Any],
) -> None:
    def bm25_scores(question: str) -> Any:
        return index.keywords.scores(tokenize(question))

    retriever = Retriever(index, embedder)
    service = QAService(index, embedder, Settings())
    asked = questions[: budget.searches]
    with one_thread():
        row.bm25_ms = [timed(bm25_scores, q.question)[0] for q in questions[: budget.queries]]
        for mode in MODES:
            row.search_ms[mode] = [timed(retriever.search, q.question, 5, mode)[0] for q in asked]
        for q in asked:
            ms, result = timed(service.ask, q.question)
            row.ask_ms.append(ms)
            row.ask_split.append(result.timings_ms)
        if row.chunks == PROFILE_SIZE:
            profile.update(profile_ask(service, asked, row.chunks))
    log(
        f"{row.chunks:,}: flat p50 {pct(row.flat_ms, 50):.2f} ms, BM25 p50 "
        f"{pct(row.bm25_ms, 50):.2f} ms, hybrid search p50 {pct(row.search_ms['hybrid'], 50):.1f} "
        f"ms, ask p50 {pct(row.ask_ms, 50):.1f} ms"
    )


def psutil_available() -> int:
    import psutil

    return int(psutil.virtual_memory().available)


def projected_rss(done: Sequence[ScaleRow], n: int) -> int:
    """Peak server RSS at n passages, on the line through the two largest sizes served so far."""
    served = [(r.chunks, r.run(CLIENTS)) for r in done]
    points = [(c, run.rss_peak) for c, run in served if run is not None][-2:]
    if len(points) < 2:
        return 0
    (n0, m0), (n1, m1) = points
    return int(m1 + (m1 - m0) / (n1 - n0) * (n - n1))


def bench_size(
    n: int,
    done: Sequence[ScaleRow],
    base: Base,
    embedder: Embedder,
    query_vecs: np.ndarray,
    questions: list[Question],
    work: Path,
    budget: Budget,
    profile: dict[str, Any],
) -> ScaleRow:
    """In-process costs at n passages, then a real server over the same index written out, if
    it fits in memory (projected from the smaller sizes)."""
    row = ScaleRow(n)
    index = synthetic_index(row, base, embedder, query_vecs, work)
    search_in_process(row, index, embedder, questions, budget, profile)
    data_dir = work / f"scale-{n}"
    t0 = time.perf_counter()
    row.disk = write_index_folder(index, base, data_dir)
    log(f"{n:,}: index folder written in {time.perf_counter() - t0:.1f} s")
    del index
    gc.collect()
    need, free = projected_rss(done, n), psutil_available()
    if need and need + MEMORY_MARGIN > free:
        row.not_served = (
            f"not served: a server would need about {need / 2**30:.1f} GiB (extrapolated from the "
            f"smaller sizes), {free / 2**30:.1f} GiB of memory was available"
        )
        log(f"{n:,}: {row.not_served}")
    counts = (budget.scale_sequential, budget.scale_concurrent)
    for variant in () if row.not_served else VARIANTS if n == PROFILE_SIZE else ("",):
        row.http += measure_server(
            "synthetic",
            n,
            data_dir,
            "hybrid",
            questions,
            counts,
            work / f"serve-scale-{n}-{variant.split()[0] if variant else 'default'}.log",
            variant,
        )
    shutil.rmtree(data_dir)
    return row


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.perf.scale`: the scale section alone (set-up, then each size), its tables
    printed and its rows saved as JSON."""
    import argparse
    import json
    import sys
    import tempfile
    from dataclasses import asdict

    from bench.perf.common import Budget
    from bench.perf.main import query_timings, set_up
    from bench.perf.report import scale_tables

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--shared", type=Path, default=Path(__file__).parents[3] / "shared")
    ap.add_argument("--sizes", default="100000", help="passages, comma-separated")
    ap.add_argument("--json", type=Path, required=True)
    args = ap.parse_args(argv)
    budget = replace(Budget(), sizes=tuple(int(x) for x in args.sizes.split(",")))
    s = set_up(args.shared, args.shared / "eval" / "cmrc2018" / "docs.jsonl")
    _, query_vecs, _ = query_timings(s.embedder, s.cmrc_q, budget.queries)
    rows: list[ScaleRow] = []
    with tempfile.TemporaryDirectory(prefix="wenda-scale-") as tmp:
        for n in budget.sizes:
            row = bench_size(
                n, rows, s.base, s.embedder, query_vecs, s.cmrc_q, Path(tmp), budget, {}
            )
            rows.append(row)
            args.json.write_text(json.dumps([asdict(r) for r in rows]), encoding="utf-8")
    search, memory = scale_tables(rows)
    print("\n".join([*search, "", *memory]))
    print(f"load {os.getloadavg()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
