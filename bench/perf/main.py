"""`python -m bench.performance`: every section in order, results saved as JSON, the report rendered from them."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.perf.abuse import Abuse, replace_section
from bench.perf.abuse import measure as measure_abuse
from bench.perf.abuse import section as abuse_section
from bench.perf.build import (
    BuildRow,
    bench_build,
    copy_cache,
    encoding_lines,
    encoding_record,
    ensure_cmrc_index,
    seed_index,
    texts_embedded_by,
    timed_build,
    update_figures,
    update_rows,
)
from bench.perf.common import QUICK, SIZES, Budget, log, one_thread, read_questions, timed
from bench.perf.machine import machine
from bench.perf.plot import plot
from bench.perf.report import (
    Results,
    build_table,
    headline,
    load_results,
    report,
    save_results,
)
from bench.perf.scale import ScaleRow, bench_size
from bench.perf.server import bench_http
from bench.perf.synthetic import Base
from corpus.loading import load_corpus
from index.cache import EmbeddingCache, text_key
from index.embedder import Embedder, vectors_name
from index.store import (
    load_index,
)
from service.evaluate import Question
from service.qa import make_embedder
from service.settings import PROJECT_ROOT, Settings


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
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
    ap.add_argument(
        "--render",
        type=Path,
        help="Measure nothing: render the report from the results JSON of an earlier run.",
    )
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    results = out.with_suffix(".json")
    if args.render:
        return render(load_results(args.render), out)
    budget = QUICK if args.quick else Budget()
    if args.sizes:
        budget = replace(budget, sizes=args.sizes)
    docs = args.shared / "eval" / "cmrc2018" / "docs.jsonl"
    if not docs.exists():
        print(
            f"bench: {docs} not found; pass --shared <folder with eval/cmrc2018>", file=sys.stderr
        )
        return 2
    if args.updates_only:
        return print_updates(docs)
    command = " ".join(["python -m bench.performance", *(sys.argv[1:] if argv is None else argv)])
    save_results(measure(args.shared, docs, budget, command), results)
    log(f"wrote {results}")
    return render(load_results(results), out)  # the report shows only what the JSON holds


def render(res: Results, out: Path) -> int:
    """The Markdown report and the plot of res, and its headline on stdout."""
    plot(res.scale, out.parent / "img" / "bench-scale.png")
    text = report(res)
    if res.abuse:
        text = replace_section(text, abuse_section(Abuse.of(res.abuse), res.command))
    if res.encoding:
        lines = encoding_lines(res.encoding, res.command)
        text = replace_section(text, lines, "Embedding throughput")
    out.write_text(text, encoding="utf-8")
    log(f"wrote {out} and {out.parent / 'img' / 'bench-scale.png'}")
    print("\n".join(headline(res)))
    return 0


@dataclass(slots=True)
class SetUp:
    """What every section measures against: the model, the CMRC index and the questions."""

    settings: Settings
    embedder: Embedder
    model_load_s: float
    cmrc_dir: Path
    base: Base
    seed_q: list[Question]
    cmrc_q: list[Question]


def set_up(shared: Path, docs: Path) -> SetUp:
    settings = Settings()
    t0 = time.perf_counter()
    embedder = make_embedder(settings)
    embedder.embed_query("预热")
    model_load_s = time.perf_counter() - t0
    cmrc_dir = ensure_cmrc_index(docs, embedder)
    base = Base.of(load_index(cmrc_dir, embedder.name, embedder.dim))
    seed_q = read_questions(shared / "eval" / "seed_dev.jsonl", 200)
    cmrc_q = read_questions(shared / "eval" / "cmrc2018" / "questions_public.jsonl", 200)
    return SetUp(settings, embedder, model_load_s, cmrc_dir, base, seed_q, cmrc_q)


def query_timings(
    embedder: Embedder, questions: Sequence[Question], n: int
) -> tuple[list[float], np.ndarray, list[float]]:
    """(ms per query embedding, the query vectors, ms per embedding on one thread)."""
    embed_ms: list[float] = []
    vectors = []
    for q in questions[:n]:
        ms, vec = timed(embedder.embed_query, q.question)
        embed_ms.append(ms)
        vectors.append(vec)
    with one_thread():
        one_thread_ms = [timed(embedder.embed_query, q.question)[0] for q in questions[:100]]
    return embed_ms, np.stack(vectors), one_thread_ms


def measure(shared: Path, docs: Path, budget: Budget, command: str) -> Results:
    """Every section in order: set-up, index builds, HTTP, scale (with the profile)."""
    started = time.perf_counter()
    env = machine()
    sections: dict[str, float] = {}
    t = time.perf_counter()
    s = set_up(shared, docs)
    embed_ms, query_vecs, embed1_ms = query_timings(s.embedder, s.cmrc_q, budget.queries)
    sections["set-up"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory(prefix="wenda-bench-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        shared_cache = s.settings.embedding_cache_dir / f"embeddings-{s.embedder.name}.sqlite"
        cmrc = load_corpus([docs])
        build = bench_build(s.embedder, cmrc, shared_cache, work, budget)
        sections["build"] = time.perf_counter() - t
        t = time.perf_counter()
        sample = 5 * budget.cold_articles  # texts embedded each way, each turn
        encoding = encoding_record(s.settings.model_dir, cmrc, work, sample, budget != QUICK)
        sections["embedding throughput"] = time.perf_counter() - t
        t = time.perf_counter()
        seed_dir = seed_index(work)
        seed_chunks = load_index(seed_dir, s.embedder.name, s.embedder.dim).manifest.chunks
        cmrc_chunks = len(s.base.index.chunks)
        http = bench_http(
            seed_dir, seed_chunks, s.cmrc_dir, cmrc_chunks, s.seed_q, s.cmrc_q, work, budget
        )
        sections["HTTP"] = time.perf_counter() - t
        t = time.perf_counter()
        profile: dict[str, Any] = {}
        scale: list[ScaleRow] = []
        for n in budget.sizes:
            row = bench_size(
                n, scale, s.base, s.embedder, query_vecs, s.cmrc_q, work, budget, profile
            )
            scale.append(row)
        sections["scale"] = time.perf_counter() - t
        t = time.perf_counter()
        abuse = asdict(measure_abuse(seed_dir, s.seed_q, work))
        sections["abuse"] = time.perf_counter() - t
        if profile:
            log("pyinstrument call tree:\n" + profile["text"])
    env["load_end"] = os.getloadavg()
    seconds = time.perf_counter() - started
    return Results(
        env,
        command,
        s.model_load_s,
        embed_ms,
        embed1_ms,
        build,
        http,
        scale,
        profile,
        seconds,
        sections,
        abuse,
        encoding,
    )


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
        copy_cache(shared, path, {text_key(vectors_name(embedder), t) for t in only_new})
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
