"""The files of one build folder: written from an index's contents, read back with checks.

Only IndexStore calls the writer; the names of the files are index.layout's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from functools import partial
from pathlib import Path
from typing import Any, Protocol, cast

import faiss
import numpy as np

from corpus.model import Article, Chunk, Edit
from index import layout
from index.bm25 import KeywordIndex
from index.graph import COMPACT_DEAD_SHARE, GraphRows, live_rows, read_rows
from index.integrity import link_or_copy
from index.kept import (
    EditedTexts,
    StoredTexts,
    article_files,
    packed_article_offsets,
    passage_span,
    passages_file,
)
from index.layout import IndexDamaged, Manifest, read_part
from index.texts import (
    LINES,
    ArticleFields,
    FileRecords,
    Passages,
    RecordsById,
    packed_coding,
    packed_offsets,
    record_dictionary,
    record_json,
    sample_rows,
    scan_jsonl,
)
from index.vectors import FileRows, RowStack, UnitRows, with_search_params, write_unit_table

UNIT_BLOCK = 500_000  # rows of answer-unit vectors copied at a time (bounded memory on save)
# more added parts than this (or dead rows past COMPACT_DEAD_SHARE of those stored): the next
# update writes the vectors afresh
COMPACT_PARTS = 16


@dataclass(slots=True)
class StoredRows:
    """Vectors left where earlier builds wrote them: a base file and parts added since, all
    linked (not copied) into each new build folder, plus the row of base + parts that each
    live passage (or answer unit) has. Rows of removed articles stay in the files, unused,
    until the files are written afresh (compaction)."""

    folder: Path  # the build folder holding the files now
    base: str  # layout.VECTORS or layout.UNIT_VECTORS
    base_rows: int
    parts: list[tuple[str, int]]  # added files, in order, with their row counts
    rows: np.ndarray  # int64, row of each live item
    new: np.ndarray | None = None  # rows added by this update: the next part

    @property
    def stored(self) -> int:
        return self.base_rows + sum(n for _, n in self.parts) + self._new_rows

    @property
    def _new_rows(self) -> int:
        return 0 if self.new is None else len(self.new)

    def edited(self, keep: np.ndarray, added: np.ndarray) -> StoredRows:
        """Without the items not at the positions keep, with added as new items' rows."""
        assert self.new is None, "one edit per build"
        fresh = np.arange(self.stored, self.stored + len(added), dtype=np.int64)
        return StoredRows(
            self.folder,
            self.base,
            self.base_rows,
            list(self.parts),
            np.concatenate([self.rows[keep], fresh]),
            added if len(added) else None,
        )

    def worth_compacting(self) -> bool:
        dead = self.stored - len(self.rows)
        parts = len(self.parts) + (self.new is not None)
        return dead > COMPACT_DEAD_SHARE * self.stored or parts > COMPACT_PARTS

    def part_name(self, number: int) -> str:
        """vectors.added-1.npy, sentence_vectors.added-2.npy, …"""
        return f"{self.base.partition('.')[0]}.added-{number}.npy"

    def write(self, folder: Path, rows_name: str) -> dict[str, Any]:
        """The files linked (and this update's rows written) into folder; their record."""
        link_or_copy(self.folder / self.base, folder / self.base)
        parts = list(self.parts)
        for name, _ in parts:
            link_or_copy(self.folder / name, folder / name)
        if self.new is not None:
            name = self.part_name(len(parts) + 1)
            np.save(folder / name, self.new)
            parts.append((name, len(self.new)))
        np.save(folder / rows_name, self.rows)
        return {"base": self.base_rows, "parts": [[n, k] for n, k in parts]}

    def vectors(self, read_base: Any) -> np.ndarray:
        """The live rows, in order (read_base() gives the base file's rows as an array)."""
        blocks = [read_base()]
        blocks += [self._part(name, k) for name, k in self.parts]
        if self.new is not None:
            blocks.append(self.new)
        stored = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
        if len(stored) != self.stored:
            raise IndexDamaged(self.base, f"{len(stored)} rows stored, expected {self.stored}")
        return np.ascontiguousarray(stored[self.rows])

    def mapped(self, base: np.ndarray | FileRows) -> RowStack:
        """The live rows read from the files where they lie as they are asked for (base: the
        base file's rows)."""
        parts = [self._part(name, k, on_demand=True) for name, k in self.parts]
        if base.shape[0] != self.base_rows:
            raise IndexDamaged(self.base, f"{base.shape[0]} rows stored, expected {self.base_rows}")
        return RowStack([base, *parts], self.rows)

    def _part(self, name: str, rows: int, on_demand: bool = False) -> np.ndarray | FileRows:
        """A part's rows: read whole, or (on_demand) read from the file as they are asked for."""
        path = self.folder / name
        part = read_part(name, lambda: FileRows(path) if on_demand else np.load(path))
        if len(part) != rows:
            raise IndexDamaged(name, f"{len(part)} rows, expected {rows}")
        return part

    @classmethod
    def of(
        cls, folder: Path, base: str, rows_name: str, record: dict[str, Any] | None, n: int
    ) -> StoredRows:
        """The stored rows of a build folder (record: its manifest's stored_rows entry; None
        when the base holds exactly the n live items in order)."""
        if record is None:
            return cls(folder, base, n, [], np.arange(n, dtype=np.int64))
        parts = [(str(name), int(k)) for name, k in record["parts"]]
        held = int(record["base"]) + sum(k for _, k in parts)
        return cls(folder, base, int(record["base"]), parts, read_rows(folder, rows_name, n, held))


