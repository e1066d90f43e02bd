"""The bench's synthetic indexes are made by the index store and load like any other."""

from pathlib import Path

import numpy as np

from bench.performance import Base, ScaleRow, synthetic_index, write_index_folder
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
