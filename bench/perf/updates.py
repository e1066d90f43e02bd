"""What `wenda add` and `wenda remove` cost as the archive grows: 1% of the articles added and
1% removed on the CMRC index (1,859 passages: the new texts really embedded) and on synthetic
indexes of 10,000 and 100,000 passages (CMRC articles replicated under new ids, saved with
their stored tokens; the articles added are further copies, so their texts come from the
embedding cache and the timing is everything an update does besides embedding: reading,
chunking, tokenising, editing and publishing the new generation). For each update, the bytes
the new build folder holds and how many of them were written rather than linked from the
build before.

    python -m bench.perf.updates --out docs/updates.md [--sizes 10000,100000] [--cold]

With --cold the whole CMRC corpus is also built from an empty embedding cache in the same run,
and that build's time (not the estimated rate) is what each update is set against.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.perf.build import copy_cache, texts_embedded_by, timed_build
from bench.perf.common import log
from bench.perf.synthetic import GatheredRows
from corpus.loading import load_corpus
from corpus.model import Article, Chunk
from index.bm25 import KeywordIndex, tokenize
from index.cache import EmbeddingCache, text_key
from index.embedder import Embedder, vectors_name
from index.encoding import passage_input
from index.folder import IndexContents, LoadedIndex
from index.layout import INDEX_LINK
from index.store import IndexStore, load_index, update_index
from index.vectors import concrete_type, make_vector_index
from service import operations
from service.qa import make_embedder
from service.settings import PROJECT_ROOT, Settings

SHARE = 0.01  # of the articles added, then removed
COLD_TEXTS_PER_S = 8.9  # a cold build's embedding rate here (docs/benchmarks.md)


@dataclass(slots=True)
class UpdateRow:
    corpus: str
    passages: int
    change: str  # "add 1% (n articles)" / "remove 1% (n articles)"
    seconds: float
    cpu_seconds: float  # of this process: what the update costs whatever else shares the CPU
    embedded: int
    folder_mb: float  # the new build folder
    written_mb: float  # of which written by this update (the rest linked from the build before)
    cold_s: float  # a full cold build of this many passages, estimated at the cold rate

    def cells(self) -> list[str]:
        return [
            self.corpus,
            f"{self.passages:,}",
            self.change,
            f"{self.seconds:.2f}",
            f"{self.cpu_seconds:.2f}",
            f"{self.embedded:,}",
            f"{self.written_mb:,.1f} of {self.folder_mb:,.1f}",
            f"{self.seconds / self.cold_s:.2%}",
        ]


def written_and_total_mb(data_dir: Path) -> tuple[float, float]:
    """MB of the published build folder, and of those the files written for it (one link)."""
    folder = (data_dir / INDEX_LINK).resolve()
    files = [p for p in folder.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    written = sum(p.stat().st_size for p in files if p.stat().st_nlink == 1)
    return written / 1e6, total / 1e6


def timed_update(
    corpus: str, data_dir: Path, embedder: Embedder, cache: EmbeddingCache, cold_s: float, **c: Any
) -> UpdateRow:
    t0, cpu0 = time.perf_counter(), time.process_time()
    m, changes = update_index(data_dir, embedder, cache=cache, **c)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    n = len(changes.added) + len(changes.removed)
    kind = "add" if changes.added else "remove"
    written, total = written_and_total_mb(data_dir)
    change = f"{kind} 1% ({n} articles)"
    row = UpdateRow(corpus, m.chunks, change, seconds, cpu, m.embedded, total, written, cold_s)
    log(
        f"{corpus}: {change} in {seconds:.2f} s ({cpu:.2f} s CPU), "
        f"wrote {written:.1f} of {total:.1f} MB"
    )
    return row


def cold_rate(docs: Path, embedder: Embedder, work: Path) -> float:
    """Texts per second of a real cold build of the whole CMRC corpus (an empty cache)."""
    cache = EmbeddingCache(work / "cache-cold" / "embeddings.sqlite")
    try:
        row = timed_build("CMRC, cold", load_corpus([docs]), embedder, work / "cold", cache)
    finally:
        cache.close()
    shutil.rmtree(work / "cold", ignore_errors=True)
    shutil.rmtree(work / "cache-cold", ignore_errors=True)
    return row.embedded / row.seconds


def cmrc_rows(
    docs: Path, embedder: Embedder, work: Path, shared_cache: Path, rate: float
) -> list[UpdateRow]:
    """CMRC less its last 1% built from a copy of the shared cache that lacks the texts only
    that 1% needs; then the 1% added (embedded for real) and 1% other articles removed."""
    cmrc = load_corpus([docs])
    new = max(1, round(len(cmrc) * SHARE))
    total = len(texts_embedded_by(cmrc, embedder, work))
    only_new = texts_embedded_by(cmrc[-new:], embedder, work) - texts_embedded_by(
        cmrc[:-new], embedder, work
    )
    path = work / "cache-cmrc" / "embeddings.sqlite"
    copy_cache(shared_cache, path, {text_key(vectors_name(embedder), t) for t in only_new})
    cold_s = total / rate
    cache = EmbeddingCache(path)
    try:
        timed_build("CMRC less 1%, from the cache", cmrc[:-new], embedder, work / "cmrc", cache)
        add = timed_update("CMRC 2018", work / "cmrc", embedder, cache, cold_s, upsert=cmrc[-new:])
        gone = [a.doc_id for a in cmrc[:new]]
        remove = timed_update("CMRC 2018", work / "cmrc", embedder, cache, cold_s, remove=gone)
    finally:
        cache.close()
    shutil.rmtree(work / "cmrc", ignore_errors=True)
    return [add, remove]


def copy_of(a: Article, number: int) -> Article:
    return a if number == 0 else replace(a, doc_id=f"{a.doc_id}~{number}")


def synthetic_index(
    base: LoadedIndex, n: int, data_dir: Path, index_type: str = "flat"
) -> list[Article]:
    """An index of about n passages, whole CMRC articles replicated under new ids, saved with
    stored tokens as `wenda index` saves one; returns its articles."""
    chunks_of: dict[str, list[tuple[int, Chunk]]] = {}
    for row, c in enumerate(base.chunks):
        chunks_of.setdefault(c.doc_id, []).append((row, c))
    units_of: dict[str, list[tuple[int, int, int]]] = {}
    for (doc, s, e), row in base.sentence_rows.items():
        units_of.setdefault(doc, []).append((s, e, row))
    base_tokens = [tokenize(passage_input(c)) or [""] for c in base.chunks]
    articles: list[Article] = []
    chunks: list[Chunk] = []
    rows: list[int] = []
    units: list[tuple[str, int, int]] = []
    unit_rows: list[int] = []
    for number in range(math.ceil(n / len(base.chunks))):
        for a in base.articles:
            if len(chunks) >= n:
                break
            copy = copy_of(a, number)
            articles.append(copy)
            for row, c in chunks_of.get(a.doc_id, []):
                chunks.append(
                    replace(c, doc_id=copy.doc_id, chunk_id=f"{copy.doc_id}:{c.start}-{c.end}")
                )
                rows.append(row)
            for s, e, row in sorted(units_of.get(a.doc_id, [])):
                units.append((copy.doc_id, s, e))
                unit_rows.append(row)
    kind = concrete_type(index_type, len(chunks))
    all_rows = base.vectors.reconstruct_n(0, base.vectors.ntotal)
    vectors = make_vector_index(all_rows[np.asarray(rows)], kind)
    keywords = KeywordIndex.from_tokens([base_tokens[r] for r in rows])
    contents = IndexContents(
        articles,
        chunks,
        vectors,
        keywords,
        units,
        GatheredRows(base.sentence_vectors, np.asarray(unit_rows, dtype=np.int64)),
        base.unit_mean,
    )
    m = base.manifest
    # the corpus hash worked out as `wenda index` does, so that updates change it by their digests
    IndexStore(data_dir).save(contents, model=m.model, dim=m.dim, index_type=kind)
    return articles


def scale_rows(
    base: LoadedIndex,
    sizes: Sequence[int],
    embedder: Embedder,
    work: Path,
    cache: EmbeddingCache,
    rate: float,
    index_type: str = "flat",
) -> list[UpdateRow]:
    rows: list[UpdateRow] = []
    texts_per_passage = (len(base.chunks) + len(base.sentence_rows)) / len(base.chunks)
    for n in sizes:
        data_dir = work / f"synthetic-{n}"
        t0 = time.perf_counter()
        articles = synthetic_index(base, n, data_dir, index_type)
        log(f"{n:,} passages: {len(articles):,} articles saved in {time.perf_counter() - t0:.1f} s")
        new = max(1, round(len(articles) * SHARE))
        copies = math.ceil(n / len(base.chunks)) + 1  # a copy number not in the index yet
        added = [copy_of(a, copies) for a in base.articles[:new]]
        cold_s = n * texts_per_passage / rate
        label = f"synthetic {n:,} ({concrete_type(index_type, n)})"
        rows.append(timed_update(label, data_dir, embedder, cache, cold_s, upsert=added))
        gone = [a.doc_id for a in articles[:new]]
        rows.append(timed_update(label, data_dir, embedder, cache, cold_s, remove=gone))
        shutil.rmtree(data_dir, ignore_errors=True)
    return rows


def report(rows: Sequence[UpdateRow], seconds: float, rate: float, measured: bool) -> str:
    head = [
        "corpus",
        "passages",
        "change",
        "seconds",
        "CPU seconds",
        "texts embedded",
        "MB written of the build folder",
        "of a full cold build",
    ]
    lines = [
        "# Updates: adding and removing 1% of the articles",
        "",
        "From `python -m bench.perf.updates` (part of `make bench`), on this machine while other "
        f"work shared its 2 cores ({seconds / 60:.1f} min in all). A full cold build is "
        + (
            f"set at {rate:.1f} texts/s, the rate of a real cold build of the whole CMRC corpus "
            "(an empty embedding cache) in the same run, "
            if measured
            else f"set at {rate} texts/s (a cold build's rate measured before, --rate) "
        )
        + "for every passage and answer unit. On CMRC the added articles' texts are embedded for real; on the synthetic "
        "indexes they are copies of CMRC texts, taken from the embedding cache, so those rows "
        "time everything an update does besides embedding (which costs the same whatever the "
        "archive's size: the new texts at the cold rate). An update writes what changed: the "
        "vector files, the parts added since and an unchanged token vocabulary are hard-linked "
        "from the build before (their checksums carried over, not re-read); the articles' and "
        "passages' lines that stay are copied byte for byte (not decoded); written anew are the "
        "new vectors, rows and token ids, the row maps, and the BM25 matrices (whose statistics "
        "change with every passage). CPU seconds are this process's (all its threads): the cost "
        "of the update whatever else "
        f"shares the machine (load average at the end: {os.getloadavg()[0]:.1f}).",
        "",
        "| " + " | ".join(head) + " |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--cold", action="store_true", help="time a real cold CMRC build")
    parser.add_argument(
        "--index-type",
        default="flat",
        help="of the synthetic indexes (auto: as `wenda index` picks by size)",
    )
    parser.add_argument("--no-cmrc", action="store_true", help="the synthetic rows only")
    parser.add_argument(
        "--rate", type=float, default=COLD_TEXTS_PER_S, help="cold texts/s, without --cold"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    docs = args.shared / "eval" / "cmrc2018" / "docs.jsonl"
    settings = Settings()
    embedder = make_embedder(settings)
    shared_cache = settings.embedding_cache_dir / f"embeddings-{embedder.name}.sqlite"
    cmrc_dir = operations.ensure_eval_index(settings, embedder, [docs]).data_dir
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="wenda-updates-") as tmp:
        work = Path(tmp)
        rate = cold_rate(docs, embedder, work) if args.cold else args.rate
        rows = [] if args.no_cmrc else cmrc_rows(docs, embedder, work, shared_cache, rate)
        base = load_index(cmrc_dir, embedder.name, embedder.dim)
        cache = EmbeddingCache(shared_cache)
        try:
            rows += scale_rows(base, sizes, embedder, work, cache, rate, args.index_type)
        finally:
            cache.close()
    text = report(rows, time.perf_counter() - started, rate, args.cold)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