class VectorRows(Protocol):
    """Rows of vectors, sliceable in blocks: an array, or rows gathered lazily from one."""

    @property
    def shape(self) -> tuple[int, ...]: ...
    @property
    def dtype(self) -> Any: ...
    def __getitem__(self, rows: Any) -> np.ndarray: ...  # a row, a slice or an array of rows


@dataclass(slots=True)
class IndexContents:
    """An index's parts before they are saved: articles, their passages with a vector index and a
    keyword index in matching order, and the answer units with their vectors."""

    articles: Sequence[Article] | EditedTexts  # EditedTexts: an update's, chunks and units too
    chunks: Sequence[Chunk]  # empty beside EditedTexts
    vectors: Any  # faiss.Index, row i is chunks[i]; or StoredRows (a flat index's, reused)
    keywords: KeywordIndex  # document i is chunks[i]
    units: Iterable[tuple[str, int, int]]  # row i of unit_vectors
    unit_vectors: VectorRows | StoredRows  # coded rows (index.vectors.quantize_units)
    unit_mean: np.ndarray | None = None  # what unit_vectors are coded about (None: older rows)

    def counts(self) -> tuple[int, int]:
        """The number of articles and of passages."""
        if isinstance(self.articles, EditedTexts):
            return len(self.articles.ids), len(self.articles.chunk_spans)
        return len(self.articles), len(self.chunks)


@dataclass(slots=True)
class LoadedIndex:
    folder: Path
    manifest: Manifest
    articles: Sequence[Article]  # read from their file on demand (index.texts)
    articles_by_id: Mapping[str, Article]
    chunks: Sequence[Chunk]  # read on demand too: each one's text sliced from its article's
    vectors: Any  # faiss.Index
    keywords: KeywordIndex
    # (doc_id, start, end) -> row of sentence_vectors (UnitRows: per-article row ranges)
    sentence_rows: Mapping[tuple[str, int, int], int]
    # one L2-normalised row per answer unit, read from its file as asked for (FileRows; a
    # RowStack after updates): 6-bit codes about unit_mean and scale (quantize_units;
    # unit_cosine reads one); int8 codes in formats 5-6, float16 before
    sentence_vectors: VectorRows
    chunk_articles: np.ndarray | None = None  # int32, the row in articles of each passage
    unit_mean: np.ndarray | None = None  # float32; None for rows of formats before 7
    article_fields: ArticleFields | None = None  # what filters read; None: builds before them


def write_packed_articles(folder: Path, articles: Sequence[Article]) -> None:
    """The articles' records each compressed on its own with a dictionary chosen from a sample
    of them (written beside them; none when the sample shares nothing), one after another,
    and their byte offsets."""
    sample = (record_json(article_record(articles[i])) for i in sample_rows(len(articles)))
    zdict = record_dictionary(sample)
    if zdict:
        (folder / layout.ARTICLES_ZDICT).write_bytes(zdict)
    coding = packed_coding(zdict)
    lengths: list[int] = []
    with (folder / layout.PACKED_ARTICLES).open("wb") as fh:
        for a in articles:
            stored = coding.encode(article_record(a))
            fh.write(stored)
            lengths.append(len(stored))
    np.save(folder / layout.ARTICLE_OFFSETS, packed_offsets(lengths))


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
# A passage is stored as its place in its article (format 6): its title and text are the
# article's title and text[start:end] (before format 6 the record held both as well).
PASSAGE_FIELDS = ("chunk_id", "doc_id", "start", "end")
PASSAGE_CODING = {"fields": list(PASSAGE_FIELDS), "text": "the article's text[start:end]"}


