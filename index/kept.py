"""The texts of the published build as an update edits them, without decoding them: the
records of the articles that stay are copied byte for byte, each passage's article and each
answer unit's are int32 rows and each passage's offsets in its article an int32 pair, and only
the new records are encoded. A removal reads the ids of the articles and the row arrays, and
no article or passage text.

Articles are packed (format 8: ARTICLE_OFFSETS and PACKED_ARTICLES, each record compressed on
its own, with the dictionary ARTICLES_ZDICT when the build has one) or lines of ARTICLES (format
7 and before); passages are offsets (CHUNK_SPANS) or lines of CHUNKS. An update of either writes
the packed articles and the offsets: with the dictionary of the build it edits (linked, so that
kept records stay its records), or without one as that build's were; an update of lines
chooses a dictionary as a fresh build does, every record being compressed anew."""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus.chunking import chunk_id
from index.integrity import link_or_copy
from index.layout import (
    ARTICLE_IDS,
    ARTICLE_OFFSETS,
    ARTICLES,
    ARTICLES_ZDICT,
    CHUNK_ARTICLES,
    CHUNK_SPANS,
    CHUNKS,
    PACKED_ARTICLES,
    UNIT_TABLE,
    IndexDamaged,
    read_part,
)
from index.texts import (
    LINES,
    ArticleFields,
    RecordCoding,
    dictionary_named,
    packed_coding,
    packed_offsets,
    record_dictionary,
    sample_rows,
    stored_record,
)

COPY_BLOCK = 1 << 24


def line_offsets(path: Path) -> np.ndarray:
    """The byte offsets of a file's lines: n + 1 of them for n lines, each ending in "\\n"."""
    data = np.fromfile(path, dtype=np.uint8)
    return np.concatenate([[0], np.flatnonzero(data == 0x0A) + 1]).astype(np.int64)


def article_files(folder: Path) -> tuple[str, RecordCoding]:
    """The file a build folder holds its articles in and how each record is stored there:
    packed when either file of format 8 is present (a missing one is then damage), with the
    folder's dictionary when it holds one (packed_dictionary)."""
    if (folder / PACKED_ARTICLES).exists() or (folder / ARTICLE_OFFSETS).exists():
        return PACKED_ARTICLES, packed_coding(packed_dictionary(folder))
    return ARTICLES, LINES


def packed_dictionary(folder: Path) -> bytes:
    """The dictionary a folder's packed records are compressed with (empty: none, as builds
    before it wrote them), checked against the one the first record's zlib header names: a
    record compressed with a dictionary names it by its Adler-32 checksum (RFC 1950)."""
    zdict = b""
    if (folder / ARTICLES_ZDICT).exists():
        zdict = read_part(ARTICLES_ZDICT, lambda: (folder / ARTICLES_ZDICT).read_bytes())
    try:
        with (folder / PACKED_ARTICLES).open("rb") as fh:
            header = fh.read(6)
    except FileNotFoundError:
        return zdict  # told as the packed file's damage where it is read
    if len(header) < 2:  # no record to tell by
        return zdict
    try:
        named = dictionary_named(header)
    except ValueError as exc:
        raise IndexDamaged(PACKED_ARTICLES, str(exc)) from None
    if named is not None:  # the record needs a dictionary
        if not zdict:
            raise IndexDamaged(ARTICLES_ZDICT, "missing: the articles are compressed with it")
        if named != zlib.adler32(zdict):
            raise IndexDamaged(ARTICLES_ZDICT, "not the dictionary the articles need")
    elif zdict:
        raise IndexDamaged(PACKED_ARTICLES, f"records compressed without {ARTICLES_ZDICT}")
    return zdict


def passages_file(folder: Path) -> str:
    """The file a build folder holds its passages in: their offsets in their articles (format
    8), else the lines of chunks.jsonl (format 7 and before); the offsets when neither is there
    (format 8's file is then the one missing)."""
    if (folder / CHUNK_SPANS).exists() or not (folder / CHUNKS).exists():
        return CHUNK_SPANS
    return CHUNKS


def packed_article_offsets(folder: Path) -> np.ndarray:
    """The byte offsets of a folder's packed articles, checked against the file they index."""
    offsets = read_part(ARTICLE_OFFSETS, lambda: np.load(folder / ARTICLE_OFFSETS))
    size = read_part(PACKED_ARTICLES, lambda: (folder / PACKED_ARTICLES).stat().st_size)
    if offsets.ndim != 1 or offsets.dtype != np.int64 or not len(offsets):
        raise IndexDamaged(ARTICLE_OFFSETS, "not a list of int64 offsets")
    if offsets[0] != 0 or (np.diff(offsets) < 0).any():
        raise IndexDamaged(ARTICLE_OFFSETS, "offsets out of order")
    if int(offsets[-1]) != size:
        raise IndexDamaged(PACKED_ARTICLES, f"{size} bytes, its offsets end at {offsets[-1]}")
    return offsets


