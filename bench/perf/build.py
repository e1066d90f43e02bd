"""Index builds and updates timed through the index store (cold, unchanged, 1% added and removed); the CMRC and seed indexes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.perf.common import Budget, log
from corpus.model import Article
from index.cache import EmbeddingCache, text_key
from index.embedder import E5Embedder, Embedder, vectors_name
from index.encoding import (
    chunk_corpus,
    embed_with_cache,
    passage_input,
    sentence_input,
    sentence_units,
)
from index.layout import Manifest
from index.store import (
    build_index,
    update_index,
)
from service import operations
from service.settings import Settings


def ensure_cmrc_index(docs: Path, embedder: Embedder) -> Path:
    """The CMRC index `wenda eval --corpus docs` uses, built first (through the shared cache)
    if missing or out of date."""
    log("making sure the CMRC index is current (once; `wenda eval` reuses it)")
    settings = operations.ensure_eval_index(Settings(), embedder, [docs])
    return settings.data_dir


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


class EmbeddingClock:
    """A build's progress callback that notes when the embedding finished."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.done: list[float] = []

    def __call__(self, done: int, total: int) -> None:
        if done >= total:
            self.done.append(time.perf_counter())

    def row(self, case: str, m: Manifest) -> BuildRow:
        """The build row of manifest m, timed from this clock's start until now."""
        embed_s = (self.done[-1] - self.started) if self.done else 0.0
        seconds = time.perf_counter() - self.started
        return BuildRow(case, m.articles, m.chunks, m.embedded, seconds, embed_s)


def timed_build(
    case: str,
    articles: Sequence[Article],
    embedder: Embedder,
    data_dir: Path,
    cache: EmbeddingCache,
) -> BuildRow:
    clock = EmbeddingClock()
    row = clock.row(case, build_index(articles, embedder, data_dir, cache, clock))
    log(
        f"build {case}: {row.chunks} chunks, {row.embedded} embedded, {row.seconds:.1f} s "
        f"({row.chunks_per_s:.1f} chunks/s)"
    )
    return row


def timed_update(
    case: str, data_dir: Path, embedder: Embedder, cache: EmbeddingCache, **change: Any
) -> BuildRow:
    """`update_index` (what `wenda add`/`remove` run) on an existing index, timed."""
    clock = EmbeddingClock()
    m, _ = update_index(data_dir, embedder, cache=cache, progress=clock, **change)
    row = clock.row(case, m)
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
    copy_cache(shared_cache, path, {text_key(vectors_name(embedder), t) for t in only_new})
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


@dataclass(slots=True)
class EncodingSpeed:
    """Our build's embedding path against plain `SentenceTransformer.encode` of the same texts,
    in turns (plain, ours, plain, ours, …) in one process: wall and CPU seconds per turn."""

    texts: int  # texts in the sample each turn embeds
    chars: int
    corpus_passages: int
    corpus_texts: int  # distinct texts a build of the corpus embeds
    threads: int
    dtype: str
    plain_s: list[float] = field(default_factory=list)
    ours_s: list[float] = field(default_factory=list)
    plain_cpu_s: list[float] = field(default_factory=list)
    ours_cpu_s: list[float] = field(default_factory=list)
    max_difference: float = 0.0  # largest |plain - ours| over the vectors' components
    load: tuple[float, ...] = ()  # the machine's load average when done

    @property
    def ratio(self) -> float:
        """Our throughput over plain encode's, best turn against best turn (wall)."""
        return min(self.plain_s) / min(self.ours_s)

    @property
    def cpu_ratio(self) -> float:
        return min(self.plain_cpu_s) / min(self.ours_cpu_s)


def build_texts(articles: Sequence[Article]) -> tuple[list[str], int]:
    """The distinct texts a build of articles embeds (passages first), and how many passages."""
    chunks = chunk_corpus(articles)
    by_id = {a.doc_id: a for a in articles}
    units = [sentence_input(by_id[d], s, e) for d, s, e in sentence_units(articles)]
    texts = list(dict.fromkeys([passage_input(c) for c in chunks] + units))
    return texts, len(chunks)