def article_record(a: Article) -> dict[str, Any]:
    """asdict(a) without its deep copy of every field: a tenth of the time."""
    record = {name: getattr(a, name) for name in _ARTICLE_FIELDS}
    record["edits"] = [asdict(e) for e in a.edits]
    return record


def chunk_record(c: Chunk, article: Article) -> dict[str, Any]:
    """A passage's record: its place in its article, whose title and text[start:end] it must
    be (a passage read back as anything else would be cited wrongly)."""
    if article.text[c.start : c.end] != c.text or article.title != c.title:
        raise ValueError(f"passage {c.chunk_id} is not its article's text[{c.start}:{c.end}]")
    record = {name: getattr(c, name) for name in PASSAGE_FIELDS}
    passage_span(record)  # its id is the one its place gives: only the place is stored
    return record


def write_texts(folder: Path, contents: IndexContents) -> int:
    """The articles, passages and answer units, with the articles' ids and each passage's
    article row (what an update edits as arrays); returns the number of answer units. Texts
    an update kept are copied from the build before (index.kept.EditedTexts)."""
    edited = contents.articles if isinstance(contents.articles, EditedTexts) else None
    if edited is not None:
        np.save(
            folder / layout.ARTICLE_OFFSETS, edited.articles.write(folder / layout.PACKED_ARTICLES)
        )
        edited.fields.write(folder)
        ids, chunk_articles, spans = edited.ids, edited.chunk_articles, edited.chunk_spans
        np.save(folder / layout.UNIT_TABLE, edited.units)
        units = len(edited.units)
    else:
        articles = cast(Sequence[Article], contents.articles)
        write_packed_articles(folder, articles)
        ArticleFields.of(a.metadata for a in articles).write(folder)
        ids = [a.doc_id for a in articles]
        rows = {d: i for i, d in enumerate(ids)}
        n = len(contents.chunks)
        chunk_articles = np.fromiter((rows[c.doc_id] for c in contents.chunks), np.int32, count=n)
        records = (chunk_record(c, articles[rows[c.doc_id]]) for c in contents.chunks)
        spans = np.fromiter(
            (x for r in records for x in passage_span(r)), np.int64, count=2 * n
        ).reshape(n, 2)
        units = write_unit_table(folder / layout.UNIT_TABLE, contents.units, rows)
    if len(spans) and spans.max() > np.iinfo(np.int32).max:
        raise ValueError("a passage's offsets beyond what int32 holds")
    (folder / layout.ARTICLE_IDS).write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
    np.save(folder / layout.CHUNK_ARTICLES, chunk_articles)
    np.save(folder / layout.CHUNK_SPANS, spans.astype(np.int32))
    return units


def write_contents(folder: Path, contents: IndexContents) -> tuple[int, dict[str, Any]]:
    """Every file of an index folder but the manifest; returns the number of answer units and
    the record of vectors reused from earlier builds (the manifest's stored_rows)."""
    stored: dict[str, Any] = {}
    if isinstance(contents.vectors, StoredRows):
        stored["vectors"] = contents.vectors.write(folder, layout.VECTOR_ROWS)
    elif isinstance(contents.vectors, GraphRows):
        if record := contents.vectors.write(folder, layout.VECTOR_ROWS):
            stored["vectors"] = record
    else:
        faiss.write_index(contents.vectors, str(folder / layout.VECTORS))
    contents.keywords.save(folder / layout.KEYWORDS)
    units = write_texts(folder, contents)
    vectors = contents.unit_vectors
    if isinstance(vectors, StoredRows) and (vectors.folder / layout.UNIT_MEAN).exists():
        # the rows' own, unchanged
        link_or_copy(vectors.folder / layout.UNIT_MEAN, folder / layout.UNIT_MEAN)
    elif contents.unit_mean is not None:
        np.save(folder / layout.UNIT_MEAN, np.asarray(contents.unit_mean, np.float32))
    if isinstance(vectors, StoredRows):
        if len(vectors.rows) != units:
            raise ValueError(f"{units} answer units but {len(vectors.rows)} unit vector rows")
        stored["units"] = vectors.write(folder, layout.UNIT_ROWS)
        return units, stored
    if vectors.shape[0] != units:
        raise ValueError(f"{units} answer units but {vectors.shape[0]} unit vectors")
    if vectors.dtype == np.uint8 and contents.unit_mean is None:
        raise ValueError("6-bit unit codes without the mean they are coded about")
    out = np.lib.format.open_memmap(
        folder / layout.UNIT_VECTORS,
        mode="w+",
        dtype=vectors.dtype,
        shape=(units, vectors.shape[1]),
    )
    for lo in range(0, units, UNIT_BLOCK):
        out[lo : lo + UNIT_BLOCK] = vectors[lo : lo + UNIT_BLOCK]
    out.flush()
    del out
    return units, stored


