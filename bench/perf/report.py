"""The results as JSON, and the Markdown report and plot rendered from them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.perf.build import BuildRow, update_figures
from bench.perf.common import (
    CLIENTS,
    NOISE_SIGMA,
    PROFILE_SIZE,
    VARIANTS,
    pct,
)
from bench.perf.scale import ScaleRow
from bench.perf.server import HttpRun
from index.modes import MODES

NAN = float("nan")


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
    abuse: dict[str, Any] = field(default_factory=dict)  # bench.perf.abuse.Abuse, as JSON
    # bench.perf.build.encoding_record: encode throughput against plain, the cold CMRC build
    encoding: dict[str, Any] = field(default_factory=dict)


def save_results(res: Results, path: Path) -> None:
    """The measured results as JSON: the record the report is rendered from."""
    path.write_text(json.dumps(asdict(res), ensure_ascii=False, indent=1), encoding="utf-8")


def load_results(path: Path) -> Results:
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["build"] = [BuildRow(**r) for r in raw["build"]]
    raw["http"] = [HttpRun(**r) for r in raw["http"]]
    raw["scale"] = [
        ScaleRow(**{**r, "http": [HttpRun(**h) for h in r["http"]]}) for r in raw["scale"]
    ]
    return Results(**raw)


def mb(b: float) -> str:
    if b != b:
        return "–"
    return f"{b / 2**20:,.0f}" if b >= 10 * 2**20 else f"{b / 2**20:.1f}"


def f1(x: float) -> str:
    return "–" if x != x else f"{x:,.1f}"


def f2(x: float) -> str:
    return "–" if x != x else f"{x:,.2f}"


def table(header: str, align: str, rows: Iterable[Sequence[object]]) -> list[str]:
    """A Markdown table: header and align as written, each row's cells between bars."""
    return [header, align, *("| " + " | ".join(map(str, cells)) + " |" for cells in rows)]


def build_table(rows: Sequence[BuildRow]) -> list[str]:
    cold = rows[0].chunks_per_s
    return table(
        "| case | articles | passages | texts embedded | seconds | of which embedding "
        "| embedded texts/s | passages/s | vs cold |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        (
            (
                r.case,
                f"{r.articles:,}",
                f"{r.chunks:,}",
                f"{r.embedded:,}",
                f"{r.seconds:.1f}",
                f"{r.embed_seconds:.1f}",
                f"{r.embedded / r.embed_seconds:.1f}" if r.embedded else "–",
                f"{r.chunks_per_s:,.1f}",
                f"{r.chunks_per_s / cold:,.0f}×",
            )
            for r in rows
        ),
    )


def http_table(runs: Sequence[HttpRun]) -> list[str]:
    hybrid = {(r.corpus, r.clients): r.p(50) for r in runs if r.label == "hybrid"}
    return table(
        "| corpus (passages) | mode | clients | requests | p50 ms | p95 ms | p99 ms | req/s "
        "| p50 vs hybrid | service p50 ms | server RSS peak MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        (
            (
                f"{r.corpus} ({r.chunks:,})",
                r.label,
                r.clients,
                f"{len(r.latency_ms)}{f' ({r.errors} failed)' if r.errors else ''}",
                *_percentiles(r),
                f"{r.p(50) / hybrid[(r.corpus, r.clients)]:.2f}×",
                f"{pct(r.server_ms, 50):.1f}",
                mb(r.rss_peak),
            )
            for r in runs
        ),
    )


def variants_table(runs: Sequence[HttpRun]) -> list[str]:
    default = {(r.corpus, r.clients): r for r in runs if not r.variant}
    return table(
        "| corpus (passages) | server environment | clients | p50 ms | p95 ms | p99 ms | req/s "
        "| p50 vs default | req/s vs default |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        (
            (
                f"{r.corpus} ({r.chunks:,})",
                " ".join(f"{k}={v}" for k, v in VARIANTS[r.variant].items()) or "default",
                r.clients,
                *_percentiles(r),
                f"{r.p(50) / d.p(50):.2f}×",
                f"{r.rps / d.rps:.2f}×",
            )
            for r in runs
            for d in (default[(r.corpus, r.clients)],)
        ),
    )


def _percentiles(r: HttpRun) -> tuple[str, ...]:
    """p50, p95, p99 and the request rate."""
    return (f"{r.p(50):.1f}", f"{r.p(95):.1f}", f"{r.p(99):.1f}", f"{r.rps:.1f}")


