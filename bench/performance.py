"""`make bench`: index build throughput, /ask latency over HTTP, and how search cost and memory
grow with the corpus (1k to 1M passages). Writes a markdown report and a PNG plot.

Run: `.venv/bin/python -m bench.performance --out docs/benchmarks.md [--quick]`

Everything measured here runs on this machine: the real E5 model, real `wenda serve` processes on
127.0.0.1, real FAISS and bm25s indexes. Corpora above the CMRC 2018 size (1,859 passages) are
synthetic: CMRC passages replicated under new ids, their vectors the real ones plus a little
gaussian noise, so that nothing has to be embedded for hours.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from corpus.loading import load_corpus
from corpus.model import Article, Chunk
from index.bm25 import KeywordIndex, tokenize
from index.cache import EmbeddingCache, text_key
from index.embedder import Embedder, cpu_has_bf16
from index.encoding import passage_input
from index.layout import ARTICLES, CHUNKS, KEYWORDS, UNIT_VECTORS, UNITS, VECTORS
from index.modes import MODES
from index.retriever import Retriever
from index.store import (
    IndexContents,
    IndexStore,
    LoadedIndex,
    build_index,
    load_index,
    make_vector_index,
    update_index,
)
from service import operations
from service.qa import QAService, make_embedder
from service.settings import PROJECT_ROOT, Settings

SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)
HNSW_MAX_CHUNKS = 100_000  # an HNSW build of 1M on 2 cores takes longer than the whole bench
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
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else float("nan")


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


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem = next(
        int(line.split()[1]) * 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    import bm25s
    import torch

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit or "unknown",
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "bf16": cpu_has_bf16(),
        "mem_gb": mem / 2**30,
        "python": platform.python_version(),
        "versions": f"torch {torch.__version__}, faiss {faiss.__version__}, bm25s {bm25s.__version__}",
        "load_start": os.getloadavg(),
    }


@dataclass(frozen=True, slots=True)
class Question:
    question: str
    history: tuple[dict[str, str], ...] = ()


def read_questions(path: Path, limit: int) -> list[Question]:
    out: list[Question] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and len(out) < limit:
                r = json.loads(line)
                out.append(Question(r["question"], tuple(r.get("history") or ())))
    return out


def ensure_cmrc_index(docs: Path, embedder: Embedder) -> Path:
    """The CMRC index `wenda eval --corpus docs` uses, built first (through the shared cache)
    if missing or out of date."""
    log("making sure the CMRC index is current (once; `wenda eval` reuses it)")
    settings = operations.ensure_eval_index(Settings(), embedder, [docs])
    return settings.data_dir


# ---------------------------------------------------------------- index build


@dataclass(slots=True)
class BuildRow:
    case: str
    articles: int
    chunks: int
    embedded: int
    seconds: float
    embed_seconds: float
    texts_total: int = 0  # texts a full build of this corpus embeds (set on the update rows)

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.seconds


def timed_build(
    case: str,
    articles: Sequence[Article],
    embedder: Embedder,
    data_dir: Path,
    cache: EmbeddingCache,
) -> BuildRow:
    embedding_done: list[float] = []

    def progress(done: int, total: int) -> None:
        if done >= total:
            embedding_done.append(time.perf_counter())

    t0 = time.perf_counter()
    m = build_index(articles, embedder, data_dir, cache, progress)
    t1 = time.perf_counter()
    row = BuildRow(case, m.articles, m.chunks, m.embedded, t1 - t0, embedding_done[-1] - t0)
    log(
        f"build {case}: {row.chunks} chunks, {row.embedded} embedded, {row.seconds:.1f} s "
        f"({row.chunks_per_s:.1f} chunks/s)"
    )
    return row


def timed_update(
    case: str, data_dir: Path, embedder: Embedder, cache: EmbeddingCache, **change: Any
) -> BuildRow:
    """`update_index` (what `wenda add`/`remove` run) on an existing index, timed."""
    embedding_done: list[float] = []

    def progress(done: int, total: int) -> None:
        if done >= total:
            embedding_done.append(time.perf_counter())

    t0 = time.perf_counter()
    m, _ = update_index(data_dir, embedder, cache=cache, progress=progress, **change)
    t1 = time.perf_counter()
    embed_s = (embedding_done[-1] - t0) if embedding_done else 0.0
    row = BuildRow(case, m.articles, m.chunks, m.embedded, t1 - t0, embed_s)
    log(f"update {case}: {row.chunks} chunks, {row.embedded} embedded, {row.seconds:.2f} s")
    return row


class TextRecorder:
    """An embedder that only notes what a build would embed (zero vectors, no model)."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim
        self.texts: set[str] = set()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.update(texts)
        return np.zeros((len(texts), self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.zeros(self.dim, dtype=np.float32)


def texts_embedded_by(articles: Sequence[Article], embedder: Embedder, work: Path) -> set[str]:
    """Every text a build of articles embeds (passages, answer units, whatever the store asks)."""
    recorder = TextRecorder(embedder.name, embedder.dim)
    build_index(articles, recorder, work / "recorded")
    shutil.rmtree(work / "recorded")
    return recorder.texts


def copy_cache(shared: Path, path: Path, drop: set[str]) -> None:
    """A private copy of the shared embedding cache, without the keys in drop."""
    source = EmbeddingCache(shared)
    try:
        copy = source.copy_to(path)
    finally:
        source.close()
    copy.delete_many(drop)
    copy.close()


def bench_build(
    embedder: Embedder, cmrc: list[Article], shared_cache: Path, work: Path, budget: Budget
) -> list[BuildRow]:
    rows: list[BuildRow] = []
    cold = cmrc[: budget.cold_articles]
    cache = EmbeddingCache(work / "cache-cold" / "embeddings.sqlite")
    try:
        rows.append(timed_build("cold (empty cache)", cold, embedder, work / "build-a", cache))
        rows.append(timed_build("rebuild, unchanged", cold, embedder, work / "build-a", cache))
    finally:
        cache.close()
    # the whole CMRC corpus but its last 1%, from a copy of the shared cache (which holds all of
    # CMRC once its index is built) less every text that only the last 1% needs
    new = max(1, round(len(cmrc) * 0.01))
    kept = cmrc[:-new]
    only_new = texts_embedded_by(cmrc[-new:], embedder, work) - texts_embedded_by(
        kept, embedder, work
    )
    path = work / "cache-cmrc" / "embeddings.sqlite"
    copy_cache(shared_cache, path, {text_key(embedder.name, t) for t in only_new})
    total = len(texts_embedded_by(cmrc, embedder, work))
    cache = EmbeddingCache(path)
    try:
        rows.append(timed_build("rebuild, unchanged", kept, embedder, work / "build-b", cache))
        rows.extend(update_rows(cmrc, new, embedder, work / "build-b", cache, total))
    finally:
        cache.close()
    shutil.rmtree(work / "build-a", ignore_errors=True)
    shutil.rmtree(work / "build-b", ignore_errors=True)
    return rows


def update_rows(
    cmrc: list[Article],
    new: int,
    embedder: Embedder,
    data_dir: Path,
    cache: EmbeddingCache,
    total: int,
) -> list[BuildRow]:
    """On the index of CMRC less its last `new` articles: add them (`wenda add`: only their
    texts embedded, nothing else re-tokenised or rebuilt), then remove as many other articles
    (`wenda remove`)."""
    add = timed_update(f"add 1% ({new} articles)", data_dir, embedder, cache, upsert=cmrc[-new:])
    gone = [a.doc_id for a in cmrc[:new]]
    remove = timed_update(f"remove 1% ({new} articles)", data_dir, embedder, cache, remove=gone)
    add.texts_total = remove.texts_total = total
    return [add, remove]


def update_figures(rows: Sequence[BuildRow]) -> str:
    """Adding and removing 1% against a full cold build of the same corpus, estimated at the
    cold rows' embedding rate (a full cold CMRC build takes about half an hour here)."""
    cold, add, remove = rows[0], rows[3], rows[4]
    full_cold = add.texts_total / (cold.embedded / cold.embed_seconds) + rows[2].seconds
    return (
        f"adding 1% new articles to the CMRC index takes {add.seconds:.1f} s, "
        f"{add.seconds / full_cold:.1%} of a full cold build ({full_cold:,.0f} s est.: "
        f"{add.texts_total:,} texts at the cold rate), removing 1% {remove.seconds:.2f} s"
    )


# ---------------------------------------------------------------- HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    import httpx
    import psutil

    port = free_port()
    wenda = Path(sys.executable).with_name("wenda")
    env = {**os.environ, "WENDA_MODE": mode, "WENDA_DATA_DIR": str(data_dir)}
    env.update(VARIANTS[variant])
    cmd = [str(wenda), "serve", "--host", "127.0.0.1", "--port", str(port)]
    t0 = time.perf_counter()
    with logfile.open("w") as out:
        proc = subprocess.Popen(
            [*cmd, "--data-dir", str(data_dir)], stdout=out, stderr=subprocess.STDOUT, env=env
        )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"wenda serve exited early:\n{logfile.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"wenda serve not up in {timeout} s:\n{logfile.read_text()}")
            time.sleep(0.25)
        startup = time.perf_counter() - t0
        yield Server(url, proc.pid, startup, psutil.Process(proc.pid).memory_info().rss)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
    body: dict[str, Any] = {"question": q.question}
    if q.history:
        body["history"] = list(q.history)
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


# ---------------------------------------------------------------- scale


@dataclass(slots=True)
class Base:
    """The real CMRC passages (and answer units) the synthetic corpora are made of."""

    index: LoadedIndex
    vectors: np.ndarray
    tokens: list[list[str]]
    # per doc_id, its answer units as (start, end, row of sentence_vectors); empty for an index
    # format without sentence vectors
    units: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, index: LoadedIndex) -> Base:
        if any(COPY_MARK in a.doc_id for a in index.articles):
            raise ValueError(f"a CMRC doc_id holds {COPY_MARK!r}, which marks copies here")
        units: dict[str, list[tuple[int, int, int]]] = {}
        for (doc, s, e), row in sorted(index.sentence_rows.items(), key=lambda kv: kv[1]):
            units.setdefault(doc, []).append((s, e, row))
        return cls(
            index,
            index.vectors.reconstruct_n(0, index.vectors.ntotal),
            [tokenize(passage_input(c)) or [""] for c in index.chunks],
            units,
        )


COPY_MARK = "~"  # a copy of CMRC article d is article f"{d}~{copy number}"


def source_doc(doc_id: str) -> str:
    return doc_id.partition(COPY_MARK)[0]


class CopiedRows(Mapping[tuple[str, int, int], int]):
    """sentence_rows of a synthetic index: a copy's answer unit has the row of the unit it
    copies, so copies need no memory of their own in this process."""

    def __init__(self, base: Mapping[tuple[str, int, int], int], docs: set[str], units: int):
        self.base, self.docs, self.units = base, docs, units

    def __getitem__(self, key: tuple[str, int, int]) -> int:
        doc, s, e = key
        if doc not in self.docs:
            raise KeyError(key)
        return self.base[(source_doc(doc), s, e)]

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        raise TypeError("the synthetic sentence rows are looked up, never listed")

    def __len__(self) -> int:
        return self.units


def synthetic_corpus(
    base: Base, n: int, rng: np.random.Generator
) -> tuple[list[Article], list[Chunk], np.ndarray, np.ndarray]:
    """n passages: the CMRC ones, then copies under new doc ids (`<doc>~<copy>`); their vectors,
    with noise on the copies; and for each passage the CMRC passage it copies."""
    real = base.index.chunks
    articles: list[Article] = []
    chunks: list[Chunk] = []
    source = np.resize(np.arange(len(real)), n)
    for i, j in enumerate(source.tolist()):
        c = real[j]
        copy = i // len(real)
        doc = c.doc_id if copy == 0 else f"{c.doc_id}{COPY_MARK}{copy}"
        if j == 0 or real[j - 1].doc_id != c.doc_id:
            a = base.index.articles_by_id[c.doc_id]
            articles.append(a if copy == 0 else replace(a, doc_id=doc))
        chunks.append(Chunk(f"{doc}:{c.start}-{c.end}", doc, c.title, c.text, c.start, c.end))
    vectors = np.empty((n, base.vectors.shape[1]), dtype=np.float32)
    for lo in range(0, n, 100_000):
        hi = min(n, lo + 100_000)
        block = base.vectors[source[lo:hi]].copy()
        copied = np.arange(lo, hi) >= len(real)
        block[copied] += rng.normal(0, NOISE_SIGMA, (int(copied.sum()), block.shape[1])).astype(
            np.float32
        )
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        vectors[lo:hi] = block
    return articles, chunks, vectors, source


def keyword_index(base: Base, source: np.ndarray) -> KeywordIndex:
    """The keyword index of the replicated texts, without re-tokenising or re-counting copies."""
    copies = np.bincount(source, minlength=len(base.tokens))
    doc_freq: Counter[str] = Counter()
    for toks, k in zip(base.tokens, copies.tolist(), strict=True):
        for tok in set(toks):
            if tok and k:
                doc_freq[tok] += k
    tokens = [base.tokens[j] for j in source.tolist()]
    return KeywordIndex.from_tokens(tokens, dict(doc_freq), keep_tokens=False)


class GatheredRows:
    """Rows of a matrix picked by index, gathered a block at a time when saved (VectorRows)."""

    def __init__(self, matrix: np.ndarray, rows: np.ndarray) -> None:
        self.matrix, self.rows = matrix, rows

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.rows), self.matrix.shape[1])

    @property
    def dtype(self) -> Any:
        return self.matrix.dtype

    def __getitem__(self, rows: slice) -> np.ndarray:
        return np.asarray(self.matrix[self.rows[rows]])


