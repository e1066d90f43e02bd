"""Articles and passages read from their files when asked for, not held as objects: each
record's byte offsets kept, a record read with os.pread (no memory map: a map's pages would
count in the server's resident memory and grow with each question), the records asked for
lately cached. A record is stored as one JSON line (RecordCoding LINES) or as its JSON
compressed on its own (PACKED), with a dictionary shared by the records of a build when it has
one (packed_coding, record_dictionary). Passages of format 8 are no records: each is its article's
text between two stored offsets (Passages)."""

from __future__ import annotations

import heapq
import json
import os
import re
import weakref
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import numpy as np

from corpus.chunking import chunk_id
from corpus.model import Article, Chunk
from corpus.plain import iso_date
from index.layout import (
    ARTICLE_DATES,
    ARTICLE_SOURCE_NAMES,
    ARTICLE_SOURCES,
    IndexDamaged,
    read_part,
)

T = TypeVar("T")
CACHED_RECORDS = 4096  # per file: a question reads a few passages and their articles
READ_BLOCK = 1 << 20  # bytes buffered when every record is read in order
# A shared dictionary (measured on the CMRC and DRCD articles, each built from the other's:
# records to 49-48 % of their JSON bytes, 63-64 % without, 51-50 % with concatenated records)
ZDICT_BYTES = 1 << 15  # zlib's window: what lies further back than this is never referred to
ZDICT_SAMPLE_BYTES = 1 << 20  # of records, spread over the corpus, the dictionary is chosen from
ZDICT_SAMPLE_RECORDS = 4096
ZDICT_GRAM = 6  # bytes: two CJK characters in UTF-8
ZDICT_SEGMENT = 48  # bytes: the pieces of sampled records the dictionary is made of


def record_json(record: Any) -> bytes:
    """A record's JSON bytes, as every coding stores them (wrapped)."""
    return json.dumps(record, ensure_ascii=False).encode()


def _line(data: bytes) -> bytes:
    return data + b"\n"


def _unline(stored: bytes) -> bytes:
    return stored[:-1] if stored.endswith(b"\n") else stored


def _inflate(stored: bytes) -> bytes:
    try:
        return zlib.decompress(stored)
    except zlib.error as exc:  # told as the other readers tell a damaged record
        raise ValueError(f"a damaged compressed record: {exc}") from exc


@dataclass(frozen=True, slots=True)
class RecordCoding:
    """How a record's JSON bytes are stored: wrap(json) is what the file holds, unwrap gives
    the JSON back byte for byte. Codings are equal when they store alike (name and dictionary):
    a record of one is then a record of the other, byte for byte."""

    name: str
    wrap: Callable[[bytes], bytes] = field(compare=False)
    unwrap: Callable[[bytes], bytes] = field(compare=False)
    zdict: bytes = b""  # the dictionary shared by the records (empty: none)

    def encode(self, record: Any) -> bytes:
        return self.wrap(record_json(record))

    def decode(self, stored: bytes) -> Any:
        return json.loads(self.unwrap(stored))


LINES = RecordCoding("lines", _line, _unline)  # JSONL: one record a line
PACKED = RecordCoding("zlib", zlib.compress, _inflate)  # each record compressed alone


def packed_coding(zdict: bytes = b"") -> RecordCoding:
    """Each record compressed on its own with the shared dictionary zdict (PACKED without)."""
    if not zdict:
        return PACKED

    def wrap(data: bytes) -> bytes:
        deflate = zlib.compressobj(zdict=zdict)
        return deflate.compress(data) + deflate.flush()

    dict_id = zlib.adler32(zdict)

    def unwrap(stored: bytes) -> bytes:
        """The zlib stream's deflate data inflated raw, its header and checksum checked here:
        zlib's own check of the dictionary's Adler-32 on every record doubled the time."""
        named = dictionary_named(stored) if len(stored) >= 10 else None
        if named is None:
            raise ValueError("a damaged compressed record: no zlib header with a dictionary")
        if named != dict_id:
            raise ValueError("a compressed record of another dictionary")
        inflate = zlib.decompressobj(-zlib.MAX_WBITS, zdict=zdict)
        try:
            data = inflate.decompress(stored[6:-4])
        except zlib.error as exc:
            raise ValueError(f"a damaged compressed record: {exc}") from exc
        if not inflate.eof or inflate.unused_data or zlib.adler32(data) != checksum(stored):
            raise ValueError("a damaged compressed record: not one whole zlib stream")
        return data

    return RecordCoding("zlib", wrap, unwrap, zdict)


