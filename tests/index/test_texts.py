"""Records read from their files on demand (index.texts): JSON lines, or each record's JSON
compressed on its own (format 8's packed articles, with a shared dictionary or without), read
back byte for byte by row and by id."""

from __future__ import annotations

import gc
import json
import os
import random
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from corpus.model import Article, Edit
from index.folder import read_articles
from index.store import build_index, load_index
from index.texts import (
    LINES,
    PACKED,
    FileRecords,
    RecordsById,
    dictionary_named,
    packed_coding,
    packed_offsets,
    record_dictionary,
    record_json,
)
from tests.index.older_formats import as_format_7

RECORDS = [{"id": "x", "n": 1}, {"id": "头条", "n": 2, "text": "𠮷野家🍜　\n"}, {"id": "z", "n": 3}]
SHARED = packed_coding(record_dictionary(map(record_json, RECORDS)))


def write_records(path: Path, records: list[dict], coding) -> np.ndarray:
    stored = [coding.encode(r) for r in records]
    path.write_bytes(b"".join(stored))
    return packed_offsets([len(s) for s in stored])


@pytest.mark.parametrize("coding", [LINES, PACKED, SHARED], ids=["lines", "packed", "shared"])
def test_file_records_decode_the_record_asked_for(tmp_path: Path, coding) -> None:
    offsets = write_records(tmp_path / "r", RECORDS, coding)
    records = FileRecords(tmp_path / "r", lambda r: r, offsets, coding)
    assert len(records) == 3 and records[1] == RECORDS[1] and records[-1] == RECORDS[2]
    assert records[0:2] == RECORDS[:2] and list(records) == RECORDS
    by_id = RecordsById(records, [r["id"] for r in RECORDS])
    assert by_id["头条"] == RECORDS[1] and "y" not in by_id
    with pytest.raises(IndexError):
        records[3]


def test_a_packed_record_holds_its_json_compressed_alone(tmp_path: Path) -> None:
    offsets = write_records(tmp_path / "r", RECORDS, PACKED)
    data = (tmp_path / "r").read_bytes()
    second = data[offsets[1] : offsets[2]]
    assert PACKED.unwrap(second) == json.dumps(RECORDS[1], ensure_ascii=False).encode()


@pytest.mark.parametrize("coding", [PACKED, SHARED], ids=["packed", "shared"])
def test_a_damaged_packed_record_is_a_value_error(tmp_path: Path, coding) -> None:
    offsets = write_records(tmp_path / "r", RECORDS, coding)
    data = bytearray((tmp_path / "r").read_bytes())
    data[int(offsets[1]) + 7] ^= 0xFF
    (tmp_path / "r").write_bytes(bytes(data))
    with pytest.raises(ValueError):
        FileRecords(tmp_path / "r", lambda r: r, offsets, coding)[1]


def test_records_compressed_with_a_shared_dictionary_need_it_and_are_smaller() -> None:
    sample = [
        record_json({"doc_id": f"d{i}", "text": f"第{i}篇讲铜价上涨的新闻。"}) for i in range(50)
    ]
    zdict = record_dictionary(sample)
    assert zdict and len(zdict) <= 32 * 1024
    record = {"doc_id": "n1", "text": "第七篇讲铜价上涨的新闻。"}
    shared = packed_coding(zdict)
    assert len(shared.encode(record)) < len(PACKED.encode(record))
    assert shared.decode(shared.encode(record)) == record
    assert shared == packed_coding(zdict) and shared != PACKED  # stored alike or not
    with pytest.raises(ValueError):
        PACKED.decode(shared.encode(record))
    with pytest.raises(ValueError):
        packed_coding(zdict[::-1]).decode(shared.encode(record))
    assert record_dictionary([b"abcdefgh", b"ijklmnop"]) == b""  # nothing shared


def articles(n: int) -> list[Article]:
    """Texts with characters outside the BMP, full-width spaces and line breaks; some edited."""
    made = []
    for i in range(n):
        text = f"第{i}篇讲𠮷野家的🍜和　全角空格。\n价格上涨了{i}成。" * (1 + i % 5)
        edits = (Edit("join", 3, 5, "接上", "join/line"),) if i % 3 == 0 else ()
        meta = {"版面": i, "tags": ["经济"]}
        made.append(Article(f"d{i}", f"标题{i}🚀", text, f"记者{i}", "p.txt", meta, edits))
    return made


def test_a_build_packs_its_articles_and_reads_each_back_by_row_and_by_id(
    tmp_path: Path, fake_embedder
) -> None:
    written = articles(40)
    build_index(written, fake_embedder, tmp_path)
    folder = (tmp_path / "index").resolve()
    assert (folder / "articles.packed").exists() and (folder / "article_offsets.npy").exists()
    assert (folder / "articles.zdict").exists()  # chosen from the articles, used for each
    assert not (folder / "articles.jsonl").exists()
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    rows = list(range(len(written)))
    random.Random(7).shuffle(rows)
    for row in rows:
        assert index.articles[row] == written[row]
        assert index.articles_by_id[f"d{row}"] == written[row]
    assert list(index.articles) == written == read_articles(folder)
    for c in index.chunks:  # passages are still their article's characters
        assert c.text == written[int(c.doc_id[1:])].text[c.start : c.end]


def test_one_reader_tells_the_dictionary_a_records_zlib_header_names() -> None:
    stored = SHARED.encode(RECORDS[1])
    assert dictionary_named(stored) == zlib.adler32(SHARED.zdict)
    assert dictionary_named(PACKED.encode(RECORDS[1])) is None
    for damaged in (b"", b"x", b"xy" + stored[2:], stored[:4]):
        with pytest.raises(ValueError):
            dictionary_named(damaged)


@pytest.fixture
def no_cycle_collection() -> Iterator[None]:
    """Only reference counts free objects meanwhile: what a reference cycle holds stays."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc/self/fd to tell the open files")
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    yield
    if was:
        gc.enable()


def files_open_under(folder: Path) -> list[str]:
    """The files under folder this process holds a descriptor of."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the descriptor listdir itself used, closed since
            continue
        if target.startswith(f"{folder.resolve()}/"):
            held.append(Path(target).name)
    return held


@pytest.mark.parametrize("coding", [LINES, SHARED], ids=["lines", "shared"])
def test_dropped_file_records_close_their_file_at_once(
    tmp_path: Path, coding, no_cycle_collection
) -> None:
    offsets = write_records(tmp_path / "r", RECORDS, coding)
    records = FileRecords(tmp_path / "r", lambda r: r, offsets, coding)
    assert records[1] == RECORDS[1] and files_open_under(tmp_path) == ["r"]
    del records
    assert files_open_under(tmp_path) == []


@pytest.mark.parametrize("older", [False, True], ids=["format-8", "format-7"])
def test_a_dropped_index_closes_its_files_at_once(
    tmp_path: Path, fake_embedder, older: bool, no_cycle_collection
) -> None:
    """A server swaps generations and deletes the old build folder: its files' disk space is
    freed only when nothing holds them open."""
    build_index(articles(6), fake_embedder, tmp_path)
    if older:
        as_format_7(tmp_path)
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert index.articles[2] == articles(6)[2] and index.chunks[-1].doc_id == "d5"
    assert index.articles_by_id["d3"] == articles(6)[3]
    assert files_open_under(tmp_path)
    del index
    assert files_open_under(tmp_path) == []