def write_index_folder(index: LoadedIndex, base: Base, data_dir: Path) -> dict[str, int]:
    """The synthetic index saved by the index store, as `wenda serve` reads it; returns the
    bytes of each part."""

    def copied_units() -> Iterator[tuple[str, int, int]]:
        for a in index.articles:
            for s, e, _ in base.units.get(source_doc(a.doc_id), ()):
                yield a.doc_id, s, e

    rows = np.fromiter(
        (row for a in index.articles for _, _, row in base.units.get(source_doc(a.doc_id), ())),
        dtype=np.int64,
    )
    store = IndexStore(data_dir)
    contents = IndexContents(
        index.articles,
        index.chunks,
        index.vectors,
        index.keywords,
        copied_units(),
        GatheredRows(base.index.sentence_vectors, rows),
    )
    m = index.manifest
    store.save(contents, model=m.model, dim=m.dim, index_type="flat", hash_of_corpus=m.corpus_hash)
    folder = store.link.resolve()
    return {
        "vectors": folder_bytes(folder / VECTORS),
        "bm25": folder_bytes(folder / KEYWORDS),
        "text": folder_bytes(folder / ARTICLES) + folder_bytes(folder / CHUNKS),
        "sentences": folder_bytes(folder / UNITS) + folder_bytes(folder / UNIT_VECTORS),
        "total": folder_bytes(folder),
    }


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """(milliseconds, result) of one call."""
    t0 = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t0) * 1000, out


