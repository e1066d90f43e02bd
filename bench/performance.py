"""`make bench`: index build throughput, /ask latency over HTTP, and how search cost and memory
grow with the corpus (1k to 1M passages). Writes the results as JSON, then the Markdown report
and a PNG plot rendered from them.

Run: `.venv/bin/python -m bench.performance --out docs/benchmarks.md [--quick]`
(`--render docs/benchmarks.json` re-renders the report without measuring).

Everything measured here runs on this machine: the real E5 model, real `wenda serve` processes on
127.0.0.1, real FAISS and BM25 indexes. Corpora above the CMRC 2018 size (1,859 passages) are
synthetic: CMRC passages replicated under new ids, their vectors the real ones plus a little
gaussian noise, so that nothing has to be embedded for hours. The sections live in bench/perf/.
"""

from __future__ import annotations

import sys

from bench.perf.main import main

if __name__ == "__main__":
    sys.exit(main())
