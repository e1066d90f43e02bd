"""Index builds and updates timed through the index store (cold, unchanged, 1% added and removed); the CMRC and seed indexes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.perf.common import Budget, log
from corpus.model import Article
from index.cache import EmbeddingCache, text_key
from index.embedder import Embedder
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