@dataclass(slots=True)
class ScaleRow:
    chunks: int
    articles: int = 0
    units: int = 0  # answer units (sentences) with a stored vector
    copy_cosine: float = float("nan")  # mean cosine of a noisy copy to its source vector
    build_s: dict[str, float] = field(default_factory=dict)  # flat, hnsw, bm25
    flat_ms: list[float] = field(default_factory=list)
    flat_default_ms: list[float] = field(default_factory=list)  # FAISS on its default threads
    hnsw_ms: list[float] = field(default_factory=list)
    hnsw_recall: float = float("nan")
    bm25_ms: list[float] = field(default_factory=list)  # tokenize + scores of every passage
    search_ms: dict[str, list[float]] = field(default_factory=dict)  # Retriever.search by mode
    ask_ms: list[float] = field(default_factory=list)  # QAService.ask in-process, hybrid
    ask_split: list[dict[str, float]] = field(default_factory=list)  # its own timings_ms
    disk: dict[str, int] = field(default_factory=dict)
    hnsw_bytes: int = 0
    http: list[HttpRun] = field(default_factory=list)
    not_served: str = ""  # why no server was started at this size

    def run(self, clients: int, variant: str = "") -> HttpRun | None:
        return next((r for r in self.http if r.clients == clients and r.variant == variant), None)


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """torch and FAISS on one thread: in-process timings of the work itself, not of OpenMP
    threads waiting for a share of 2 busy cores."""
    import torch

    before = torch.get_num_threads(), faiss.omp_get_max_threads()
    torch.set_num_threads(1)
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before[0])
        faiss.omp_set_num_threads(before[1])


