"""The plot of the report: latency, memory and disk against corpus size, from the results."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench.perf.common import CLIENTS, pct
from bench.perf.scale import ScaleRow
from bench.perf.server import HttpRun

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
        ("FAISS ANN search, 1 thread, p50", [pct(r.ann_ms, 50) for r in rows], "v--"),
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
        ("FAISS ANN vectors", [r.ann_bytes or NAN for r in rows], "v--"),
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
