"""An index's contents in the form an update edits them, for IndexStore: passages, their term
counts and vectors, answer units and theirs; fresh from encoded articles, or the published index's
with some articles' rows dropped and new ones added."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from corpus.model import Article, Chunk
from index.bm25 import KeywordIndex, TermCounts, tokenize
from index.encoding import EncodedArticles
from index.folder import (
    IndexContents,
    StoredRows,
    article_of,
    article_record,
    chunk_record,
    load_folder,
    read_chunks,
    read_unit_mean,
    read_units,
)
from index.graph import EDITABLE_GRAPHS, GraphRows
from index.kept import EditedTexts, StoredTexts, edited_texts
from index.layout import (
    CHUNKS,
    KEYWORDS,
    UNIT_ROWS,
    UNIT_VECTORS,
    UNITS,
    VECTOR_ROWS,
    VECTORS,
    Manifest,
    read_part,
)
from index.vectors import all_vectors, make_vector_index


@dataclass(slots=True)
class Editable:
    """An index's contents in the form an update edits: term counts instead of a keyword index."""

    articles: list[Article]
    chunks: list[Chunk]
    # faiss.Index, or StoredRows (a flat index's vectors edited where they lie), or GraphRows
    vectors: Any
    terms: TermCounts
    units: list[tuple[str, int, int]]
    unit_vectors: np.ndarray | StoredRows
    # a flat index's texts as rows (then articles, chunks and units are empty): as stored, and
    # as an update leaves them
    texts: StoredTexts | None = None
    edited_texts: EditedTexts | None = None
    unit_mean: np.ndarray | None = None  # what unit_vectors are coded about (and added ones)

    def contents(self) -> IndexContents:
        keywords = KeywordIndex.from_table(self.terms)
        texts = self.edited_texts if self.edited_texts is not None else self.articles
        return IndexContents(
            texts,
            self.chunks,
            self.vectors,
            keywords,
            self.units,
            self.unit_vectors,
            self.unit_mean,
        )


@dataclass(slots=True)
class Start:
    """The published index as an update starts from it: its articles' ids, a reader of the
    articles an update offers again, all articles where they were read (None when only ids
    were), and its contents when it can be extended (None: built afresh)."""

    manifest: Manifest | None
    ids: list[str]
    read_old: Callable[[list[str]], dict[str, Article]]
    articles: list[Article] | None
    editable: Editable | None

    def target(self, target_ids: Sequence[str], offered: Sequence[Article]) -> list[Article]:
        """The articles of target_ids: those offered, else the index's own."""
        new = {a.doc_id: a for a in offered}
        old = self.read_old([d for d in target_ids if d not in new])
        return [new[d] if d in new else old[d] for d in target_ids]


def no_index() -> Start:
    return Start(None, [], lambda ids: {}, [], None)


def start_of(
    folder: Path, manifest: Manifest, wanted: dict[str, Any], read_all: Callable[[], list[Article]]
) -> Start:
    """How an update starts from the build folder: a flat index that stores its texts as rows
    reads ids and arrays only; others read their articles (read_all), and are extended when
    built with the configuration wanted and their term counts stored (an older keyword index
    stores them only as its tokens, when it kept those), else built afresh."""
    terms = read_part(KEYWORDS, lambda: TermCounts.load(folder / KEYWORDS))
    extendable = manifest.build_params == wanted and terms is not None
    by_rows = manifest.index_type == "flat" or manifest.index_type in EDITABLE_GRAPHS
    if extendable and by_rows and (texts := StoredTexts.of(folder)):
        assert terms is not None
        n_chunks, n_units = len(texts.chunk_articles), len(texts.units)
        vectors, unit_vectors = _stored_vectors(folder, manifest, n_chunks, n_units)
        mean = read_unit_mean(folder, np.uint8)  # only indexes of this configuration are extended
        editable = Editable([], [], vectors, terms, [], unit_vectors, texts, unit_mean=mean)
        return Start(manifest, texts.ids, _reader(texts), None, editable)
    articles = read_all()
    by_id = {a.doc_id: a for a in articles}
    start = Start(manifest, list(by_id), lambda ids: {d: by_id[d] for d in ids}, articles, None)
    if extendable:
        assert terms is not None
        start.editable = _listed(folder, manifest, articles, terms)
    return start


def _reader(texts: StoredTexts) -> Callable[[list[str]], dict[str, Article]]:
    def read_old(ids: list[str]) -> dict[str, Article]:
        return {str(r["doc_id"]): article_of(r) for r in texts.articles(ids)}

    return read_old


def _stored_vectors(
    folder: Path, manifest: Manifest, n_chunks: int, n_units: int
) -> tuple[StoredRows | GraphRows, StoredRows]:
    """The vectors of n_chunks passages and n_units units as an update edits them: left in
    their files (a flat index's), or a graph edited in place."""
    stored = manifest.stored_rows
    units = StoredRows.of(folder, UNIT_VECTORS, UNIT_ROWS, stored.get("units"), n_units)
    if manifest.index_type in EDITABLE_GRAPHS:
        graph = GraphRows.of(folder, stored.get("vectors"), n_chunks, manifest.index_type)
        return graph, units
    return StoredRows.of(folder, VECTORS, VECTOR_ROWS, stored.get("vectors"), n_chunks), units