def record_offsets(folder: Path, name: str) -> np.ndarray:
    """The n + 1 byte offsets of the records of a folder's file `name` (JSONL, or packed)."""
    if name == PACKED_ARTICLES:
        return packed_article_offsets(folder)
    return read_part(name, lambda: line_offsets(folder / name))


NEW = -1  # in KeptRecords.order: the next of the new records


@dataclass(slots=True)
class KeptRecords:
    """A file of records of the build before with some of its records, and new ones: order
    gives the source row of each record written, or NEW for the next of `added`. Records are
    written in `coding`: kept ones stored alike are copied byte for byte, others (lines of an
    older build written packed) have their JSON bytes re-wrapped, not decoded. The coding's
    dictionary is written beside them (linked from the source's folder when it is its own)."""

    source: Path
    offsets: np.ndarray  # of the source's records (record_offsets)
    order: np.ndarray  # int64
    added: list[dict[str, Any]]
    source_coding: RecordCoding
    coding: RecordCoding

    def __len__(self) -> int:
        return len(self.order)

    def write(self, path: Path) -> np.ndarray:
        """Runs of consecutive kept records copied in one piece (by the kernel where it can),
        the new records encoded where they stand; returns the written records' offsets."""
        if self.coding.zdict:
            zdict = path.parent / ARTICLES_ZDICT
            if self.coding == self.source_coding:
                link_or_copy(self.source.parent / ARTICLES_ZDICT, zdict)
            else:
                zdict.write_bytes(self.coding.zdict)
        added = iter(self.added)
        lengths: list[np.ndarray] = []
        with self.source.open("rb") as src, path.open("wb") as out:
            for lo, hi in _runs(self.order):
                if lo == NEW:
                    encoded = [self.coding.encode(next(added)) for _ in range(hi)]
                    out.write(b"".join(encoded))
                    lengths.append(np.array([len(e) for e in encoded], dtype=np.int64))
                elif self.coding == self.source_coding:
                    _copy(src, out, int(self.offsets[lo]), int(self.offsets[hi]))
                    lengths.append(np.diff(self.offsets[lo : hi + 1]))
                else:
                    lengths.append(self._rewrapped(src, out, lo, hi))
        return packed_offsets(np.concatenate(lengths) if lengths else np.zeros(0, np.int64))

    def _rewrapped(self, src: Any, out: Any, lo: int, hi: int) -> np.ndarray:
        """Source records lo..hi-1 written in this coding; their lengths as written."""
        src.seek(int(self.offsets[lo]))
        lengths = np.zeros(hi - lo, dtype=np.int64)
        for k, size in enumerate(np.diff(self.offsets[lo : hi + 1]).tolist()):
            stored = self.coding.wrap(self.source_coding.unwrap(src.read(size)))
            out.write(stored)
            lengths[k] = len(stored)
        return lengths


def _runs(order: np.ndarray) -> list[tuple[int, int]]:
    """order in pieces: (lo, hi) for source rows lo..hi-1 in a row, (NEW, k) for k new records."""
    if not len(order):
        return []
    new = order == NEW
    step = np.diff(order) != 1
    breaks = np.flatnonzero(step | new[1:] | new[:-1]) + 1
    bounds = np.concatenate([[0], breaks, [len(order)]]).tolist()
    runs: list[tuple[int, int]] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        first = int(order[a])
        if first == NEW:
            if runs and runs[-1][0] == NEW:
                runs[-1] = (NEW, runs[-1][1] + b - a)
            else:
                runs.append((NEW, b - a))
        else:
            runs.append((first, int(order[b - 1]) + 1))
    return runs


def _copy(src: Any, out: Any, lo: int, hi: int) -> None:
    out.flush()  # the kernel's copy writes at the descriptor's position: what is buffered first
    while lo < hi:
        try:
            done = os.copy_file_range(src.fileno(), out.fileno(), hi - lo, lo)
        except OSError:
            src.seek(lo)
            done = out.write(src.read(min(hi - lo, COPY_BLOCK)))
        if done <= 0:
            raise OSError(f"could not copy bytes {lo}-{hi} of {src.name}")
        lo += done