def vector_search(row: ScaleRow, vectors: np.ndarray, query_vecs: np.ndarray, work: Path) -> Any:
    """Flat and (up to HNSW_MAX_CHUNKS) HNSW: build time, search time (one thread, and flat also
    on the default threads), HNSW recall@10 against flat."""
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
    if n > HNSW_MAX_CHUNKS:
        return flat
    t0 = time.perf_counter()
    hnsw = make_vector_index(vectors, "hnsw")
    row.build_s["hnsw"] = time.perf_counter() - t0
    hits = 0
    with one_thread():
        for q, want in zip(query_vecs, exact, strict=True):
            ms, (_, ids) = timed(hnsw.search, q[None, :], k)
            row.hnsw_ms.append(ms)
            hits += len(set(ids[0].tolist()) & want)
    row.hnsw_recall = hits / (k * len(query_vecs))
    path = work / "hnsw.faiss"
    faiss.write_index(hnsw, str(path))
    row.hnsw_bytes = path.stat().st_size
    path.unlink()
    log(f"{n:,}: HNSW built in {row.build_s['hnsw']:.1f} s, recall@10 {row.hnsw_recall:.3f}")
    return flat


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
    flat = vector_search(row, vectors, query_vecs, work)
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
        "index_type": "flat",
        "build_seconds": 0.0,
        "embedded": 0,
    }
    extra: dict[str, Any] = {}
    if base.units:
        counts["sentences"] = units
        extra["sentence_rows"] = CopiedRows(base.index.sentence_rows, set(by_id), units)
    row.units = units
    manifest = replace(base.index.manifest, **counts)
    return replace(
        base.index,
        folder=work,
        manifest=manifest,
        articles=articles,
        articles_by_id=by_id,
        chunks=chunks,
        vectors=flat,
        keywords=keywords,
        **extra,
    )


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


# ---------------------------------------------------------------- profile


STAGES: dict[tuple[str, str], str] = {
    # (function, file suffix) -> stage; a frame belongs to the innermost matching ancestor
    ("ask", "service/qa.py"): "other (QAService.ask itself)",
    ("resolve_question", "service/followup.py"): "follow-up resolution",
    ("search", "index/retriever.py"): "retrieve: ranking, fusion, hits (rest of search)",
    ("tokenize", "index/bm25.py"): "retrieve: jieba tokens of the question",
    ("scores", "index/bm25.py"): "retrieve: BM25 scores of every passage (bm25s)",
    ("embed_query", "index/embedder.py"): "question embedding (E5)",
    ("answer_question", "service/answer.py"): "answer: sentence scoring (rest)",
    ("naming_terms", "service/answer.py"): "answer: naming terms (jieba POS tagging)",
    ("has_type", "service/answer.py"): "answer: fact-type check (jieba POS tagging)",
    ("question_terms", "service/answer.py"): "answer: question terms (jieba, IDF)",
    ("answer_spans", "corpus/chunking.py"): "answer: sentence spans",
    ("similarity", "service/qa.py"): "answer: question-sentence cosine (stored vectors)",
}


def stage_of(frame: Any, inherited: str | None) -> str | None:
    path = (frame.file_path or "").replace(os.sep, "/")
    for (function, suffix), stage in STAGES.items():
        if frame.function == function and path.endswith(suffix):
            # the answer stage tokenises too: keep that in the answer's question terms
            if function == "tokenize" and inherited and inherited.startswith("answer"):
                return inherited
            return stage
    if inherited and inherited.startswith("retrieve: ranking") and "faiss" in path:
        return "retrieve: FAISS search"
    return inherited