def encoding_speed(
    model_dir: Path, articles: Sequence[Article], sample: int, turns: int, work: Path
) -> EncodingSpeed:
    """Every k-th text of a build of articles (sample of them), embedded `turns` times each way."""
    import torch
    from sentence_transformers import SentenceTransformer

    texts, passages = build_texts(articles)
    chosen = texts[:: max(1, len(texts) // sample)][:sample]
    ours = E5Embedder(model_dir)
    plain = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    speed = EncodingSpeed(
        len(chosen),
        sum(map(len, chosen)),
        passages,
        len(texts),
        torch.get_num_threads(),
        str(ours.model.dtype).removeprefix("torch."),
    )
    warm = chosen[:16]
    plain.encode(warm, prompt_name="passage")
    ours.embed_passages(warm)
    for turn in range(turns):
        t0, c0 = time.perf_counter(), time.process_time()
        expected = plain.encode(chosen, prompt_name="passage", normalize_embeddings=True)
        speed.plain_s.append(time.perf_counter() - t0)
        speed.plain_cpu_s.append(time.process_time() - c0)
        cache = EmbeddingCache(work / f"encoding-{turn}" / "embeddings.sqlite")  # empty
        t0, c0 = time.perf_counter(), time.process_time()
        got, _ = embed_with_cache(ours, chosen, cache)
        speed.ours_s.append(time.perf_counter() - t0)
        speed.ours_cpu_s.append(time.process_time() - c0)
        cache.close()
        speed.max_difference = max(speed.max_difference, float(np.abs(got - expected).max()))
        log(
            f"encoding turn {turn + 1}: plain {speed.plain_s[-1]:.1f} s, ours {speed.ours_s[-1]:.1f} s"
        )
    speed.load = os.getloadavg()
    return speed


def cold_build(articles: Sequence[Article], embedder: Embedder, work: Path) -> BuildRow:
    """A build of articles from an empty embedding cache, timed (wall; CPU in the log)."""
    cache = EmbeddingCache(work / "cache-empty" / "embeddings.sqlite")
    c0 = time.process_time()
    try:
        row = timed_build(
            "cold (empty cache), whole corpus", articles, embedder, work / "cold", cache
        )
    finally:
        cache.close()
    log(f"cold build: {time.process_time() - c0:.0f} CPU s")
    shutil.rmtree(work / "cold", ignore_errors=True)
    return row


def encoding_section(speed: EncodingSpeed, cold: BuildRow | None, command: str) -> list[str]:
    """The "## Embedding throughput" section of docs/benchmarks.md."""
    rate = speed.texts / min(speed.ours_s)
    lines = [
        "## Embedding throughput",
        "",
        f"`{command}`: {speed.texts} texts ({speed.chars:,} characters) of a CMRC build, every "
        f"k-th, embedded {len(speed.ours_s)} times each way in turns in one process "
        f"({speed.threads} torch thread(s), {speed.dtype}): plain `SentenceTransformer.encode` "
        "(prompt `passage: `, batch 32) against our build's path (`embed_with_cache` from an "
        "empty cache: lookups, dedup, batching by length, cache writes).",
        "",
        "| path | best wall s | best CPU s | texts/s |",
        "|---|---|---|---|",
        f"| plain encode | {min(speed.plain_s):.1f} | {min(speed.plain_cpu_s):.1f} | "
        f"{speed.texts / min(speed.plain_s):.1f} |",
        f"| our build | {min(speed.ours_s):.1f} | {min(speed.ours_cpu_s):.1f} | {rate:.1f} |",
        "",
        f"Our throughput is **{speed.ratio:.2f}×** plain encode's (CPU time: "
        f"{speed.cpu_ratio:.2f}×; target ≥ 0.9×); the vectors agree to "
        f"{speed.max_difference:.1e}. A build embeds {speed.corpus_texts / speed.corpus_passages:.1f} "
        f"texts per passage ({speed.corpus_texts:,} distinct texts for "
        f"{speed.corpus_passages:,} passages of CMRC: the passage and each answer unit). "
        f"Load average when done: {', '.join(f'{x:.1f}' for x in speed.load)} on "
        "2 shared cores: the CPU-time ratio is the steadier figure.",
    ]
    if cold:
        lines += [
            "",
            f"The whole CMRC corpus from an empty cache: {cold.seconds:,.0f} s "
            f"({cold.embed_seconds:,.0f} s of it embedding {cold.embedded:,} texts, "
            f"{cold.embedded / max(cold.embed_seconds, 1e-9):.1f} texts/s).",
        ]
    return [*lines, ""]


def encoding_record(
    model_dir: Path, articles: Sequence[Article], work: Path, sample: int, whole: bool
) -> dict[str, Any]:
    """The embedding throughput against plain encode, and (whole) the cold build of all
    articles, as the JSON `make bench` keeps (docs/benchmarks.json's "encoding")."""
    speed = encoding_speed(model_dir, articles, sample, 3, work)
    cold = cold_build(articles, E5Embedder(model_dir), work) if whole else None
    return {**asdict(speed), "cold": asdict(cold) if cold else None}


def encoding_lines(record: dict[str, Any], command: str) -> list[str]:
    """The section of an encoding_record."""
    raw = dict(record)
    cold = raw.pop("cold", None)
    return encoding_section(EncodingSpeed(**raw), BuildRow(**cold) if cold else None, command)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import json

    from bench.perf.abuse import replace_section
    from corpus.loading import load_corpus
    from service.settings import PROJECT_ROOT

    ap = argparse.ArgumentParser(description="Embedding throughput against plain encode.")
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    ap.add_argument("--sample", type=int, default=480, help="texts embedded each turn")
    ap.add_argument("--cold", action="store_true", help="also build all of CMRC from no cache")
    args = ap.parse_args(argv)
    articles = load_corpus([args.shared / "eval" / "cmrc2018" / "docs.jsonl"])
    with tempfile.TemporaryDirectory(prefix="wenda-encoding-") as tmp:
        record = encoding_record(Settings().model_dir, articles, Path(tmp), args.sample, args.cold)
    command = "python -m bench.perf.build" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    lines = encoding_lines(record, command)
    print("\n".join(lines))
    out: Path = args.out
    doc = out.read_text(encoding="utf-8")
    out.write_text(replace_section(doc, lines, "Embedding throughput"), encoding="utf-8")
    results = out.with_suffix(".json")  # the record `make bench` renders its report from
    if results.exists():
        raw = json.loads(results.read_text(encoding="utf-8"))
        raw["encoding"] = record
        results.write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