@dataclass(slots=True)
class StoredTexts:
    """The rows of a build folder's texts: article ids in order, the byte offsets of their
    records, each passage's article row and its offsets there (or, format 7 and before, the
    byte offsets of its line of chunks.jsonl) and the answer-unit table."""

    folder: Path
    ids: list[str]
    article_offsets: np.ndarray
    chunk_articles: np.ndarray  # int32, one per passage
    units: np.ndarray  # int32 (article row, start, end), one per answer unit
    articles_name: str  # PACKED_ARTICLES, or ARTICLES as format 7 and before stored them
    article_coding: RecordCoding
    chunk_spans: np.ndarray | None  # int32 (start, end) per passage; None: chunk_lines
    chunk_lines: np.ndarray | None  # the byte offsets of chunks.jsonl's lines (format 7)
    written_coding: RecordCoding | None = None  # packed_articles_coding(), once it has chosen

    @classmethod
    def of(cls, folder: Path) -> StoredTexts | None:
        """The rows of a folder that stores them (format 4 with ids); None for one without."""
        if not (folder / ARTICLE_IDS).exists() or not (folder / CHUNK_ARTICLES).exists():
            return None
        ids = read_part(ARTICLE_IDS, lambda: json.loads((folder / ARTICLE_IDS).read_text("utf-8")))
        name, coding = article_files(folder)
        spans = lines = None
        if passages_file(folder) == CHUNK_SPANS:
            spans = read_part(CHUNK_SPANS, lambda: np.load(folder / CHUNK_SPANS))
        else:
            lines = record_offsets(folder, CHUNKS)
        texts = cls(
            folder,
            ids,
            record_offsets(folder, name),
            read_part(CHUNK_ARTICLES, lambda: np.load(folder / CHUNK_ARTICLES)),
            read_part(UNIT_TABLE, lambda: np.load(folder / UNIT_TABLE)),
            name,
            coding,
            spans,
            lines,
        )
        texts.check()
        return texts

    def check(self) -> None:
        """IndexDamaged naming the file whose rows disagree with the others'."""
        n = len(self.ids)
        if len(self.article_offsets) - 1 != n:
            found = len(self.article_offsets) - 1
            raise IndexDamaged(self.articles_name, f"{found} records, {n} article ids")
        passages = len(self.chunk_articles)
        if self.chunk_lines is not None and len(self.chunk_lines) - 1 != passages:
            lines = len(self.chunk_lines) - 1
            raise IndexDamaged(CHUNKS, f"{lines} lines, {passages} passage rows")
        if (spans := self.chunk_spans) is not None:
            if spans.shape != (passages, 2) or not np.issubdtype(spans.dtype, np.integer):
                raise IndexDamaged(CHUNK_SPANS, f"{spans.shape} offsets, {passages} passage rows")
            if passages and (spans[:, 0].min() < 0 or (spans[:, 1] < spans[:, 0]).any()):
                raise IndexDamaged(CHUNK_SPANS, "a passage ends before it starts")
        for name, rows in ((CHUNK_ARTICLES, self.chunk_articles), (UNIT_TABLE, self.units[:, 0])):
            if len(rows) and not 0 <= int(rows.min()) <= int(rows.max()) < n:
                raise IndexDamaged(name, f"a row names an article beyond the {n} held")

    def spans(self) -> np.ndarray:
        """Each passage's (start, end) in its article: stored, or read from chunks.jsonl's
        lines (an older build's), each checked to be named as chunk_id names it."""
        if self.chunk_spans is not None:
            return self.chunk_spans
        spans = np.zeros((len(self.chunk_articles), 2), dtype=np.int32)
        with (self.folder / CHUNKS).open("rb") as fh:
            for i, (line, row) in enumerate(zip(fh, self.chunk_articles.tolist(), strict=True)):
                record = json.loads(line)
                start, end = record["start"], record["end"]
                if record["chunk_id"] != chunk_id(self.ids[row], start, end):
                    raise IndexDamaged(CHUNKS, f"passage {i} is not named by its place")
                spans[i] = start, end
        return spans

    def kept_articles(self, order: np.ndarray, added: list[dict[str, Any]]) -> KeptRecords:
        """The articles at the rows of order (NEW: the next of added), written packed
        (packed_articles_coding)."""
        path = self.folder / self.articles_name
        coding = self.packed_articles_coding()
        return KeptRecords(path, self.article_offsets, order, added, self.article_coding, coding)

    def packed_articles_coding(self) -> RecordCoding:
        """How an update writes the articles: as the build's own are, or (lines) compressed with
        a dictionary chosen from a sample of them, chosen once."""
        if self.article_coding != LINES:
            return self.article_coding
        if self.written_coding is None:
            sample = self.stored_articles(sample_rows(len(self.ids)))
            self.written_coding = packed_coding(record_dictionary(map(LINES.unwrap, sample)))
        return self.written_coding

    def stored_articles(self, rows: Iterable[int]) -> Iterator[bytes]:
        """The records of the articles at rows as their file holds them."""
        with (self.folder / self.articles_name).open("rb") as fh:
            for row in rows:
                yield stored_record(fh.fileno(), self.article_offsets, row, self.articles_name)

    def fields(self) -> ArticleFields:
        """What filters read of each article: stored, or (a build before they were) read from
        every article's record."""
        stored = ArticleFields.read(self.folder, len(self.ids))
        if stored is not None:
            return stored
        records = map(self.article_coding.decode, self.stored_articles(range(len(self.ids))))
        return ArticleFields.of(r.get("metadata") or {} for r in records)

    def articles(self, doc_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The records of these articles (by id), decoded."""
        rows = {d: i for i, d in enumerate(self.ids)}
        stored = self.stored_articles(rows[d] for d in doc_ids)
        return [self.article_coding.decode(record) for record in stored]


@dataclass(slots=True)
class EditedTexts:
    """What an update writes of the texts: the packed articles, the ids, each passage's
    article row and offsets there, and the answer-unit table."""

    ids: list[str]
    articles: KeptRecords
    fields: ArticleFields  # what filters read of each article
    chunk_articles: np.ndarray  # int32
    chunk_spans: np.ndarray  # int32 (start, end)
    units: np.ndarray
    keep_chunks: np.ndarray  # the rows of the build before's passages kept, in order
    keep_units: np.ndarray


def passage_span(record: dict[str, Any]) -> tuple[int, int]:
    """A passage record's (start, end), refused when its id is not the one chunk_id gives its
    place (only the place is stored)."""
    start, end = int(record["start"]), int(record["end"])
    if record["chunk_id"] != chunk_id(record["doc_id"], start, end):
        raise ValueError(f"passage {record['chunk_id']} is not named by its place {start}-{end}")
    return start, end


def edited_texts(
    texts: StoredTexts,
    gone: set[str],
    new: Sequence[dict[str, Any]],
    chunks: Sequence[dict[str, Any]],
    units: Sequence[tuple[str, int, int]],
) -> EditedTexts:
    """texts without the articles in gone (their passages and units), with the new article
    records (a replaced article's where it stood, the others after), their passages and units
    appended."""
    n = len(texts.ids)
    replacing = {str(r["doc_id"]): r for r in new}
    live = np.fromiter((d not in gone for d in texts.ids), dtype=bool, count=n)
    in_place = np.fromiter((d in gone and d in replacing for d in texts.ids), dtype=bool, count=n)
    stays = live | in_place
    row_after = np.cumsum(stays) - 1  # each old article's row in the new order
    kept = np.flatnonzero(stays)
    ids = [texts.ids[i] for i in kept.tolist()]
    records = [replacing.pop(texts.ids[i]) for i in np.flatnonzero(in_place).tolist()]
    records += list(replacing.values())
    ids += list(replacing)
    order = np.concatenate([np.where(live, np.arange(n), NEW)[stays], np.full(len(replacing), NEW)])
    new_rows = {d: i for i, d in enumerate(ids)}
    keep_chunks = np.flatnonzero(live[texts.chunk_articles])
    keep_units = np.flatnonzero(live[texts.units[:, 0]])
    added_chunks = np.fromiter((new_rows[c["doc_id"]] for c in chunks), np.int64, len(chunks))
    added_spans = np.array([passage_span(c) for c in chunks], dtype=np.int64).reshape(-1, 2)
    kept_units = texts.units[keep_units].astype(np.int64)
    kept_units[:, 0] = row_after[kept_units[:, 0]]
    added_units = np.array([(new_rows[d], s, e) for d, s, e in units], dtype=np.int64)
    return EditedTexts(
        ids,
        texts.kept_articles(order.astype(np.int64), records),
        texts.fields().taken(order, [r.get("metadata") or {} for r in records]),
        np.concatenate([row_after[texts.chunk_articles[keep_chunks]], added_chunks]).astype(
            np.int32
        ),
        np.concatenate([texts.spans()[keep_chunks], added_spans]).astype(np.int32),
        np.concatenate([kept_units, added_units.reshape(-1, 3)]).astype(np.int32),
        keep_chunks,
        keep_units,
    )