def article_of(record: dict[str, Any]) -> Article:
    record["edits"] = tuple(Edit(**e) for e in record.get("edits", ()))
    return Article(**record)


def chunk_of(record: dict[str, Any], articles: Mapping[str, Article]) -> Chunk:
    """The passage of a record: its title and text its article's (format 6), or the record's
    own (format 5 and before)."""
    if "text" in record:
        return Chunk(**record)
    article = articles[record["doc_id"]]
    start, end = record["start"], record["end"]
    return Chunk(
        record["chunk_id"], record["doc_id"], article.title, article.text[start:end], start, end
    )


def read_articles(folder: Path) -> list[Article]:
    """Every article of a build folder, in row order (packed, or the lines of older builds)."""
    name, coding = article_files(folder)
    if coding is LINES:
        with (folder / name).open(encoding="utf-8") as fh:
            return [article_of(json.loads(line)) for line in fh]
    return list(FileRecords(folder / name, article_of, packed_article_offsets(folder), coding))


def read_chunks(path: Path, articles: Mapping[str, Article]) -> list[Chunk]:
    """The passages of a chunks.jsonl file (articles: the build's, by id)."""
    with path.open(encoding="utf-8") as fh:
        return [chunk_of(json.loads(line), articles) for line in fh]


@dataclass(slots=True)
class Texts:
    """The articles and passages of a build folder, read from their files on demand."""

    articles: FileRecords[Article]
    by_id: RecordsById[Article]
    chunks: Sequence[Chunk]  # Passages (format 8), or the lines of chunks.jsonl
    chunk_articles: np.ndarray  # int32, each passage's row in articles
    fields: ArticleFields | None = None  # what filters read of each article, where stored

    @classmethod
    def of(cls, folder: Path) -> Texts:
        stored = StoredTexts.of(folder)
        if stored is not None:  # the ids and each passage's article stored: no line decoded
            articles = FileRecords(
                folder / stored.articles_name,
                article_of,
                stored.article_offsets,
                stored.article_coding,
            )
            by_id = RecordsById(articles, stored.ids)
            fields = ArticleFields.read(folder, len(stored.ids))
            if stored.chunk_lines is None:
                assert stored.chunk_spans is not None
                passages = Passages(articles, stored.chunk_articles, stored.chunk_spans)
                return cls(articles, by_id, passages, stored.chunk_articles, fields)
            chunks = FileRecords(
                folder / layout.CHUNKS, partial(chunk_of, articles=by_id), stored.chunk_lines
            )
            return cls(articles, by_id, chunks, stored.chunk_articles, fields)
        offsets, ids = scan_jsonl(folder / layout.ARTICLES, "doc_id")
        articles = FileRecords(folder / layout.ARTICLES, article_of, offsets)
        by_id = RecordsById(articles, ids)
        offsets, docs = scan_jsonl(folder / layout.CHUNKS, "doc_id", by_id.rows)
        chunks = FileRecords(folder / layout.CHUNKS, partial(chunk_of, articles=by_id), offsets)
        return cls(articles, by_id, chunks, docs)


def read_units(folder: Path, doc_ids: Sequence[str] | None = None) -> list[tuple[str, int, int]]:
    """The answer units (doc_id, start, end) in row order (doc_ids: the articles' ids in order,
    read from the folder when not given)."""
    if not (folder / layout.UNIT_TABLE).exists():  # format 3 and before
        return [(d, s, e) for d, s, e in json.loads((folder / layout.UNITS).read_text("utf-8"))]
    ids = doc_ids if doc_ids is not None else article_ids(folder)
    return list(UnitRows(ids, np.load(folder / layout.UNIT_TABLE)))


