"""An approximate (HNSW) passage index that an update edits in place instead of rebuilding: new
passages are added to the graph, removed ones stay in it as tombstones that searches skip, and
the graph is rebuilt from its live vectors only once tombstones are a quarter of it. A graph
cannot drop a node, and rebuilding it costs the whole archive (minutes at 100,000 passages);
adding to it costs the passages added.

GraphRows is the editing form (for IndexStore's updates), LiveRows the serving form (the
Retriever's `vectors`): both map a live passage row to its label in the graph."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.layout import VECTORS, IndexDamaged, read_part
from index.vectors import make_vector_index, with_search_params

# dead rows past this share of a graph or of stored vector files: written afresh from the live
COMPACT_DEAD_SHARE = 0.25
EDITABLE_GRAPHS = ("hnsw-sq16", "hnsw")  # IVF keeps the path that rebuilds (its rows are ids)


@dataclass(slots=True)
class GraphRows:
    """A graph loaded for an update and the graph label of each live passage, in row order."""

    graph: Any  # faiss IndexHNSW*
    rows: np.ndarray  # int64 label of each live passage
    index_type: str

    @classmethod
    def of(cls, folder: Path, record: dict[str, Any] | None, n: int, index_type: str) -> GraphRows:
        """The graph of a build folder (record: its manifest's stored_rows entry for the
        vectors; None when the graph holds exactly the n live passages in order)."""
        graph = read_part(VECTORS, lambda: faiss.read_index(str(folder / VECTORS)))
        if record is None:
            rows = np.arange(n, dtype=np.int64)
        else:
            rows = read_rows(folder, record["rows"], n, graph.ntotal)
        if graph.ntotal < len(rows):
            raise IndexDamaged(VECTORS, f"{graph.ntotal} vectors, expected at least {len(rows)}")
        return cls(graph, rows, index_type)

    def edited(self, keep: np.ndarray, added: np.ndarray) -> GraphRows:
        """Without the passages not at the positions keep, with added's vectors as new ones
        (the graph itself is changed: one edit per update)."""
        first = self.graph.ntotal
        if len(added):
            self.graph.add(np.ascontiguousarray(added, dtype=np.float32))
        fresh = np.arange(first, first + len(added), dtype=np.int64)
        out = GraphRows(self.graph, np.concatenate([self.rows[keep], fresh]), self.index_type)
        if self.graph.ntotal - len(out.rows) > COMPACT_DEAD_SHARE * self.graph.ntotal:
            live = self.graph.reconstruct_batch(out.rows) if len(out.rows) else added[:0]
            rebuilt = make_vector_index(np.asarray(live, dtype=np.float32), self.index_type)
            return GraphRows(rebuilt, np.arange(len(out.rows), dtype=np.int64), self.index_type)
        return out

    def write(self, folder: Path, rows_name: str) -> dict[str, Any]:
        """The graph and the rows written into folder; their record (none for a graph that
        holds exactly its live passages in order)."""
        faiss.write_index(self.graph, str(folder / VECTORS))
        if len(self.rows) == self.graph.ntotal and np.array_equal(
            self.rows, np.arange(len(self.rows))
        ):
            return {}
        np.save(folder / rows_name, self.rows)
        return {"rows": rows_name, "graph": int(self.graph.ntotal)}


def read_rows(folder: Path, name: str, n: int, labels: int) -> np.ndarray:
    """The stored row (label) of each of n live items, every one below labels."""
    rows = read_part(name, lambda: np.load(folder / name)).astype(np.int64)
    if len(rows) != n or (len(rows) and not 0 <= int(rows.min()) <= int(rows.max()) < labels):
        raise IndexDamaged(name, f"{len(rows)} rows, expected {n} within {labels}")
    return rows


class LiveRows:
    """A served graph with tombstones, seen as the index of its live passages: searches skip
    removed labels inside the graph walk (an IDSelector, so k live hits come back) and answer
    with passage rows; reconstructs take passage rows."""

    def __init__(self, graph: Any, rows: np.ndarray) -> None:
        self.graph = with_search_params(graph)
        self.rows = rows
        self.ntotal = len(rows)
        self.d = graph.d
        self.row_of = np.full(graph.ntotal + 1, -1, dtype=np.int64)  # the last: label -1
        self.row_of[rows] = np.arange(len(rows), dtype=np.int64)
        alive = np.zeros(graph.ntotal, dtype=bool)
        alive[rows] = True
        self._bits = np.packbits(alive, bitorder="little")  # kept: the selector reads it
        self._selector = faiss.IDSelectorBitmap(graph.ntotal, faiss.swig_ptr(self._bits))
        self.params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
        self.params.sel = self._selector
        self.params.efSearch = graph.hnsw.efSearch

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        sims, labels = self.graph.search(queries, k, params=self.params)
        return sims, self.row_of[labels]

    def reconstruct_batch(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.graph.reconstruct_batch(self.rows[np.asarray(rows, np.int64)]))

    def reconstruct_n(self, start: int, n: int) -> np.ndarray:
        return self.reconstruct_batch(np.arange(start, start + n, dtype=np.int64))


def live_rows(folder: Path, graph: Any, record: dict[str, Any], n: int) -> LiveRows:
    """The serving form of a graph whose manifest records tombstones."""
    return LiveRows(graph, read_rows(folder, record["rows"], n, graph.ntotal))