def scale_tables(rows: Sequence[ScaleRow]) -> tuple[list[str], list[str]]:
    search = [
        "| passages | FAISS flat p50 ms (default threads) | ANN p50 ms | ANN recall@10 vs flat "
        "| BM25 p50 ms | search p50 ms: hybrid / bm25 / dense | ask in-process p50 ms "
        "| /ask HTTP p50 / p95 / p99 ms | req/s, 8 clients |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    memory = [
        "| passages | articles | answer units | server start s | server RSS ready / peak MiB "
        "| index on disk MiB | of which FAISS (served) / BM25 / text / sentences "
        "| ANN file MiB | build s: flat / ANN / BM25 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        one, many = r.run(1), r.run(CLIENTS)
        modes = " / ".join(f1(pct(r.search_ms[m], 50)) for m in MODES)
        http = f"{one.p(50):.1f} / {one.p(95):.1f} / {one.p(99):.1f}" if one else "not served"
        search.append(
            f"| {r.chunks:,} | {f2(pct(r.flat_ms, 50))} ({f2(pct(r.flat_default_ms, 50))}) | "
            f"{f2(pct(r.ann_ms, 50)) if r.ann_ms else 'not built'} | {f2(r.ann_recall)} | "
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
            f"{mb(d['vectors'])} ({r.served_type or 'flat'}) / {mb(d['bm25'])} / {mb(d['text'])} "
            f"/ {mb(d['sentences'])} | {mb(r.ann_bytes) if r.ann_bytes else '–'} | "
            f"{r.build_s['flat']:.1f} / {f1(r.build_s.get('ann', NAN))} / {r.build_s['bm25']:.0f} |"
        )
    return search, memory


def headline(res: Results) -> list[str]:
    return [
        *_build_headline(res),
        *_http_headline(res),
        *_scale_headline(res),
        *_threads_headline(res),
        *_profile_headline(res),
    ]


def _build_headline(res: Results) -> list[str]:
    b = res.build
    return [
        f"- **Index build**: {b[0].chunks_per_s:.1f} passages/s from cold ({b[0].embedded:,} "
        f"texts embedded for {b[0].chunks:,} passages: passages and answer units; embedding "
        f"{b[0].embed_seconds / b[0].seconds:.1%} of the time); an unchanged rebuild of CMRC "
        f"{b[2].chunks_per_s:,.0f} passages/s ({b[2].chunks_per_s / b[0].chunks_per_s:,.0f}× "
        f"cold, all from the cache); {update_figures(b)} (by id: only new text embedded and "
        "tokenised, FAISS rows removed in place, BM25 rebuilt from stored tokens).",
    ]


def _http_headline(res: Results) -> list[str]:
    cmrc = {(r.label, r.clients): r for r in res.http if r.corpus == "CMRC 2018"}
    if ("hybrid", 1) not in cmrc:
        return []
    h1, h8 = cmrc[("hybrid", 1)], cmrc[("hybrid", CLIENTS)]
    return [
        f"- **/ask over HTTP on CMRC 2018 ({h1.chunks:,} passages), hybrid**: p50 "
        f"{h1.p(50):.0f} ms, p95 {h1.p(95):.0f} ms, p99 {h1.p(99):.0f} ms one at a time; "
        f"{h8.rps:.1f} req/s with {CLIENTS} clients (p50 {h8.p(50):.0f} ms). Keyword-only: "
        f"p50 {cmrc[('bm25', 1)].p(50):.0f} ms, {cmrc[('bm25', CLIENTS)].rps:.0f} req/s; "
        f"dense-only: p50 {cmrc[('dense', 1)].p(50):.0f} ms, "
        f"{cmrc[('dense', CLIENTS)].rps:.0f} req/s."
    ]


def _scale_headline(res: Results) -> list[str]:
    return [_scale_line(r) for r in res.scale if r.chunks >= 100_000]


def _scale_line(r: ScaleRow) -> str:
    one, many = r.run(1), r.run(CLIENTS)
    ann = (
        f", {r.ann_type} {pct(r.ann_ms, 50):.2f} ms at recall@10 {r.ann_recall:.3f} on the noisy copies"
        if r.ann_ms
        else ""
    )
    served = (
        f"/ask p50 {one.p(50):.0f} ms over HTTP, server RSS {many.rss_peak / 2**30:.1f} GiB "
        "at peak; "
        if one and many
        else "not served (memory); "
    )
    return (
        f"- **{r.chunks:,} passages** (synthetic): {served}QAService.ask p50 "
        f"{pct(r.ask_ms, 50):.0f} ms in-process; FAISS flat {pct(r.flat_ms, 50):.1f} ms"
        f"{ann}; served: {r.served_type or 'flat'}; index {r.disk['total'] / 2**30:.2f} GiB on disk."
    )


def _threads_headline(res: Results) -> list[str]:
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
    if not found:
        return []
    return [
        "- **Threads**: a server run with `OMP_NUM_THREADS=1 WENDA_TORCH_THREADS=1`, against "
        "its defaults (one thread a question pass, FAISS on one OpenMP thread, torch's "
        f"own threads for added articles): {'; '.join(found)} (synthetic: "
        f"{PROFILE_SIZE:,} passages). FAISS flat search alone, in-process: "
        + ", ".join(
            f"{pct(r.flat_ms, 50):.1f} ms on one thread against "
            f"{pct(r.flat_default_ms, 50):.1f} ms at {r.chunks:,}"
            for r in res.scale
            if r.chunks >= 100_000
        )
        + "."
    ]


def _profile_headline(res: Results) -> list[str]:
    if not res.profile:
        return []
    top = res.profile["stages"][0]
    return [
        f"- **Slowest stage of /ask at {res.profile['chunks']:,} passages**: {top[0]}, "
        f"{top[2]:.0%} of the time in QAService.ask ({top[1]:.1f} of "
        f"{res.profile['total_ms']:.1f} ms)."
    ]


def profile_section(res: Results) -> list[str]:
    p = res.profile
    out = [
        f"## Where the time of /ask goes at {p['chunks']:,} passages",
        "",
        f"pyinstrument (0.5 ms sampling) over {p['asks']} `QAService.ask` calls (hybrid, flat "
        "index, BLAS and FAISS on one thread) in-process: "
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
    out = [
        *_intro(res),
        "## Headline",
        "",
        *headline(res),
        "",
        *_build_section(res),
        *_http_section(res),
        *_threads_section(res),
        *_scale_section(res),
    ]
    if res.profile:
        out += profile_section(res)
    out += _reproduce(res)
    return "\n".join(out)


def _section(heading: str, *blocks: str | list[str]) -> list[str]:
    """A heading and its blocks (a paragraph, or the lines of a table), each followed by a blank
    line; an empty block adds nothing, not even its blank line."""
    out = [heading, ""]
    for block in blocks:
        if block:
            out += [block, ""] if isinstance(block, str) else [*block, ""]
    return out


def _intro(res: Results) -> list[str]:
    env = res.env
    return _section(
        "# Performance benchmarks",
        f"Written by `{res.command}` (`make bench`) on {env['date']} at commit `{env['commit']}`, "
        f"in {res.seconds / 60:.1f} min.",
        f"Machine: {env['cpus']} vCPU {env['cpu']}"
        f"{' with AMX (the model runs in bfloat16)' if env['bf16'] else ''}, "
        f"{env['mem_gb']:.0f} GiB RAM; Python {env['python']}, {env['versions']}. "
        f"Load average at start {env['load_start'][0]:.1f}, at end {env['load_end'][0]:.1f}: "
        "the VM is shared with other work and timings vary by up to ~1.8× between runs "
        "(MODELS.md §7); the benchmark's own HTTP clients run on the same 2 cores as the server.",
    )


def _build_section(res: Results) -> list[str]:
    return _section(
        "## Index build",
        f"`build_index` with the real E5 embedder (model load {res.model_load_s:.1f} s, not "
        "counted), which embeds every passage and every answer unit (sentence). *Cold*: the "
        "first CMRC 2018 articles with an empty embedding cache. *Rebuild, unchanged*: the same "
        "again, every text from the cache. The last two rows use the whole CMRC corpus less its "
        "last 1%, with a copy of the shared embedding cache from which the texts only that 1% "
        "needs were removed, then add the 1% by `update_index` (what `wenda add` runs: only "
        "their texts embedded and tokenised), then remove 1% other articles by id.",
        build_table(res.build),
    )


def _http_section(res: Results) -> list[str]:
    q1, qd = res.query_embed1_ms, res.query_embed_ms
    return _section(
        "## /ask over HTTP",
        "Real `wenda serve` processes on 127.0.0.1, one per corpus and mode (`WENDA_MODE`), each "
        "warmed up with 5 questions. Questions: the 20 of `seed_dev.jsonl` on the seed page, "
        "the first 200 of CMRC 2018 on CMRC, cycled. *Service p50* is the server's own "
        "`timings_ms.total` (QAService.ask); the rest of the latency is HTTP, JSON and the "
        "thread pool. In bm25 mode passages are ranked by keywords alone, but the answer picker "
        "still embeds the question (its cosine with each sentence is evidence), so every mode "
        "embeds the question. A server embeds questions with e5's encoder in ONNX Runtime "
        "(`index/e5_numpy.py`, no torch); torch and sentence-transformers "
        "load only when articles are added through the server.",
        http_table([r for r in res.http if not r.variant]),
        f"Question embedding alone (E5, one at a time, in-process): p50 {pct(qd, 50):.1f} ms, "
        f"p95 {pct(qd, 95):.1f} ms as a server runs it (ONNX Runtime, one thread); p50 "
        f"{pct(q1, 50):.1f} ms, p95 {pct(q1, 95):.1f} ms again with torch and FAISS on one "
        "thread too.",
    )


def _threads_section(res: Results) -> list[str]:
    return _section(
        "### Threads: spinning OpenMP workers on 2 shared cores",
        "Split over every core, one question's BLAS products and FAISS search gain little, "
        "and idle workers spin rather than sleep: on these 2 vCPUs, shared with other "
        "processes and with the other requests, a spinning worker takes the core the working "
        "one needs. So a server embeds each pass of questions on one thread and searches "
        "FAISS on one OpenMP thread. The same hybrid servers were also run with idle OpenMP "
        "workers sleeping (`OMP_WAIT_POLICY=PASSIVE`) and with "
        "`OMP_NUM_THREADS=1 WENDA_TORCH_THREADS=1`. Each server ran once, a minute or two "
        "apart, while other work loaded the machine: read differences under ~1.3× as noise.",
        variants_table(
            [r for r in res.http if r.corpus == "CMRC 2018" and r.mode == "hybrid"]
            + [r for s in res.scale if s.chunks == PROFILE_SIZE for r in s.http]
        ),
    )


def _scale_section(res: Results) -> list[str]:
    search, memory = scale_tables(res.scale)
    skipped = [f"- {r.chunks:,} passages: {r.not_served}." for r in res.scale if r.not_served]
    return _section(
        "## How cost grows with the corpus",
        "![latency and memory against corpus size](img/bench-scale.png)",
        "The smallest size is the first 1,000 real CMRC passages. The larger ones are synthetic: "
        "the 1,859 CMRC passages replicated under new doc ids (`<doc_id>~<copy>`), so texts "
        "repeat exactly and the BM25 vocabulary stays that of CMRC while its posting lists grow "
        "with the corpus; the copies' vectors are the real ones plus gaussian noise "
        f"(σ = {NOISE_SIGMA} per dimension, renormalised; mean cosine to the source "
        f"{np.nanmean([r.copy_cosine for r in res.scale]):.3f}), about as close as neighbouring "
        "passages of one article; their answer units reuse the real units' vectors. Nothing "
        "was embedded for them. In-process figures use the first CMRC questions and run BLAS "
        "and FAISS on one thread, so that they time the work rather than the waiting for a busy "
        "core (flat search is also shown on FAISS's default threads); BM25 is "
        "tokenize + `KeywordIndex.scores`; *search* is `Retriever.search` (k = 5), including the "
        "question embedding except in bm25 mode; *ask* is `QAService.ask` (search + answer). "
        "The HTTP columns and the server memory come from a real `wenda serve` (hybrid) on the "
        "index folder written at that size with the vector index `wenda index` builds there "
        "(index type auto: flat up to 50,000 passages, then hnsw-sq16). The approximate index "
        "(ANN: hnsw-sq16, `index/vectors.py`) is measured against flat at every size; its "
        "recall here is on the synthetic vectors, whose clusters of near-copies are the stress "
        "case (its recall on real vectors is in its own section).",
        search,
        memory,
        skipped,
    )


def _reproduce(res: Results) -> list[str]:
    return _section(
        "## Reproduce",
        [
            "```",
            "make bench          # or: .venv/bin/python -m bench.performance --out docs/benchmarks.md",
            "```",
        ],
        "`--quick` runs a smaller smoke version (1k and 10k passages, fewer requests). The "
        "benchmark needs the CMRC 2018 files of the shared evaluation data (`--shared`, default "
        "`../shared`); on a fresh clone it first builds the CMRC index `wenda eval` uses "
        "(minutes of embedding, once). Section times this run: "
        + ", ".join(f"{k} {v / 60:.1f} min" for k, v in res.sections.items())
        + ".",
    )
