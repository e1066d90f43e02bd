"""An update of the texts (index.kept): kept article records copied byte for byte, only new
ones encoded, with the dictionary of the build edited (or none, as a build without one); an
older build's lines re-wrapped as packed records, not decoded, and its passages' lines turned
into offsets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpus.chunking import chunk_article
from corpus.model import Article
from index.folder import article_record, load_folder
from index.kept import StoredTexts, article_files
from index.layout import IndexDamaged, read_manifest
from index.retriever import Retriever
from index.store import build_index, load_index, update_index
from index.texts import PACKED, RecordCoding, record_dictionary, record_json
from tests.index.older_formats import as_format_7, without_dictionary


def articles(n: int) -> list[Article]:
    return [
        Article(f"d{i}", f"第{i}篇🚀", f"这是第{i}篇文章。它讲了第{i}件事，𠮷野家的🍜。" * 3)
        for i in range(n)
    ]


def published(data_dir: Path) -> Path:
    return (data_dir / "index").resolve()


def stored_records(folder: Path) -> dict[str, bytes]:
    """Each article's record as the packed file holds it, by id."""
    offsets = np.load(folder / "article_offsets.npy").tolist()
    data = (folder / "articles.packed").read_bytes()
    ids = StoredTexts.of(folder).ids  # type: ignore[union-attr]
    return {d: data[offsets[i] : offsets[i + 1]] for i, d in enumerate(ids)}


CHANGED = Article("d2", "改写🚀", "第二篇改写了。铜价上涨三成。")
NEW = Article("n1", "新闻", "钨矿公司今年产量翻番。工人增加到三百人。")


def test_an_update_of_a_packed_build_reads_back_the_articles_added_replaced_and_kept(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(8), fake_embedder, tmp_path)
    update_index(tmp_path, fake_embedder, upsert=[NEW, CHANGED], remove=["d5"])
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    old = articles(8)
    expected = [old[0], old[1], CHANGED, old[3], old[4], old[6], old[7], NEW]
    assert list(index.articles) == expected
    for row in (7, 2, 0, 5):
        assert index.articles[row] == expected[row]
        assert index.articles_by_id[expected[row].doc_id] == expected[row]
    assert "d5" not in index.articles_by_id


