"""The bench's synthetic indexes are made by the index store and load like any other."""

from pathlib import Path

import numpy as np

from bench.perf.scale import ScaleRow, synthetic_index
from bench.perf.synthetic import Base, write_index_folder
from corpus.model import Article
from index.store import build_index, load_index


def test_a_synthetic_index_is_saved_by_the_store_and_loads_with_its_copies(
    tmp_path: Path, fake_embedder
) -> None:
    articles = [
        Article(f"d{i}", f"第{i}篇", f"这是第{i}篇文章。它讲了第{i}件事。" * 3) for i in range(3)
    ]
    build_index(articles, fake_embedder, tmp_path / "cmrc")
    base = Base.of(load_index(tmp_path / "cmrc", fake_embedder.name, fake_embedder.dim))
    queries = np.stack([fake_embedder.embed_query("第1篇文章")])
    row = ScaleRow(len(base.index.chunks) * 2)  # the passages, then one copy of each
    index = synthetic_index(row, base, fake_embedder, queries, tmp_path)
    disk = write_index_folder(index, base, tmp_path / "scale")
    loaded = load_index(tmp_path / "scale", fake_embedder.name, fake_embedder.dim)
    assert loaded.manifest.chunks == row.chunks and loaded.manifest.articles == 6
    assert len(loaded.sentence_rows) == row.units == 2 * len(base.index.sentence_rows)
    assert disk["total"] >= disk["vectors"] + disk["bm25"] + disk["sentences"] > 0
    for (doc, s, e), row_in_base in base.index.sentence_rows.items():
        copy = loaded.sentence_rows[(f"{doc}~1", s, e)]
        np.testing.assert_array_equal(
            loaded.sentence_vectors[copy], base.index.sentence_vectors[row_in_base]
        )


def test_every_profiled_stage_names_a_function_that_exists() -> None:
    # the profiler assigns time to stages by function name: a rename must fail here, not
    # silently move that time into "other"
    import re

    from bench.perf.profile import STAGES
    from service.settings import PROJECT_ROOT

    for function, suffix in STAGES:
        source = (PROJECT_ROOT / suffix).read_text(encoding="utf-8")
        assert re.search(rf"^\s*def {function}\(", source, re.M), (function, suffix)


def test_results_survive_their_json_and_the_percentile_is_numpys(tmp_path: Path) -> None:
    import json
    from dataclasses import asdict

    from bench.perf.build import BuildRow
    from bench.perf.common import pct
    from bench.perf.report import Results, load_results, save_results
    from bench.perf.server import HttpRun

    run = HttpRun(
        "seed", 12, "hybrid", 8, 10, 0, 1.5, [10.0, 30.0, 20.0], [9.0], variant="1 thread"
    )
    row = ScaleRow(1000, articles=10, http=[run], build_s={"flat": 0.1}, disk={"total": 5})
    res = Results(
        {"load_start": [0.5, 0.4, 0.3]},
        "cmd",
        1.0,
        [1.0],
        [2.0],
        [BuildRow("cold", 1, 2, 3, 4.0, 3.0)],
        [run],
        [row],
        {},
        9.0,
        {"HTTP": 1.0},
    )
    save_results(res, tmp_path / "r.json")
    again = load_results(tmp_path / "r.json")
    assert json.dumps(asdict(again)) == json.dumps(asdict(res))
    assert isinstance(again.scale[0].http[0], HttpRun) and again.build[0].chunks_per_s == 0.5
    assert pct([10.0, 30.0, 20.0, 40.0], 95) == float(np.percentile([10, 20, 30, 40], 95))
    assert np.isnan(pct([], 50))
