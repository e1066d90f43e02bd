"""An update writes what changed and nothing else (issue 11): files it does not change are the
previous build's own (the same inode), their digests are carried over without reading them, and
a carried-over digest never lets changed bytes pass as good."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from corpus.model import Article
from index.integrity import file_digest
from index.layout import IndexDamaged, current_generation
from index.store import build_index, load_index, update_index

UNCHANGED_BY_A_REMOVAL = (
    "vectors.faiss",
    "sentence_vectors.npy",
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
    for name in ("articles.jsonl", "vector_rows.npy"):
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