def encoded_ids(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the records encoded from here on (kept ones are copied, not encoded)."""
    encoded: list[str] = []
    encode = RecordCoding.encode

    def counted(coding: RecordCoding, record: Any) -> bytes:
        encoded.append(record["doc_id"])
        return encode(coding, record)

    monkeypatch.setattr(RecordCoding, "encode", counted)
    return encoded


def test_an_update_copies_kept_records_byte_for_byte_and_encodes_only_the_new(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_index(articles(8), fake_embedder, tmp_path)
    first = published(tmp_path)
    before = stored_records(first)
    encoded = encoded_ids(monkeypatch)
    update_index(tmp_path, fake_embedder, upsert=[NEW, CHANGED], remove=["d5"])
    after = stored_records(published(tmp_path))
    assert sorted(encoded) == ["d2", "n1"]  # the new record and the replaced one, nothing else
    for d in ("d0", "d1", "d3", "d4", "d6", "d7"):
        assert after[d] == before[d]
    assert after["d2"] != before["d2"] and "d5" not in after


def test_an_update_keeps_the_dictionary_of_the_build_it_edits(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(8), fake_embedder, tmp_path)
    first = published(tmp_path)
    zdict = (first / "articles.zdict").read_bytes()
    update_index(tmp_path, fake_embedder, upsert=[NEW, CHANGED], remove=["d5"])
    folder = published(tmp_path)
    assert folder != first and (folder / "articles.zdict").read_bytes() == zdict
    assert (folder / "articles.zdict").stat().st_ino == (first / "articles.zdict").stat().st_ino
    coding = article_files(folder)[1]
    assert coding.zdict == zdict
    with pytest.raises(ValueError):  # the new records need it too
        PACKED.unwrap(stored_records(folder)["n1"])
    assert coding.unwrap(stored_records(folder)["n1"]) == record_json(article_record(NEW))


def test_a_packed_build_without_a_dictionary_serves_and_updates_without_one(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_index(articles(8), fake_embedder, tmp_path)
    without_dictionary(tmp_path)
    before = stored_records(published(tmp_path))
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert list(index.articles) == articles(8) and index.articles_by_id["d6"] == articles(8)[6]
    encoded = encoded_ids(monkeypatch)
    update_index(tmp_path, fake_embedder, upsert=[NEW, CHANGED], remove=["d5"])
    folder = published(tmp_path)
    assert sorted(encoded) == ["d2", "n1"] and not (folder / "articles.zdict").exists()
    after = stored_records(folder)
    for d in ("d0", "d1", "d3", "d4", "d6", "d7"):
        assert after[d] == before[d]
    assert PACKED.unwrap(after["n1"]) == record_json(article_record(NEW))
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    old = articles(8)
    assert list(index.articles) == [old[0], old[1], CHANGED, old[3], old[4], old[6], old[7], NEW]


def test_a_missing_or_other_dictionary_is_damage_named(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(8), fake_embedder, tmp_path)
    folder = published(tmp_path)
    zdict = (folder / "articles.zdict").read_bytes()
    (folder / "articles.zdict").write_bytes(zdict[:-1] + b"?")
    with pytest.raises(IndexDamaged, match=r"index/articles\.zdict .*not the dictionary"):
        StoredTexts.of(folder)
    (folder / "articles.zdict").unlink()
    with pytest.raises(IndexDamaged, match=r"index/articles\.zdict .*missing"):
        StoredTexts.of(folder)
    with pytest.raises(IndexDamaged, match=r"index/articles\.zdict .*missing"):
        load_folder(folder, read_manifest(folder))
    with pytest.raises(IndexDamaged, match=r"index/articles\.zdict"):
        load_index(tmp_path, fake_embedder.name, fake_embedder.dim)


def test_a_build_of_article_lines_still_serves(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(6), fake_embedder, tmp_path)
    as_format_7(tmp_path)
    folder = published(tmp_path)
    assert (folder / "articles.jsonl").exists() and not (folder / "articles.packed").exists()
    assert (folder / "chunks.jsonl").exists() and not (folder / "chunk_spans.npy").exists()
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert list(index.articles) == articles(6) and index.articles[3] == articles(6)[3]
    assert index.articles_by_id["d4"] == articles(6)[4]
    assert list(index.chunks) == [c for a in articles(6) for c in chunk_article(a)]
    hits = Retriever(index, fake_embedder).search("这是第3篇文章。它讲了第3件事", 2, "bm25")
    assert hits and hits[0].chunk.doc_id == "d3"


def test_an_update_of_a_build_of_article_lines_writes_them_packed_from_their_bytes(
    tmp_path: Path, fake_embedder
) -> None:
    build_index(articles(6), fake_embedder, tmp_path)
    as_format_7(tmp_path)
    lines = (published(tmp_path) / "articles.jsonl").read_bytes().splitlines()
    update_index(tmp_path, fake_embedder, upsert=[NEW], remove=["d1"])
    folder = published(tmp_path)
    assert not (folder / "articles.jsonl").exists() and not (folder / "chunks.jsonl").exists()
    records, coding = stored_records(folder), article_files(folder)[1]
    assert coding.zdict  # every record compressed anew: with a dictionary, as a build's
    for i in (0, 2, 3, 4, 5):  # each kept record is its line's own JSON bytes, compressed
        assert coding.unwrap(records[f"d{i}"]) == lines[i]
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    now = [articles(6)[i] for i in (0, 2, 3, 4, 5)] + [NEW]
    assert list(index.articles) == now
    assert list(index.chunks) == [c for a in now for c in chunk_article(a)]  # spans of its lines


def test_packed_articles_cut_short_are_damage_named(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(3), fake_embedder, tmp_path)
    folder = published(tmp_path)
    data = (folder / "articles.packed").read_bytes()
    (folder / "articles.packed").write_bytes(data[:-5])
    with pytest.raises(IndexDamaged, match=r"index/articles\.packed"):
        StoredTexts.of(folder)
    (folder / "article_offsets.npy").unlink()
    with pytest.raises(IndexDamaged, match=r"index/article_offsets\.npy .*missing"):
        StoredTexts.of(folder)


@pytest.fixture
def dictionaries_chosen(monkeypatch) -> list[int]:
    """One entry each time index.kept chooses a dictionary."""
    calls: list[int] = []

    def counted(sample: Any) -> bytes:
        calls.append(1)
        return record_dictionary(sample)

    monkeypatch.setattr("index.kept.record_dictionary", counted)
    return calls


def test_an_update_of_article_lines_chooses_its_dictionary_once(
    tmp_path: Path, fake_embedder, dictionaries_chosen: list[int]
) -> None:
    build_index(articles(6), fake_embedder, tmp_path)
    as_format_7(tmp_path)  # no stored fields either: read from the records
    update_index(tmp_path, fake_embedder, upsert=[NEW, CHANGED], remove=["d1"])
    assert len(dictionaries_chosen) == 1
    assert article_files(published(tmp_path))[1].zdict


def test_reading_article_lines_chooses_no_dictionary(
    tmp_path: Path, fake_embedder, dictionaries_chosen: list[int]
) -> None:
    build_index(articles(6), fake_embedder, tmp_path)
    as_format_7(tmp_path)
    texts = StoredTexts.of(published(tmp_path))
    assert texts is not None
    assert [r["title"] for r in texts.articles(["d4", "d0"])] == ["第4篇🚀", "第0篇🚀"]
    assert len(texts.fields()) == 6
    assert dictionaries_chosen == []
    assert texts.packed_articles_coding() == texts.packed_articles_coding()
    assert len(dictionaries_chosen) == 1