def dictionary_named(stored: bytes) -> int | None:
    """The Adler-32 of the dictionary a zlib stream's header names (RFC 1950: FDICT set and the
    checksum after the two header bytes); None when it names none. ValueError when the stream
    starts with no zlib header."""
    cmf_flg = int.from_bytes(stored[:2], "big")
    if len(stored) < 2 or cmf_flg % 31 or cmf_flg & 0x0F00 != 0x0800:  # CM 8: deflate
        raise ValueError("a damaged compressed record: no zlib header")
    if not cmf_flg & 0x20:
        return None
    if len(stored) < 6:
        raise ValueError("a damaged compressed record: its header ends inside a dictionary's id")
    return int.from_bytes(stored[2:6], "big")


def checksum(stored: bytes) -> int:
    """The Adler-32 of its data a zlib stream ends with."""
    return int.from_bytes(stored[-4:], "big")


def sample_rows(n: int) -> list[int]:
    """Rows of n records, at random but the same every time, to choose a dictionary from."""
    return np.random.default_rng(0).permutation(n)[:ZDICT_SAMPLE_RECORDS].tolist()


def record_dictionary(sample: Iterable[bytes]) -> bytes:
    """A shared zlib dictionary for records like the sample's (taken until ZDICT_SAMPLE_BYTES):
    pieces of them holding the byte grams most records hold, each gram counted once, chosen
    greedily until ZDICT_BYTES; the best last, nearest the record and so cheapest to refer to.
    Empty when no gram is in two records."""
    records: list[bytes] = []
    held = 0
    for record in sample:
        records.append(record)
        held += len(record)
        if held >= ZDICT_SAMPLE_BYTES:
            break
    d = ZDICT_GRAM
    in_records = Counter(g for r in records for g in {r[i : i + d] for i in range(len(r) - d + 1)})
    step = ZDICT_SEGMENT // 2
    pieces = [r[s : s + ZDICT_SEGMENT] for r in records for s in range(0, len(r) - d + 1, step)]
    chosen: set[bytes] = set()

    def worth(piece: bytes) -> int:
        grams = {piece[i : i + d] for i in range(len(piece) - d + 1)}
        return sum(k for g in grams if (k := in_records[g]) > 1 and g not in chosen)

    queue = [(-worth(p), i) for i, p in enumerate(pieces)]
    heapq.heapify(queue)
    picked: list[bytes] = []
    size = 0
    while queue and size < ZDICT_BYTES:
        _, i = heapq.heappop(queue)
        now = worth(pieces[i])  # less than queued when grams were chosen since
        if now <= 0:
            continue
        if queue and now < -queue[0][0]:
            heapq.heappush(queue, (-now, i))
            continue
        piece = pieces[i]
        picked.append(piece)
        size += len(piece)
        chosen.update(piece[j : j + d] for j in range(len(piece) - d + 1))
    return b"".join(reversed(picked))[-ZDICT_BYTES:]


def packed_offsets(lengths: Sequence[int] | np.ndarray) -> np.ndarray:
    """The n + 1 byte offsets (int64) of records of these lengths stored one after another."""
    return np.concatenate([[0], np.cumsum(np.asarray(lengths, dtype=np.int64))]).astype(np.int64)


def stored_record(fd: int, offsets: np.ndarray, i: int, name: str) -> bytes:
    """Record i of the file `name` open at fd as the file holds it (offsets: the n + 1 byte
    offsets of its records), read with one pread; ValueError when the file ends inside it."""
    lo, hi = int(offsets[i]), int(offsets[i + 1])
    stored = os.pread(fd, hi - lo, lo)
    if len(stored) != hi - lo:
        raise ValueError(f"{name} ends inside record {i}")
    return stored