def _listed(
    folder: Path, manifest: Manifest, articles: list[Article], terms: TermCounts
) -> Editable:
    """An index's contents as lists (one without its texts stored as rows, or not flat)."""
    if manifest.index_type == "flat":
        by_id = {a.doc_id: a for a in articles}
        chunks = read_part(CHUNKS, lambda: read_chunks(folder / CHUNKS, by_id))
        units = read_part(UNITS, lambda: read_units(folder))
        vectors, unit_vectors = _stored_vectors(folder, manifest, len(chunks), len(units))
        mean = read_unit_mean(folder, np.uint8)  # only indexes of this configuration are extended
        return Editable(articles, chunks, vectors, terms, units, unit_vectors, unit_mean=mean)
    index = load_folder(folder, manifest)
    vectors = index.vectors
    if not isinstance(vectors, faiss.Index):  # a graph with tombstones: its live rows
        vectors = make_vector_index(all_vectors(vectors), manifest.index_type)
    return Editable(
        list(index.articles),
        list(index.chunks),
        vectors,
        terms,
        read_units(folder),
        np.asarray(index.sentence_vectors[:]),
        unit_mean=index.unit_mean,
    )


def fresh(articles: list[Article], encoded: EncodedArticles, index_type: str) -> Editable:
    """The contents of an index of exactly these articles, encoded."""
    return Editable(
        articles,
        encoded.chunks,
        make_vector_index(encoded.vectors, index_type),
        TermCounts.from_lists([tokenize(t) for t in encoded.inputs]),
        encoded.units,
        encoded.unit_vectors,
        unit_mean=encoded.unit_mean,
    )


def edited(
    current: Editable,
    target: list[Article],
    gone: set[str],
    encoded: EncodedArticles,
    index_type: str,
    new: Sequence[Article] = (),
) -> Editable:
    """current without the passages and units of the articles in gone, plus the encoded ones
    (of the articles new, in target's order when the texts are lists)."""
    if current.texts is not None:
        return _edited_rows(current, current.texts, gone, encoded, new)
    keep = [i for i, c in enumerate(current.chunks) if c.doc_id not in gone]
    drop = [i for i, c in enumerate(current.chunks) if c.doc_id in gone]
    keep_units = [i for i, u in enumerate(current.units) if u[0] not in gone]
    vectors, unit_vectors = _edited_vectors(current, keep, drop, keep_units, encoded, index_type)
    terms = current.terms.taken(np.asarray(keep, np.int64))
    return Editable(
        target,
        [current.chunks[i] for i in keep] + encoded.chunks,
        vectors,
        terms.extended([tokenize(t) for t in encoded.inputs]),
        [current.units[i] for i in keep_units] + encoded.units,
        unit_vectors,
        unit_mean=current.unit_mean,
    )


def _edited_rows(
    current: Editable,
    texts: StoredTexts,
    gone: set[str],
    encoded: EncodedArticles,
    new: Sequence[Article],
) -> Editable:
    """An index stored as rows edited as rows: kept lines copied, new records appended."""
    by_id = {a.doc_id: a for a in new}
    rows = edited_texts(
        texts,
        gone,
        [article_record(a) for a in new],
        [chunk_record(c, by_id[c.doc_id]) for c in encoded.chunks],
        encoded.units,
    )
    vectors, unit_vectors = _edited_vectors(
        current, rows.keep_chunks, [], rows.keep_units, encoded, "flat"
    )
    terms = current.terms.taken(rows.keep_chunks)
    terms = terms.extended([tokenize(t) for t in encoded.inputs])
    return Editable(
        [], [], vectors, terms, [], unit_vectors, edited_texts=rows, unit_mean=current.unit_mean
    )


def _edited_vectors(
    current: Editable,
    keep: Sequence[int] | np.ndarray,
    drop: list[int],
    keep_units: Sequence[int] | np.ndarray,
    encoded: EncodedArticles,
    index_type: str,
) -> tuple[Any, np.ndarray | StoredRows]:
    """The passage and unit vectors without the rows dropped, the encoded ones added: a flat
    index's where they are stored (written afresh once compaction is due), others in memory."""
    index, unit_vectors = current.vectors, current.unit_vectors
    if isinstance(index, StoredRows | GraphRows) and isinstance(unit_vectors, StoredRows):
        index = index.edited(np.asarray(keep, np.int64), encoded.vectors.astype(np.float32))
        unit_vectors = unit_vectors.edited(np.asarray(keep_units, np.int64), encoded.unit_vectors)
        if isinstance(index, StoredRows) and index.worth_compacting():
            index = make_vector_index(index.vectors(lambda: _base_vectors(index.folder)), "flat")
        if unit_vectors.worth_compacting():
            unit_vectors = unit_vectors.vectors(lambda: np.load(unit_vectors.folder / UNIT_VECTORS))
        return index, unit_vectors
    if drop:
        index = _without_rows(index, np.asarray(drop, dtype=np.int64), index_type)
    if len(encoded.vectors):
        index.add(np.ascontiguousarray(encoded.vectors, dtype=np.float32))
    assert isinstance(unit_vectors, np.ndarray)
    return index, np.concatenate([unit_vectors[keep_units], encoded.unit_vectors])


def _without_rows(index: Any, rows: np.ndarray, index_type: str) -> Any:
    """The vector index without rows, the others keeping their order."""
    if index_type == "flat":
        index.remove_ids(faiss.IDSelectorBatch(rows))
        return index
    # HNSW cannot remove vectors, IVF would leave gaps in the rows: rebuilt from the kept ones
    kept = np.delete(all_vectors(index), rows, axis=0)
    return make_vector_index(kept, index_type)


def _base_vectors(folder: Path) -> np.ndarray:
    index = read_part(VECTORS, lambda: faiss.read_index(str(folder / VECTORS)))
    return index.reconstruct_n(0, index.ntotal)