def profile_ask(service: QAService, questions: Sequence[Question], n: int) -> dict[str, Any]:
    """pyinstrument over QAService.ask; time summed by stage."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for q in questions:
        service.ask(q.question)
    profiler.stop()
    session = profiler.last_session
    assert session is not None
    shares: Counter[str] = Counter()

    def visit(frame: Any, stage: str | None) -> None:
        stage = stage_of(frame, stage)
        if stage:
            shares[stage] += frame.total_self_time
        for child in frame.children:
            visit(child, stage)

    visit(session.root_frame(), None)
    total = sum(shares.values())
    log(f"profile at {n:,}: " + ", ".join(f"{s} {t / total:.0%}" for s, t in shares.most_common(3)))
    return {
        "chunks": n,
        "asks": len(questions),
        "total_ms": total * 1000 / len(questions),
        "stages": [(s, t * 1000 / len(questions), t / total) for s, t in shares.most_common()],
        "text": profiler.output_text(unicode=True, color=False, short_mode=True),
    }


# ---------------------------------------------------------------- report


NAN = float("nan")


def p50(run: HttpRun | None) -> float:
    return run.p(50) if run else NAN


def plot(rows: Sequence[ScaleRow], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [r.chunks for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5.6))
    Series = list[tuple[str, list[float], str]]
    latency: Series = [
        ("/ask over HTTP, p50 (hybrid)", [p50(r.run(1)) for r in rows], "o-"),
        ("QAService.ask in-process, p50", [pct(r.ask_ms, 50) for r in rows], "o--"),
        ("Retriever.search hybrid, p50", [pct(r.search_ms["hybrid"], 50) for r in rows], "s-"),
        ("FAISS flat search, 1 thread, p50", [pct(r.flat_ms, 50) for r in rows], "^-"),
        ("FAISS flat, default threads, p50", [pct(r.flat_default_ms, 50) for r in rows], "^:"),
        ("FAISS HNSW search, 1 thread, p50", [pct(r.hnsw_ms, 50) for r in rows], "v--"),
        ("BM25 tokens + scores, p50", [pct(r.bm25_ms, 50) for r in rows], "d-"),
    ]
    ready = [r.run(1) for r in rows]
    peak = [r.run(CLIENTS) for r in rows]
    memory: Series = [
        ("server RSS, ready", [x.rss_ready if x else NAN for x in ready], "o-"),
        ("server RSS, peak", [x.rss_peak if x else NAN for x in peak], "o--"),
        ("index folder on disk", [float(r.disk["total"]) for r in rows], "s-"),
        ("FAISS flat vectors", [float(r.disk["vectors"]) for r in rows], "^-"),
        ("sentence vectors + units", [r.disk["sentences"] or NAN for r in rows], "x-"),
        ("FAISS HNSW vectors", [r.hnsw_bytes or NAN for r in rows], "v--"),
    ]
    for ax, series, unit, title in (
        (left, latency, 1.0, "Latency per question"),
        (right, memory, 2**20, "Memory and disk"),
    ):
        for label, ys, style in series:
            pts = [(x, y / unit) for x, y in zip(n, ys, strict=True) if y == y and y > 0]
            if pts:
                ax.plot(*zip(*pts, strict=True), style, label=label)
        ax.set(xscale="log", yscale="log", xlabel="passages (chunks)", title=title)
        ax.set_ylabel("ms" if unit == 1.0 else "MiB")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


@dataclass(slots=True)
class Results:
    env: dict[str, Any]
    command: str
    model_load_s: float
    query_embed_ms: list[float]
    query_embed1_ms: list[float]  # with torch on one thread
    build: list[BuildRow]
    http: list[HttpRun]
    scale: list[ScaleRow]
    profile: dict[str, Any]
    seconds: float = 0.0
    sections: dict[str, float] = field(default_factory=dict)


def mb(b: float) -> str:
    if b != b:
        return "–"
    return f"{b / 2**20:,.0f}" if b >= 10 * 2**20 else f"{b / 2**20:.1f}"


def f1(x: float) -> str:
    return "–" if x != x else f"{x:,.1f}"


def f2(x: float) -> str:
    return "–" if x != x else f"{x:,.2f}"


def build_table(rows: Sequence[BuildRow]) -> list[str]:
    cold = rows[0].chunks_per_s
    out = [
        "| case | articles | passages | texts embedded | seconds | of which embedding "
        "| embedded texts/s | passages/s | vs cold |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        rate = f"{r.embedded / r.embed_seconds:.1f}" if r.embedded else "–"
        out.append(
            f"| {r.case} | {r.articles:,} | {r.chunks:,} | {r.embedded:,} | {r.seconds:.1f} | "
            f"{r.embed_seconds:.1f} | {rate} | {r.chunks_per_s:,.1f} | "
            f"{r.chunks_per_s / cold:,.0f}× |"
        )
    return out


def http_table(runs: Sequence[HttpRun]) -> list[str]:
    out = [
        "| corpus (passages) | mode | clients | requests | p50 ms | p95 ms | p99 ms | req/s "
        "| p50 vs hybrid | service p50 ms | server RSS peak MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    hybrid = {(r.corpus, r.clients): r.p(50) for r in runs if r.label == "hybrid"}
    for r in runs:
        failed = f" ({r.errors} failed)" if r.errors else ""
        out.append(
            f"| {r.corpus} ({r.chunks:,}) | {r.label} | {r.clients} | {len(r.latency_ms)}{failed} "
            f"| {r.p(50):.1f} | {r.p(95):.1f} | {r.p(99):.1f} | {r.rps:.1f} | "
            f"{r.p(50) / hybrid[(r.corpus, r.clients)]:.2f}× | {pct(r.server_ms, 50):.1f} | "
            f"{mb(r.rss_peak)} |"
        )
    return out


def variants_table(runs: Sequence[HttpRun]) -> list[str]:
    out = [
        "| corpus (passages) | server environment | clients | p50 ms | p95 ms | p99 ms | req/s "
        "| p50 vs default | req/s vs default |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    default = {(r.corpus, r.clients): r for r in runs if not r.variant}
    for r in runs:
        d = default[(r.corpus, r.clients)]
        env = " ".join(f"{k}={v}" for k, v in VARIANTS[r.variant].items()) or "default"
        out.append(
            f"| {r.corpus} ({r.chunks:,}) | {env} | {r.clients} | {r.p(50):.1f} | {r.p(95):.1f} "
            f"| {r.p(99):.1f} | {r.rps:.1f} | {r.p(50) / d.p(50):.2f}× | {r.rps / d.rps:.2f}× |"
        )
    return out


def scale_tables(rows: Sequence[ScaleRow]) -> tuple[list[str], list[str]]:
    search = [
        "| passages | FAISS flat p50 ms (default threads) | HNSW p50 ms | HNSW recall@10 vs flat "
        "| BM25 p50 ms | search p50 ms: hybrid / bm25 / dense | ask in-process p50 ms "
        "| /ask HTTP p50 / p95 / p99 ms | req/s, 8 clients |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    memory = [
        "| passages | articles | answer units | server start s | server RSS ready / peak MiB "
        "| index on disk MiB | of which FAISS / BM25 / text / sentences | HNSW file MiB "
        "| build s: flat / HNSW / BM25 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        one, many = r.run(1), r.run(CLIENTS)
        modes = " / ".join(f1(pct(r.search_ms[m], 50)) for m in MODES)
        http = f"{one.p(50):.1f} / {one.p(95):.1f} / {one.p(99):.1f}" if one else "not served"
        search.append(
            f"| {r.chunks:,} | {f2(pct(r.flat_ms, 50))} ({f2(pct(r.flat_default_ms, 50))}) | "
            f"{f2(pct(r.hnsw_ms, 50)) if r.hnsw_ms else 'not built'} | {f2(r.hnsw_recall)} | "
            f"{f2(pct(r.bm25_ms, 50))} | {modes} | {f1(pct(r.ask_ms, 50))} | {http} | "
            f"{f1(many.rps) if many else '–'} |"
        )
        d = r.disk
        served = (
            f"{one.startup_s:.0f} | {mb(one.rss_ready)} / {mb(many.rss_peak)}"
            if one and many
            else "– | not served"
        )
        memory.append(
            f"| {r.chunks:,} | {r.articles:,} | {r.units:,} | {served} | {mb(d['total'])} | "
            f"{mb(d['vectors'])} / {mb(d['bm25'])} / {mb(d['text'])} / {mb(d['sentences'])} | "
            f"{mb(r.hnsw_bytes) if r.hnsw_bytes else '–'} | {r.build_s['flat']:.1f} / "
            f"{f1(r.build_s.get('hnsw', NAN))} / {r.build_s['bm25']:.0f} |"
        )
    return search, memory


def headline(res: Results) -> list[str]:
    b = res.build
    lines = [
        f"- **Index build**: {b[0].chunks_per_s:.1f} passages/s from cold ({b[0].embedded:,} "
        f"texts embedded for {b[0].chunks:,} passages: passages and answer units; embedding "
        f"{b[0].embed_seconds / b[0].seconds:.1%} of the time); an unchanged rebuild of CMRC "
        f"{b[2].chunks_per_s:,.0f} passages/s ({b[2].chunks_per_s / b[0].chunks_per_s:,.0f}× "
        f"cold, all from the cache); {update_figures(b)} (by id: only new text embedded and "
        "tokenised, FAISS rows removed in place, BM25 rebuilt from stored tokens).",
    ]
    cmrc = {(r.label, r.clients): r for r in res.http if r.corpus == "CMRC 2018"}
    if ("hybrid", 1) in cmrc:
        h1, h8 = cmrc[("hybrid", 1)], cmrc[("hybrid", CLIENTS)]
        lines.append(
            f"- **/ask over HTTP on CMRC 2018 ({h1.chunks:,} passages), hybrid**: p50 "
            f"{h1.p(50):.0f} ms, p95 {h1.p(95):.0f} ms, p99 {h1.p(99):.0f} ms one at a time; "
            f"{h8.rps:.1f} req/s with {CLIENTS} clients (p50 {h8.p(50):.0f} ms). Keyword-only: "
            f"p50 {cmrc[('bm25', 1)].p(50):.0f} ms, {cmrc[('bm25', CLIENTS)].rps:.0f} req/s; "
            f"dense-only: p50 {cmrc[('dense', 1)].p(50):.0f} ms, "
            f"{cmrc[('dense', CLIENTS)].rps:.0f} req/s."
        )
    for r in res.scale:
        if r.chunks < 100_000:
            continue
        one, many = r.run(1), r.run(CLIENTS)
        hnsw = (
            f", HNSW {pct(r.hnsw_ms, 50):.2f} ms at recall@10 {r.hnsw_recall:.3f}"
            if r.hnsw_ms
            else ""
        )
        served = (
            f"/ask p50 {one.p(50):.0f} ms over HTTP, server RSS {many.rss_peak / 2**30:.1f} GiB "
            "at peak; "
            if one and many
            else "not served (memory); "
        )
        lines.append(
            f"- **{r.chunks:,} passages** (synthetic): {served}QAService.ask p50 "
            f"{pct(r.ask_ms, 50):.0f} ms in-process; FAISS flat {pct(r.flat_ms, 50):.1f} ms"
            f"{hnsw}; index {r.disk['total'] / 2**30:.2f} GiB on disk."
        )
    by = {
        (r.corpus, r.variant, r.clients): r
        for r in [*res.http, *(r for s in res.scale if s.chunks == PROFILE_SIZE for r in s.http)]
        if r.mode == "hybrid"
    }
    found = [
        f"{corpus} {by[(corpus, '1 thread', 1)].p(50):.0f} against "
        f"{by[(corpus, '', 1)].p(50):.0f} ms p50 one at a time, "
        f"{by[(corpus, '1 thread', CLIENTS)].rps:.1f} against "
        f"{by[(corpus, '', CLIENTS)].rps:.1f} req/s with {CLIENTS} clients"
        for corpus in ("CMRC 2018", "synthetic")
        if (corpus, "1 thread", CLIENTS) in by and (corpus, "", CLIENTS) in by
    ]
    if found:
        lines.append(
            "- **Threads**: a server with one torch and one OpenMP thread per question, against "
            f"the default of one per core: {'; '.join(found)} (synthetic: "
            f"{PROFILE_SIZE:,} passages). FAISS flat search alone, in-process: "
            + ", ".join(
                f"{pct(r.flat_ms, 50):.1f} ms on one thread against "
                f"{pct(r.flat_default_ms, 50):.1f} ms at {r.chunks:,}"
                for r in res.scale
                if r.chunks >= 100_000
            )
            + "."
        )
    if res.profile:
        top = res.profile["stages"][0]
        lines.append(
            f"- **Slowest stage of /ask at {res.profile['chunks']:,} passages**: {top[0]}, "
            f"{top[2]:.0%} of the time in QAService.ask ({top[1]:.1f} of "
            f"{res.profile['total_ms']:.1f} ms)."
        )
    return lines


def profile_section(res: Results) -> list[str]:
    p = res.profile
    out = [
        f"## Where the time of /ask goes at {p['chunks']:,} passages",
        "",
        f"pyinstrument (0.5 ms sampling) over {p['asks']} `QAService.ask` calls (hybrid, flat "
        "index, torch and FAISS on one thread) in-process: "
        f"{p['total_ms']:.1f} ms per question, by stage (a frame counts for the innermost "
        "stage it is in):",
        "",
        "| stage | ms per question | share |",
        "|---|---:|---:|",
        *(f"| {s} | {ms:.1f} | {share:.0%} |" for s, ms, share in p["stages"]),
        "",
    ]
    out += [
        "Without the profiler, from QAService.ask's own `timings_ms` over the same questions "
        "(mean ms per question, one thread), at every size:",
        "",
        "| passages | question embedding | rest of retrieval | answer | total | embedding share |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res.scale:
        embed, retrieve, answer, total = (
            float(np.mean([t.get(k, NAN) for t in r.ask_split]))
            for k in ("embed", "retrieve", "answer", "total")
        )
        out.append(
            f"| {r.chunks:,} | {embed:.1f} | {retrieve - embed:.1f} | {answer:.1f} | "
            f"{total:.1f} | {embed / total:.0%} |"
        )
    out.append("")
    at = [r for r in res.scale if r.chunks == p["chunks"]]
    one = at[0].run(1) if at else None
    if one:
        rest = one.p(50) - pct(one.server_ms, 50)
        out += [
            f"Over HTTP at this size the median /ask took {one.p(50):.1f} ms, of which "
            f"{pct(one.server_ms, 50):.1f} ms inside QAService.ask: HTTP, validation and JSON "
            f"add about {rest:.1f} ms ({rest / one.p(50):.0%}).",
            "",
        ]
    top = p["stages"][0]
    out += [
        f"**Slowest stage: {top[0]}, {top[2]:.0%} of the time** ({top[1]:.1f} ms per question "
        "under the profiler, whose overhead raises every figure; the unprofiled split above "
        "gives the milliseconds).",
        "",
    ]
    return out


def report(res: Results) -> str:
    env = res.env
    search, memory = scale_tables(res.scale)
    skipped = [f"- {r.chunks:,} passages: {r.not_served}." for r in res.scale if r.not_served]
    q1, qd = res.query_embed1_ms, res.query_embed_ms
    out = [
        "# Performance benchmarks",
        "",
        f"Written by `{res.command}` (`make bench`) on {env['date']} at commit `{env['commit']}`, "
        f"in {res.seconds / 60:.1f} min.",
        "",
        f"Machine: {env['cpus']} vCPU {env['cpu']}"
        f"{' with AVX512_BF16 (the model runs in bfloat16)' if env['bf16'] else ''}, "
        f"{env['mem_gb']:.0f} GiB RAM; Python {env['python']}, {env['versions']}. "
        f"Load average at start {env['load_start'][0]:.1f}, at end {env['load_end'][0]:.1f}: "
        "the VM is shared with other work and timings vary by up to ~1.8× between runs "
        "(MODELS.md §7); the benchmark's own HTTP clients run on the same 2 cores as the server.",
        "",
        "## Headline",
        "",
        *headline(res),
        "",
        "## Index build",
        "",
        f"`build_index` with the real E5 embedder (model load {res.model_load_s:.1f} s, not "
        "counted), which embeds every passage and every answer unit (sentence). *Cold*: the "
        "first CMRC 2018 articles with an empty embedding cache. *Rebuild, unchanged*: the same "
        "again, every text from the cache. The last two rows use the whole CMRC corpus less its "
        "last 1%, with a copy of the shared embedding cache from which the texts only that 1% "
        "needs were removed, then add the 1% by `update_index` (what `wenda add` runs: only "
        "their texts embedded and tokenised), then remove 1% other articles by id.",
        "",
        *build_table(res.build),
        "",
        "## /ask over HTTP",
        "",
        "Real `wenda serve` processes on 127.0.0.1, one per corpus and mode (`WENDA_MODE`), each "
        "warmed up with 5 questions. Questions: the 20 of `seed_dev.jsonl` on the seed page, "
        "the first 200 of CMRC 2018 on CMRC, cycled. *Service p50* is the server's own "
        "`timings_ms.total` (QAService.ask); the rest of the latency is HTTP, JSON and the "
        "thread pool. In bm25 mode the server never loads the model, hence its small RSS.",
        "",
        *http_table([r for r in res.http if not r.variant]),
        "",
        f"Question embedding alone (E5, one at a time, in-process): p50 {pct(qd, 50):.1f} ms, "
        f"p95 {pct(qd, 95):.1f} ms with torch's default threads; p50 {pct(q1, 50):.1f} ms, "
        f"p95 {pct(q1, 95):.1f} ms on one thread.",
        "",
        "### Threads: spinning OpenMP workers on 2 shared cores",
        "",
        "torch (the question embedding) and FAISS each split one question over every core with "
        "OpenMP, whose idle workers spin rather than sleep. On these 2 vCPUs, shared with other "
        "processes and with the other requests, a spinning worker takes the core the working "
        "one needs. The same hybrid servers were also run with idle workers sleeping "
        "(`OMP_WAIT_POLICY=PASSIVE`) and with one thread per question "
        "(`OMP_NUM_THREADS=1 WENDA_TORCH_THREADS=1`). Each server ran once, a minute or two "
        "apart, while other work loaded the machine: read differences under ~1.3× as noise.",
        "",
        *variants_table(
            [r for r in res.http if r.corpus == "CMRC 2018" and r.mode == "hybrid"]
            + [r for s in res.scale if s.chunks == PROFILE_SIZE for r in s.http]
        ),
        "",
        "## How cost grows with the corpus",
        "",
        "![latency and memory against corpus size](img/bench-scale.png)",
        "",
        "The smallest size is the first 1,000 real CMRC passages. The larger ones are synthetic: "
        "the 1,859 CMRC passages replicated under new doc ids (`<doc_id>~<copy>`), so texts "
        "repeat exactly and the BM25 vocabulary stays that of CMRC while its posting lists grow "
        "with the corpus; the copies' vectors are the real ones plus gaussian noise "
        f"(σ = {NOISE_SIGMA} per dimension, renormalised; mean cosine to the source "
        f"{np.nanmean([r.copy_cosine for r in res.scale]):.3f}), about as close as neighbouring "
        "passages of one article; their answer units reuse the real units' vectors. Nothing "
        "was embedded for them. In-process figures use the first CMRC questions and run torch "
        "and FAISS on one thread, so that they time the work rather than the waiting for a busy "
        "core (flat search is also shown on FAISS's default threads); BM25 is "
        "tokenize + `KeywordIndex.scores`; *search* is `Retriever.search` (k = 5), including the "
        "question embedding except in bm25 mode; *ask* is `QAService.ask` (search + answer). "
        "The HTTP columns and the server memory come from a real `wenda serve` (hybrid, flat "
        "index) on the index folder written at that size. HNSW (M = 32, efConstruction 80, "
        "efSearch 64, as `make_vector_index` sets them; its recall is measured on the synthetic "
        "vectors, whose clusters of near-copies are harder than real passages) is built up to "
        f"{HNSW_MAX_CHUNKS:,} passages only: at 1M its build would take over 10× the 100k time "
        "on 2 cores, longer than the rest of the benchmark.",
        "",
        *search,
        "",
        *memory,
        "",
        *skipped,
        *([""] if skipped else []),
    ]
    if res.profile:
        out += profile_section(res)
    out += [
        "## Reproduce",
        "",
        "```",
        "make bench          # or: .venv/bin/python -m bench.performance --out docs/benchmarks.md",
        "```",
        "",
        "`--quick` runs a smaller smoke version (1k and 10k passages, fewer requests). The "
        "benchmark needs the CMRC 2018 files of the shared evaluation data (`--shared`, default "
        "`../shared`); on a fresh clone it first builds the CMRC index `wenda eval` uses "
        "(minutes of embedding, once). Section times this run: "
        + ", ".join(f"{k} {v / 60:.1f} min" for k, v in res.sections.items())
        + ".",
        "",
    ]
    return "\n".join(out)


# ---------------------------------------------------------------- main


def seed_index(work: Path) -> Path:
    """The bundled seed page indexed with `wenda index` into a fresh data dir (own cache)."""
    data_dir = work / "seed"
    env = {**os.environ, "WENDA_CACHE_DIR": str(work / "seed-cache")}
    wenda = Path(sys.executable).with_name("wenda")
    subprocess.run(
        [str(wenda), "index", "--data-dir", str(data_dir)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return data_dir


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    ap.add_argument("--quick", action="store_true", help="A smaller smoke run.")
    ap.add_argument(
        "--updates-only",
        action="store_true",
        help="Only time adding and removing 1%% of CMRC on its index (warm cache) and print it.",
    )
    ap.add_argument(
        "--sizes",
        type=lambda v: tuple(int(x) for x in v.split(",")),
        help=f"Corpus sizes in passages, comma-separated (default {','.join(map(str, SIZES))}).",
    )
    args = ap.parse_args(argv)
    budget = QUICK if args.quick else Budget()
    if args.sizes:
        budget = replace(budget, sizes=args.sizes)
    started = time.perf_counter()
    docs = args.shared / "eval" / "cmrc2018" / "docs.jsonl"
    if not docs.exists():
        print(
            f"bench: {docs} not found; pass --shared <folder with eval/cmrc2018>", file=sys.stderr
        )
        return 2
    if args.updates_only:
        return print_updates(docs)
    env = machine()
    sections: dict[str, float] = {}

    t = time.perf_counter()
    settings = Settings()
    t0 = time.perf_counter()
    embedder = make_embedder(settings)
    embedder.embed_query("预热")
    model_load_s = time.perf_counter() - t0
    cmrc_dir = ensure_cmrc_index(docs, embedder)
    base_index = load_index(cmrc_dir, embedder.name, embedder.dim)
    base = Base.of(base_index)
    cmrc_articles = load_corpus([docs])
    seed_q = read_questions(args.shared / "eval" / "seed_dev.jsonl", 200)
    cmrc_q = read_questions(args.shared / "eval" / "cmrc2018" / "questions_public.jsonl", 200)
    import torch

    query_embed_ms: list[float] = []
    query_vecs = []
    for q in cmrc_q[: budget.queries]:
        ms, vec = timed(embedder.embed_query, q.question)
        query_embed_ms.append(ms)
        query_vecs.append(vec)
    default_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    query_embed1_ms = [timed(embedder.embed_query, q.question)[0] for q in cmrc_q[:100]]
    torch.set_num_threads(default_threads)
    sections["set-up"] = time.perf_counter() - t

    with tempfile.TemporaryDirectory(prefix="wenda-bench-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        shared_cache = settings.embedding_cache_dir / f"embeddings-{embedder.name}.sqlite"
        build = bench_build(embedder, cmrc_articles, shared_cache, work, budget)
        sections["build"] = time.perf_counter() - t

        t = time.perf_counter()
        seed_dir = seed_index(work)
        seed_chunks = json.loads((seed_dir / "index" / "manifest.json").read_text())["chunks"]
        http = bench_http(
            seed_dir,
            seed_chunks,
            cmrc_dir,
            len(base_index.chunks),
            seed_q,
            cmrc_q,
            work,
            budget,
        )
        sections["HTTP"] = time.perf_counter() - t

        t = time.perf_counter()
        profile: dict[str, Any] = {}
        scale: list[ScaleRow] = []
        for n in budget.sizes:
            scale.append(
                bench_size(
                    n, scale, base, embedder, np.stack(query_vecs), cmrc_q, work, budget, profile
                )
            )
        sections["scale"] = time.perf_counter() - t
        if profile:
            log("pyinstrument call tree:\n" + profile["text"])

    env["load_end"] = os.getloadavg()
    command = " ".join(["python -m bench.performance", *(sys.argv[1:] if argv is None else argv)])
    res = Results(
        env,
        command,
        model_load_s,
        query_embed_ms,
        query_embed1_ms,
        build,
        http,
        scale,
        profile,
        time.perf_counter() - started,
        sections,
    )
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    plot(scale, out.parent / "img" / "bench-scale.png")
    out.write_text(report(res), encoding="utf-8")
    log(f"wrote {out} and {out.parent / 'img' / 'bench-scale.png'}")
    print("\n".join(headline(res)))
    return 0


def print_updates(docs: Path) -> int:
    """--updates-only: the update rows on CMRC with a warm cache, against the last full bench's
    cold embedding rate (docs/benchmarks.md: 8.9 texts/s) unless measured here."""
    cmrc = load_corpus([docs])
    settings = Settings()
    embedder = make_embedder(settings)
    new = max(1, round(len(cmrc) * 0.01))
    with tempfile.TemporaryDirectory(prefix="wenda-bench-") as tmp:
        work = Path(tmp)
        total = len(texts_embedded_by(cmrc, embedder, work))
        only_new = texts_embedded_by(cmrc[-new:], embedder, work) - texts_embedded_by(
            cmrc[:-new], embedder, work
        )
        shared = settings.embedding_cache_dir / f"embeddings-{embedder.name}.sqlite"
        path = work / "cache" / "embeddings.sqlite"
        copy_cache(shared, path, {text_key(embedder.name, t) for t in only_new})
        cache = EmbeddingCache(path)
        try:
            base = timed_build("rebuild, unchanged", cmrc[:-new], embedder, work / "d", cache)
            rows = update_rows(cmrc, new, embedder, work / "d", cache, total)
        finally:
            cache.close()
    cold = BuildRow("cold rate of docs/benchmarks.md", 100, 176, 1473, 165.9, 165.6)
    print("\n".join(build_table([cold, base, *rows])))
    print(update_figures([cold, base, base, *rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
