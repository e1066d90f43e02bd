"""An index's contents in the form an update edits them, for IndexStore: passages, their tokens
and vectors, answer units and theirs; fresh from encoded articles, or the published index's
with some articles' rows dropped and new ones added."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from corpus.model import Article, Chunk
from index.bm25 import KeywordIndex, TokenTable, tokenize
from index.encoding import EncodedArticles
from index.folder import IndexContents, StoredRows
from index.layout import UNIT_VECTORS, VECTORS, read_part
from index.vectors import all_vectors, concrete_type, make_ivf_sq8


@dataclass(slots=True)
class Editable:
    """An index's contents in the form an update edits: tokens instead of a keyword index."""

    articles: list[Article]
    chunks: list[Chunk]
    vectors: Any  # faiss.Index, or StoredRows: a flat index's vectors edited where they lie
    tokens: TokenTable
    units: list[tuple[str, int, int]]
    unit_vectors: np.ndarray | StoredRows

    def contents(self) -> IndexContents:
        keywords = KeywordIndex.from_table(self.tokens)
        return IndexContents(
            self.articles, self.chunks, self.vectors, keywords, self.units, self.unit_vectors
        )


def make_vector_index(vectors: np.ndarray, index_type: str = "flat") -> Any:
    """The passage vector index of index_type ("auto": by the number of vectors)."""
    dim = vectors.shape[1]
    index: Any
    index_type = concrete_type(index_type, len(vectors))
    if index_type == "ivf-sq8":
        return make_ivf_sq8(vectors)
    if index_type == "flat":
        index = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def fresh(articles: list[Article], encoded: EncodedArticles, index_type: str) -> Editable:
    """The contents of an index of exactly these articles, encoded."""
    return Editable(
        articles,
        encoded.chunks,
        make_vector_index(encoded.vectors, index_type),
        TokenTable.from_lists([tokenize(t) for t in encoded.inputs]),
        encoded.units,
        encoded.unit_vectors,
    )


def edited(
    current: Editable,
    target: list[Article],
    gone: set[str],
    encoded: EncodedArticles,
    index_type: str,
) -> Editable:
    """current without the passages and units of the articles in gone, plus the encoded ones."""
    keep = [i for i, c in enumerate(current.chunks) if c.doc_id not in gone]
    drop = [i for i, c in enumerate(current.chunks) if c.doc_id in gone]
    keep_units = [i for i, u in enumerate(current.units) if u[0] not in gone]
    vectors, unit_vectors = _edited_vectors(current, keep, drop, keep_units, encoded, index_type)
    tokens = current.tokens.taken(np.asarray(keep, np.int64))
    return Editable(
        target,
        [current.chunks[i] for i in keep] + encoded.chunks,
        vectors,
        tokens.extended([tokenize(t) for t in encoded.inputs]),
        [current.units[i] for i in keep_units] + encoded.units,
        unit_vectors,
    )


def _edited_vectors(
    current: Editable,
    keep: list[int],
    drop: list[int],
    keep_units: list[int],
    encoded: EncodedArticles,
    index_type: str,
) -> tuple[Any, np.ndarray | StoredRows]:
    """The passage and unit vectors without the rows dropped, the encoded ones added: a flat
    index's where they are stored (written afresh once compaction is due), others in memory."""
    index, unit_vectors = current.vectors, current.unit_vectors
    if isinstance(index, StoredRows) and isinstance(unit_vectors, StoredRows):
        index = index.edited(np.asarray(keep, np.int64), encoded.vectors.astype(np.float32))
        unit_vectors = unit_vectors.edited(np.asarray(keep_units, np.int64), encoded.unit_vectors)
        if index.worth_compacting() or unit_vectors.worth_compacting():
            index = make_vector_index(index.vectors(lambda: _base_vectors(index.folder)), "flat")
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