def article_ids(folder: Path) -> list[str]:
    """The articles' ids in row order: stored on their own (format 4 on), else read from the
    articles' lines."""
    if (folder / layout.ARTICLE_IDS).exists():
        return list(json.loads((folder / layout.ARTICLE_IDS).read_text("utf-8")))
    with (folder / layout.ARTICLES).open(encoding="utf-8") as fh:
        return [json.loads(line)["doc_id"] for line in fh]


def read_unit_rows(folder: Path, manifest: Manifest, articles: RecordsById[Article]) -> UnitRows:
    """The answer units' rows by article: the table memory-mapped (format 4), or the JSON list
    of format 3 and before turned into one."""
    if manifest.format_version >= 4:
        table = read_part(
            layout.UNIT_TABLE, lambda: np.load(folder / layout.UNIT_TABLE, mmap_mode="r")
        )
    else:
        units = read_part(layout.UNITS, lambda: read_units(folder))
        rows = articles.rows
        table = np.array([(rows.get(d, -1), s, e) for d, s, e in units], dtype=np.int32)
        table = table.reshape(-1, 3)
    return read_part(layout.UNIT_TABLE, lambda: UnitRows(articles.ids, table, articles.rows))


def load_folder(folder: Path, manifest: Manifest) -> LoadedIndex:
    """Every part of one index folder, checked against the manifest and each other; a missing,
    unreadable or miscounted file raises IndexDamaged naming it."""
    try:
        texts = read_part(article_files(folder)[0], lambda: Texts.of(folder))
    except IndexDamaged as exc:
        if isinstance(exc.__cause__, IndexDamaged):  # a file its own reader named
            raise exc.__cause__ from None
        raise
    articles, chunks = texts.articles, texts.chunks
    vectors = read_part(
        layout.VECTORS, lambda: with_search_params(faiss.read_index(str(folder / layout.VECTORS)))
    )
    units = read_unit_rows(folder, manifest, texts.by_id)
    sentence_vectors: VectorRows = read_part(
        layout.UNIT_VECTORS, lambda: FileRows(folder / layout.UNIT_VECTORS)
    )
    keywords = read_part(layout.KEYWORDS, lambda: KeywordIndex.load(folder / layout.KEYWORDS))
    unit_mean = read_unit_mean(folder, sentence_vectors.dtype)
    stored = manifest.stored_rows
    if "graph" in stored.get("vectors", {}):  # a graph with tombstones
        vectors = live_rows(folder, vectors, stored["vectors"], len(chunks))
    elif "vectors" in stored:  # the live rows of the reused base and the parts added since
        rows = StoredRows.of(
            folder, layout.VECTORS, layout.VECTOR_ROWS, stored["vectors"], len(chunks)
        )
        live = rows.vectors(lambda: vectors.reconstruct_n(0, vectors.ntotal))
        vectors = faiss.IndexFlatIP(live.shape[1])
        vectors.add(live)
    if "units" in stored:
        unit_rows = StoredRows.of(
            folder, layout.UNIT_VECTORS, layout.UNIT_ROWS, stored["units"], len(units)
        )
        sentence_vectors = unit_rows.mapped(sentence_vectors)  # type: ignore[arg-type]
    counts = [
        (article_files(folder)[0], len(articles), manifest.articles, "articles"),
        (passages_file(folder), len(chunks), manifest.chunks, "passages"),
        (layout.VECTORS, vectors.ntotal, manifest.chunks, "vectors"),
        (layout.KEYWORDS, keywords.n_docs, manifest.chunks, "passages"),
        (layout.UNIT_VECTORS, sentence_vectors.shape[0], len(units), "vectors"),
    ]
    for name, found, expected, what in counts:
        if found != expected:
            raise IndexDamaged(name, f"{found} {what}, expected {expected}")
    return LoadedIndex(
        folder=folder,
        manifest=manifest,
        articles=articles,
        articles_by_id=texts.by_id,
        chunks=chunks,
        chunk_articles=texts.chunk_articles,
        vectors=vectors,
        keywords=keywords,
        sentence_rows=units,
        sentence_vectors=sentence_vectors,
        unit_mean=unit_mean,
        article_fields=texts.fields,
    )


def read_unit_mean(folder: Path, dtype: Any) -> np.ndarray | None:
    """The mean unit vector 6-bit unit rows (uint8) are coded about; None for older rows."""
    if dtype != np.uint8:
        return None
    return read_part(layout.UNIT_MEAN, lambda: np.load(folder / layout.UNIT_MEAN))
