"""An index folder an older wenda wrote: a format too old is refused with what to run; the
formats still read serve as they are, and their next update writes the current format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from corpus.chunking import chunk_article
from corpus.model import Article
from index.integrity import file_record
from index.layout import FORMAT_VERSION, IndexMismatch
from index.store import build_index, load_index, update_index
from index.vectors import UNIT_CODING, unit_cosine, unit_mean
from tests.index.older_formats import as_format_5, as_format_6, stored_passages
from tests.index.test_store import articles, cached_unit_vectors, search_ids, stored_cosine


def write_older_manifest(data_dir: Path, fields: dict, dropped: str) -> None:
    """Make the built index's manifest read as an older wenda wrote it: `fields` set to their old
    values and `dropped`, a key that format did not have yet, removed."""
    manifest = data_dir / "index" / "manifest.json"
    raw = json.loads(manifest.read_text())
    raw.update(fields)
    del raw[dropped]
    manifest.write_text(json.dumps(raw))


def test_index_of_an_older_format_is_refused_with_what_to_run(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(2), fake_embedder, tmp_path)
    write_older_manifest(tmp_path, {"format_version": 1}, dropped="sentences")
    with pytest.raises(IndexMismatch, match=r"index format 1.*wenda index"):
        load_index(tmp_path, fake_embedder.name, fake_embedder.dim)


def test_update_of_an_index_with_other_parameters_rebuilds_keeping_its_articles(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(3), fake_embedder, tmp_path)
    write_older_manifest(tmp_path, {"format_version": 2, "build_params": {}}, dropped="checksum")
    m, _ = update_index(tmp_path, fake_embedder, upsert=[Article("z", "新", "另一篇。")])
    assert m.articles == 4 and m.format_version == FORMAT_VERSION


def test_a_format_4_index_with_float16_unit_vectors_still_answers_then_is_rebuilt(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(3), fake_embedder, tmp_path)
    as_format_6(tmp_path)
    folder = (tmp_path / "index").resolve()
    codes = np.load(folder / "sentence_vectors.npy")
    v = codes[:, :-4].astype(np.float32) * codes[:, -4:].copy().view("<f4")
    np.save(folder / "sentence_vectors.npy", v.astype(np.float16))
    raw = json.loads((folder / "manifest.json").read_text())
    raw["format_version"] = 4
    raw["files"]["sentence_vectors.npy"] = file_record(folder / "sentence_vectors.npy")
    del raw["build_params"]["unit_vectors"]
    raw.pop("checksum")
    (folder / "manifest.json").write_text(json.dumps(raw))

    old = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    row = old.sentence_rows[("d1", 0, 8)]
    expected = fake_embedder.embed_passages([f"{old.articles_by_id['d1'].title}\n这是第1篇文章。"])
    assert old.sentence_vectors.dtype == np.float16
    assert unit_cosine(old.sentence_vectors[row], expected[0]) == pytest.approx(1.0, abs=1e-2)

    m, _ = update_index(tmp_path, fake_embedder, upsert=[Article("z", "新", "另一篇。")])
    new = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert m.format_version == FORMAT_VERSION and m.articles == 4
    assert new.sentence_vectors.dtype == np.uint8 and new.unit_mean is not None
    assert stored_cosine(new, ("d1", 0, 8), expected[0]) > 0.99


@pytest.mark.parametrize(
    "change", [{"upsert": [Article("z", "新", "另一篇。")]}, {"remove": ["d2"]}]
)
def test_a_format_6_index_with_int8_unit_vectors_still_answers_then_is_recoded(
    tmp_path: Path, fake_embedder, change: dict
) -> None:
    build_index(articles(3), fake_embedder, tmp_path)
    as_format_6(tmp_path)
    old = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    title = old.articles_by_id["d1"].title
    expected = fake_embedder.embed_passages([f"{title}\n这是第1篇文章。"])[0]
    assert old.manifest.format_version == 6 and old.sentence_vectors.dtype == np.int8
    assert old.unit_mean is None and not (old.folder / "sentence_mean.npy").exists()
    assert stored_cosine(old, ("d1", 0, 8), expected) == pytest.approx(1.0, abs=1e-2)

    m, _ = update_index(tmp_path, fake_embedder, **change)

    new = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert m.format_version == FORMAT_VERSION == 8 and m.build_params["unit_vectors"] == UNIT_CODING
    assert new.sentence_vectors.dtype == np.uint8 and not m.stored_rows  # re-coded whole
    assert "sentence_mean.npy" in m.files
    np.testing.assert_allclose(new.unit_mean, unit_mean(cached_unit_vectors(new, fake_embedder)))
    assert stored_cosine(new, ("d1", 0, 8), expected) == pytest.approx(1.0, abs=1e-2)
    other = fake_embedder.embed_passages([f"{title}\n它讲了第1件事。"])[0]
    assert stored_cosine(new, ("d1", 0, 8), other) == pytest.approx(
        float(expected @ other), abs=1e-2
    )


def test_a_format_5_index_with_passage_texts_serves_them_as_it_is(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(4), fake_embedder, tmp_path / "new")
    build_index(articles(4), fake_embedder, tmp_path / "old")
    as_format_5(tmp_path / "old")
    new = load_index(tmp_path / "new", fake_embedder.name, fake_embedder.dim)
    old = load_index(tmp_path / "old", fake_embedder.name, fake_embedder.dim)
    assert old.manifest.format_version == 5 and new.manifest.format_version == FORMAT_VERSION
    assert all("text" in r and "title" in r for r in stored_passages(tmp_path / "old"))
    assert list(old.chunks) == list(new.chunks)
    for question in ("这是第3篇文章。它讲了第3件事。", "第1篇"):
        assert search_ids(old, question, fake_embedder) == search_ids(new, question, fake_embedder)


@pytest.mark.parametrize(
    ("change", "ids"),
    [
        ({"upsert": [Article("z", "新", "另一篇。")]}, ["d0", "d1", "d2", "d3", "z"]),
        ({"remove": ["d1"]}, ["d0", "d2", "d3"]),
    ],
    ids=["add", "remove"],
)
def test_an_update_of_a_format_5_index_rewrites_its_passages_as_offsets(
    tmp_path: Path, fake_embedder, change: dict, ids: list[str]
) -> None:
    build_index(articles(4), fake_embedder, tmp_path)
    as_format_5(tmp_path)
    m, _ = update_index(tmp_path, fake_embedder, **change)
    assert m.format_version == FORMAT_VERSION and m.articles == len(ids)
    assert all(set(r) == {"chunk_id", "doc_id", "start", "end"} for r in stored_passages(tmp_path))
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert [a.doc_id for a in index.articles] == ids
    assert list(index.chunks) == [c for a in index.articles for c in chunk_article(a)]
    assert search_ids(index, "这是第3篇文章。它讲了第3件事。", fake_embedder) == ["d3", "d3"]