class RowsOnDemand(Sequence[T]):
    """Item i made by _row(i) when asked for: a negative row counts from the end, a slice gives
    a list."""

    def _row(self, i: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self._row(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        return self._row(i % n)


def cached_reader(
    fd: int, offsets: np.ndarray, name: str, coding: RecordCoding, parse: Callable[[Any], T]
) -> Callable[[int], T]:
    """Record i of the file at fd parsed, the records read lately cached. A closure over the
    descriptor, not a method: a cache the records' object held of its own bound method would
    make a reference cycle, and the file would stay open until a cycle collection."""

    def read(i: int) -> T:
        return parse(coding.decode(stored_record(fd, offsets, i, name)))

    return lru_cache(maxsize=CACHED_RECORDS)(read)


class FileRecords(RowsOnDemand[T], Generic[T]):
    """Record i of a file as parse(its decoded JSON), read and parsed on demand; the file is
    closed as soon as the object is dropped."""

    def __init__(
        self,
        path: Path,
        parse: Callable[[dict[str, Any]], T],
        offsets: np.ndarray,
        coding: RecordCoding = LINES,
    ):
        self.path = path
        self.offsets = offsets  # n + 1 byte offsets: record i is [offsets[i], offsets[i + 1])
        self.coding = coding
        fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, fd)
        self._parse = parse
        self._cached = cached_reader(fd, offsets, path.name, coding, parse)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def _row(self, i: int) -> T:
        return self._cached(i)

    def __iter__(self) -> Iterator[T]:
        """Every record in order, read through a buffer (not the cache of what questions read
        lately)."""
        with self.path.open("rb", buffering=READ_BLOCK) as fh:
            fh.seek(int(self.offsets[0]) if len(self.offsets) else 0)
            for size in np.diff(self.offsets).tolist():
                yield self._parse(self.coding.decode(fh.read(size)))


class Passages(RowsOnDemand[Chunk]):
    """Passage i as its article's title and text[start:end], made from its article row and its
    (start, end) when asked for: nothing else is stored per passage (format 8)."""

    def __init__(self, articles: Sequence[Article], rows: np.ndarray, spans: np.ndarray) -> None:
        self.articles = articles  # read through their cache
        self.rows = rows  # int32, each passage's article row
        self.spans = spans  # int32 (start, end) per passage

    def _passage(self, i: int, article: Article) -> Chunk:
        start, end = int(self.spans[i, 0]), int(self.spans[i, 1])
        doc_id = article.doc_id
        return Chunk(
            chunk_id(doc_id, start, end), doc_id, article.title, article.text[start:end], start, end
        )

    def __len__(self) -> int:
        return len(self.rows)

    def _row(self, i: int) -> Chunk:
        return self._passage(i, self.articles[int(self.rows[i])])

    def __iter__(self) -> Iterator[Chunk]:
        """Every passage in order, each run of one article's passages reading it once."""
        row, article = -1, None
        for i, r in enumerate(self.rows.tolist()):
            if r != row:
                row, article = r, self.articles[r]
            assert article is not None
            yield self._passage(i, article)


NO_DATE = -1  # in ArticleFields.dates: no date iso_date reads
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_number(day: str) -> int:
    """A YYYY-MM-DD as the int YYYYMMDD: ordered as those strings are, valid date or not."""
    return int(day.replace("-", ""))


@dataclass(frozen=True, slots=True)
class ArticleFields:
    """What a date or source filter reads of each article (index.backend.ArticleFilter), by
    row, so that a filter reads no article: its metadata date as iso_date reads it and its
    metadata source as a string."""

    dates: np.ndarray  # int32 date_number of each article's date; NO_DATE without one
    sources: np.ndarray  # int32, each article's source as its place in names
    names: list[str]  # the distinct sources

    @classmethod
    def of(cls, metadata: Iterable[Mapping[str, Any]]) -> ArticleFields:
        """The fields of articles with this metadata, in order."""
        dates: list[int] = []
        sources: list[int] = []
        places: dict[str, int] = {}
        for meta in metadata:
            day = iso_date(str(meta.get("date", "")))
            dates.append(NO_DATE if day is None else date_number(day))
            sources.append(places.setdefault(str(meta.get("source", "")), len(places)))
        return cls(np.array(dates, np.int32), np.array(sources, np.int32), list(places))

    def __len__(self) -> int:
        return len(self.dates)

    def taken(self, order: np.ndarray, added: Sequence[Mapping[str, Any]]) -> ArticleFields:
        """The fields of the articles at the rows of order, each negative row the next of
        these new articles' metadata."""
        new = self.of(added)
        places = {name: i for i, name in enumerate(self.names)}
        for name in new.names:
            places.setdefault(name, len(places))
        renamed = np.array([places[name] for name in new.names], np.int32)
        fresh = order < 0
        if fresh.sum() != len(new):
            raise ValueError(f"{int(fresh.sum())} new rows, {len(new)} new articles")
        dates = np.zeros(len(order), np.int32)
        sources = np.zeros(len(order), np.int32)
        dates[~fresh], sources[~fresh] = self.dates[order[~fresh]], self.sources[order[~fresh]]
        dates[fresh], sources[fresh] = new.dates, renamed[new.sources]
        used = np.unique(sources)  # the sources of removed articles dropped
        renumber = np.zeros(len(places), np.int32)
        renumber[used] = np.arange(len(used), dtype=np.int32)
        names = list(places)
        return ArticleFields(dates, renumber[sources], [names[i] for i in used.tolist()])

    def admitted(
        self, date_from: str | None, date_to: str | None, source: str | None
    ) -> np.ndarray | None:
        """A mask over the articles: those with this source (None: any) and a date in
        [date_from, date_to] (when either is given); None when a date given is no YYYY-MM-DD
        (only the article-by-article comparison of strings then says)."""
        admits = np.ones(len(self), dtype=bool)
        if source is not None:
            place = self.names.index(source) if source in self.names else -1
            admits &= self.sources == place
        if date_from or date_to:
            if not all(_ISO_DAY.fullmatch(d) for d in (date_from, date_to) if d):
                return None
            admits &= self.dates != NO_DATE
            if date_from:
                admits &= self.dates >= date_number(date_from)
            if date_to:
                admits &= self.dates <= date_number(date_to)
        return admits

    def write(self, folder: Path) -> None:
        np.save(folder / ARTICLE_DATES, self.dates.astype(np.int32))
        np.save(folder / ARTICLE_SOURCES, self.sources.astype(np.int32))
        names = json.dumps(self.names, ensure_ascii=False)
        (folder / ARTICLE_SOURCE_NAMES).write_text(names, encoding="utf-8")

    @classmethod
    def read(cls, folder: Path, n: int) -> ArticleFields | None:
        """The fields of a folder's n articles; None for a build before they were stored."""
        if not (folder / ARTICLE_DATES).exists():
            return None
        dates = read_part(ARTICLE_DATES, lambda: np.load(folder / ARTICLE_DATES))
        sources = read_part(ARTICLE_SOURCES, lambda: np.load(folder / ARTICLE_SOURCES))
        path = folder / ARTICLE_SOURCE_NAMES
        names = read_part(ARTICLE_SOURCE_NAMES, lambda: json.loads(path.read_text("utf-8")))
        for name, rows in ((ARTICLE_DATES, dates), (ARTICLE_SOURCES, sources)):
            if rows.shape != (n,) or rows.dtype != np.int32:
                raise IndexDamaged(name, f"{rows.shape} {rows.dtype} rows, {n} articles")
        if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
            raise IndexDamaged(ARTICLE_SOURCE_NAMES, "not a list of sources")
        if n and not 0 <= int(sources.min()) <= int(sources.max()) < len(names):
            raise IndexDamaged(ARTICLE_SOURCES, f"a row names a source beyond the {len(names)}")
        return cls(dates, sources, names)


@overload
def scan_jsonl(path: Path, key: str) -> tuple[np.ndarray, list[str]]: ...
@overload
def scan_jsonl(path: Path, key: str, rows: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]: ...
def scan_jsonl(
    path: Path, key: str, rows: Mapping[str, int] | None = None
) -> tuple[np.ndarray, list[str] | np.ndarray]:
    """The byte offsets of a JSONL file's lines (n + 1) and each record's `key` field (with
    rows: the int32 row that names it there; KeyError for one it does not hold)."""
    offsets = [0]
    keys: list[str] = []
    found: list[int] = []
    with path.open("rb") as fh:
        for line in fh:
            value = str(json.loads(line)[key])
            if rows is None:
                keys.append(value)
            else:
                found.append(rows[value])
            offsets.append(offsets[-1] + len(line))
    out = np.asarray(offsets, dtype=np.int64)
    return (out, keys) if rows is None else (out, np.asarray(found, dtype=np.int32))


class RecordsById(Mapping[str, T]):
    """The records of a FileRecords by an id (a dict of id -> row, not of objects)."""

    def __init__(self, records: Sequence[T], ids: list[str]) -> None:
        self.records = records
        self.ids = ids
        self.rows = {d: i for i, d in enumerate(ids)}

    def __getitem__(self, key: str) -> T:
        return self.records[self.rows[key]]

    def __contains__(self, key: object) -> bool:
        return key in self.rows

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)
