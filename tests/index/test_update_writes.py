"""An update writes what changed and nothing else (issue 11): files it does not change are the
previous build's own (the same inode), their digests are carried over without reading them, and
a carried-over digest never lets changed bytes pass as good."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from corpus.model import Article
from index.changes import corpus_hash
from index.encoding import sentence_input
from index.integrity import file_digest
from index.layout import IndexDamaged, current_generation
from index.store import build_index, load_index, update_index
from index.vectors import quantize_units

UNCHANGED_BY_A_REMOVAL = (
    "vectors.faiss",
    "sentence_vectors.npy",
    "sentence_mean.npy",
    "vectors.added-1.npy",
    "sentence_vectors.added-1.npy",
    "bm25/token_vocab.json",  # the vocabulary only grows: a removal leaves it as it is
)


def articles(n: int) -> list[Article]:
    return [
        Article(doc_id=f"d{i}", title=f"第{i}篇", text=f"这是第{i}篇文章。它讲了第{i}件事。" * 3)
        for i in range(n)
    ]


def published(data_dir: Path) -> Path:
    return (data_dir / "index").resolve()


def manifest_files(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]


@pytest.fixture
def updated(tmp_path: Path, fake_embedder) -> Path:
    """An index of 12 articles with one added since (so it has added parts too)."""
    build_index(articles(12), fake_embedder, tmp_path)
    new = Article(doc_id="n1", title="新闻", text="钨矿公司今年产量翻番。工人增加到三百人。")
    update_index(tmp_path, fake_embedder, upsert=[new])
    return tmp_path


def test_a_removal_links_every_file_it_does_not_change(updated: Path, fake_embedder) -> None:
    before = published(updated)
    update_index(updated, fake_embedder, remove=["d3"])
    after = published(updated)
    for name in UNCHANGED_BY_A_REMOVAL:
        assert (after / name).stat().st_ino == (before / name).stat().st_ino, name
    # and what was written is new: the articles and the row maps changed
    for name in ("articles.packed", "article_offsets.npy", "vector_rows.npy"):
        assert (after / name).stat().st_ino != (before / name).stat().st_ino, name


def test_linked_files_keep_their_digests_and_every_digest_is_the_files_own(
    updated: Path, fake_embedder
) -> None:
    before = manifest_files(published(updated))
    update_index(updated, fake_embedder, remove=["d3"])
    folder = published(updated)
    after = manifest_files(folder)
    for name in UNCHANGED_BY_A_REMOVAL:
        assert after[name]["sha256"] == before[name]["sha256"]
        assert after[name]["inode"] == before[name]["inode"]
    # no digest is stale: each is the checksum of the bytes the file holds now
    for name, record in after.items():
        assert record["sha256"] == file_digest(folder / name), name
        assert record["bytes"] == (folder / name).stat().st_size, name


def test_a_linked_file_changed_in_place_is_not_published_as_good(
    updated: Path, fake_embedder
) -> None:
    served = current_generation(updated)
    vectors = published(updated) / "vectors.faiss"  # shared with the next build by a link
    data = bytearray(vectors.read_bytes())
    data[len(data) // 2] ^= 0x01
    vectors.write_bytes(bytes(data))  # the same inode, a new modification time
    with pytest.raises(IndexDamaged, match=r"index/vectors\.faiss"):
        update_index(updated, fake_embedder, remove=["d3"])
    assert current_generation(updated) == served


def test_a_change_that_hides_its_modification_time_is_still_caught_on_loading(
    updated: Path, fake_embedder
) -> None:
    vectors = published(updated) / "vectors.faiss"
    stat = vectors.stat()
    data = bytearray(vectors.read_bytes())
    data[len(data) // 2] ^= 0x01
    vectors.write_bytes(bytes(data))
    os.utime(vectors, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as if untouched
    # the update carries the old digest over (it cannot tell without reading the file) ...
    update_index(updated, fake_embedder, remove=["d3"])
    # ... and the check before serving, which reads every file, names the damage
    with pytest.raises(IndexDamaged, match=r"index/vectors\.faiss"):
        load_index(updated, fake_embedder.name, fake_embedder.dim)


def test_a_removal_decodes_only_the_articles_it_removes(
    updated: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their digests leave the corpus hash; no other article or passage is decoded."""
    decoded: list[str] = []

    def watched(record):
        decoded.append(record.get("chunk_id") or record["doc_id"])
        return Article(record["doc_id"], record["title"], record["text"], record["byline"])

    for name in ("index.folder.article_of", "index.folder.chunk_of", "index.editing.article_of"):
        monkeypatch.setattr(name, watched)
    m, changes = update_index(updated, fake_embedder, remove=["d3", "d7"])
    assert changes.removed == ("d3", "d7") and m.articles == 11
    assert sorted(decoded) == ["d3", "d7"]
    monkeypatch.undo()
    index = load_index(updated, fake_embedder.name, fake_embedder.dim)
    assert m.corpus_hash == corpus_hash(index.articles)


def test_texts_edited_as_rows_load_as_a_full_build_of_the_same_articles(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(6), fake_embedder, tmp_path / "a")
    changed = Article(doc_id="d2", title="第2篇", text="第二篇改写了。铜价上涨三成。")
    new = Article(doc_id="n1", title="新闻", text="钨矿公司今年产量翻番。工人增加到三百人。")
    m, _ = update_index(tmp_path / "a", fake_embedder, upsert=[new, changed], remove=["d4"])
    # a replaced article keeps its place; new ones come last
    full = [articles(6)[i] for i in (0, 1)] + [changed] + [articles(6)[i] for i in (3, 5)] + [new]
    build_index(full, fake_embedder, tmp_path / "b")
    a = load_index(tmp_path / "a", fake_embedder.name, fake_embedder.dim)
    b = load_index(tmp_path / "b", fake_embedder.name, fake_embedder.dim)
    assert list(a.articles) == list(b.articles) == full
    assert m.corpus_hash == b.manifest.corpus_hash
    assert sorted(a.chunks, key=lambda c: c.chunk_id) == sorted(b.chunks, key=lambda c: c.chunk_id)
    for row, chunk in enumerate(a.chunks):  # each passage's article row, as stored
        assert a.articles[int(a.chunk_articles[row])].doc_id == chunk.doc_id
    assert set(a.sentence_rows) == set(b.sentence_rows)
    # each unit's row as a full build codes its vector, about the mean of a's first build
    for (doc_id, start, end), row in a.sentence_rows.items():
        unit = sentence_input(a.articles_by_id[doc_id], start, end)
        want = quantize_units(fake_embedder.embed_passages([unit]), a.unit_mean)[0]
        assert (a.sentence_vectors[row] == want).all()
    assert a.keywords.doc_freq == b.keywords.doc_freq
