"""Vectors kept on disk and read as they are needed: the answer units' vectors read from their
file behind per-article row ranges, and the passage vector index chosen by corpus size."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.layout import DamagedFile
from index.npyfile import NpyFile

INDEX_TYPES = ("flat", "hnsw-sq16", "ivf-sq8", "hnsw", "auto")
# "auto": exact search up to here; past it the flat scan costs more than the rest of a question
# (6.5 ms on one thread at 100,000 passages, 65 ms at 1,000,000: docs/benchmarks.md)
FLAT_MAX_CHUNKS = 50_000
# HNSW over float16 vectors, recall@10 against flat at 100,000 passages (one thread):
#                       real-derived vectors          noisy copies (the stress case)
#   M 32, efSearch 128   0.952 (0.57 ms)               0.915
#   M 32, efSearch 512   0.993 (1.2 ms)                0.991 (1.6 ms)
#   M 24, efSearch 768   0.9925                        0.961
#   M 16, efSearch 768   0.9935 (1.1 ms)               0.896
# Real-derived: the 15,920 CMRC vectors of the embedding cache and midpoints of pairs of them
# (`python -m bench.perf.ann`; with DRCD's too, 39,364 vectors: 0.990 at 128, 0.9955 at 512);
# noisy copies: CMRC passages replicated with noise, as the scale section's (near-duplicates,
# as reprinted wire stories are). M 16 would save 128 bytes of links
# a vector (about 120 MiB at 1M passages) but loses near-duplicates. Over int8 vectors (SQ8,
# 384 MB less at 1M) even a flat scan reaches only 0.978. IVF-SQ8 reached 0.935 at nprobe 61 of
# 1,024, 0.957 at 128.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 512  # also set on graphs saved with another (with_search_params)
IVF_TRAIN_PER_LIST = 64  # k-means training points per list (faiss warns below 39)
IVF_NPROBE_SHARE = 0.06  # of the lists read per search: recall@10 >= 0.99 (docs/benchmarks.md)
IVF_MIN_NPROBE = 16


# Answer-unit vectors are stored as 6-bit codes of their difference from the index's mean unit
# vector (UNIT_MEAN, one float32 vector per index): e5 vectors share a large common component
# (the mean's norm is 0.91 on CMRC's units) and the residuals left are 0.4 long, so their steps
# are finer than a whole vector's. Each row is the residual's components in steps of its own
# largest one / 31, four codes packed in three bytes, then that step as the 4 bytes of a float32
# (UNIT_SCALE_BYTES): 292 bytes a unit where int8 took 388 (float16 768). The cosine is the
# query's with the mean plus its with the residual. An update codes new units about the mean the
# index has; a rebuild takes the mean anew. Answer hit through QAService on 300 CMRC questions:
# 0.700, against 0.703 with int8 and 0.700 with float32; 5-bit codes about the mean 0.687 and
# 4-bit 0.687 (both adding wrong answers on our realistic sets), faiss PQ in 192 bytes 0.690.
UNIT_CODE_BITS = 6
UNIT_CODE_MAX = 2 ** (UNIT_CODE_BITS - 1) - 1  # codes -31..31, stored plus UNIT_CODE_ZERO
UNIT_CODE_ZERO = 2 ** (UNIT_CODE_BITS - 1)
UNIT_BIT_VALUES = (2 ** np.arange(UNIT_CODE_BITS)).astype(np.uint8)
UNIT_SCALE_BYTES = 4
UNIT_QUANTIZE_BLOCK = 65_536  # rows coded at a time (their bits take 6 bytes a code)
UNIT_CODING = {
    "dtype": "int6",
    "centre": "the index's mean unit vector (sentence_mean.npy)",
    "packing": "codes as one little-endian bit stream",
    "scale": "per row, float32 in its last 4 bytes",
}


def unit_mean(vectors: np.ndarray) -> np.ndarray:
    """The mean of unit vectors (float32; zeros when there are none): the centre of their codes."""
    v = np.asarray(vectors, dtype=np.float32)
    if not len(v):
        return np.zeros(v.shape[1], np.float32)
    return v.mean(axis=0, dtype=np.float64).astype(np.float32)


def unit_row_bytes(dim: int) -> int:
    """The bytes of one coded unit row of dim components."""
    return -(-dim * UNIT_CODE_BITS // 8) + UNIT_SCALE_BYTES


def quantize_units(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """uint8 rows of packed codes and scale (see UNIT_CODING) of float vectors less mean."""
    n, dim = vectors.shape
    out = np.empty((n, unit_row_bytes(dim)), np.uint8)
    for lo in range(0, n, UNIT_QUANTIZE_BLOCK):
        v = np.asarray(vectors[lo : lo + UNIT_QUANTIZE_BLOCK], np.float32) - mean
        step = np.abs(v).max(axis=1, keepdims=True) / UNIT_CODE_MAX
        step[step == 0] = 1.0
        codes = np.clip(np.rint(v / step), -UNIT_CODE_MAX, UNIT_CODE_MAX) + UNIT_CODE_ZERO
        codes = codes.astype(np.uint8)
        bits = (codes[:, :, None] >> np.arange(UNIT_CODE_BITS, dtype=np.uint8)) & 1
        packed = np.packbits(bits.reshape(len(v), -1), axis=1, bitorder="little")
        out[lo : lo + len(v), :-UNIT_SCALE_BYTES] = packed
        out[lo : lo + len(v), -UNIT_SCALE_BYTES:] = step.astype("<f4").view(np.uint8)
    return out


def unpack_unit_row(row: np.ndarray, dim: int) -> np.ndarray:
    """The residual (float32, dim components) that one coded unit row holds."""
    bits = np.unpackbits(row[:-UNIT_SCALE_BYTES], bitorder="little")[: dim * UNIT_CODE_BITS]
    codes = bits.reshape(dim, UNIT_CODE_BITS) @ UNIT_BIT_VALUES
    scale = np.ascontiguousarray(row[-UNIT_SCALE_BYTES:]).view("<f4")[0]
    return (codes.astype(np.float32) - UNIT_CODE_ZERO) * scale


def unit_cosine(row: np.ndarray, query: np.ndarray, mean_cosine: float = 0.0) -> float:
    """The cosine of a stored unit row and a unit query. A row of 6-bit codes (uint8) holds a
    residual: mean_cosine is then the query's dot product with the index's UNIT_MEAN. Rows of
    older indexes: int8 codes and scale (format 5), float16 (format 4)."""
    if row.dtype == np.uint8:
        return mean_cosine + float(unpack_unit_row(row, len(query)) @ query)
    if row.dtype == np.int8:
        scale = np.ascontiguousarray(row[-UNIT_SCALE_BYTES:]).view("<f4")[0]
        return float(row[:-UNIT_SCALE_BYTES].astype(np.float32) @ query) * float(scale)
    return float(row.astype(np.float32) @ query)


def concrete_type(index_type: str, n: int) -> str:
    """The vector index built for n passages: "auto" is flat up to FLAT_MAX_CHUNKS, then IVF."""
    if index_type not in INDEX_TYPES:
        raise ValueError(f"unknown index type {index_type!r}; use one of {', '.join(INDEX_TYPES)}")
    if index_type != "auto":
        return index_type
    return "flat" if n <= FLAT_MAX_CHUNKS else "hnsw-sq16"


def ivf_lists(n: int) -> int:
    """Inverted lists for n vectors: about 4·√n (faiss's guideline is 4–16·√n), a power of two."""
    return max(1, 2 ** round(math.log2(max(1.0, 4 * math.sqrt(n)))))


def ivf_nprobe(nlist: int) -> int:
    return min(nlist, max(IVF_MIN_NPROBE, round(IVF_NPROBE_SHARE * nlist)))


def make_ivf_sq8(vectors: np.ndarray, seed: int = 1234) -> Any:
    """IVF over int8 scalar-quantised vectors (a quarter of float32's bytes), inner product; its
    centroids learned on a sample of vectors, nprobe set from the number of lists."""
    n, dim = vectors.shape
    nlist = min(ivf_lists(n), max(1, n // IVF_TRAIN_PER_LIST))
    index = faiss.index_factory(dim, f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
    sample = min(n, nlist * IVF_TRAIN_PER_LIST)
    rows = np.sort(np.random.default_rng(seed).choice(n, sample, replace=False))
    index.train(np.ascontiguousarray(vectors[rows], dtype=np.float32))
    for lo in range(0, n, 100_000):
        index.add(np.ascontiguousarray(vectors[lo : lo + 100_000], dtype=np.float32))
    return with_search_params(index)


def make_hnsw_sq16(vectors: np.ndarray) -> Any:
    """An HNSW graph over float16 vectors (half of float32's bytes), inner product."""
    index: Any = faiss.index_factory(
        vectors.shape[1], f"HNSW{HNSW_M},SQfp16", faiss.METRIC_INNER_PRODUCT
    )
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.hnsw.efSearch = HNSW_EF_SEARCH  # saved with the index
    for lo in range(0, len(vectors), 100_000):
        index.add(np.ascontiguousarray(vectors[lo : lo + 100_000], dtype=np.float32))
    return index


def make_vector_index(vectors: np.ndarray, index_type: str = "flat") -> Any:
    """The passage vector index of index_type ("auto": by the number of vectors)."""
    dim = vectors.shape[1]
    index: Any
    index_type = concrete_type(index_type, len(vectors))
    if index_type == "ivf-sq8":
        return make_ivf_sq8(vectors)
    if index_type == "hnsw-sq16":
        return make_hnsw_sq16(vectors)
    if index_type == "flat":
        index = faiss.IndexFlatIP(dim)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def with_search_params(index: Any) -> Any:
    """An index read from disk with the search parameters its type is used with (faiss saves
    HNSW's efSearch, not IVF's nprobe; a graph over float16 vectors gets today's efSearch)."""
    if isinstance(index, faiss.IndexHNSWSQ):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = ivf_nprobe(ivf.nlist)
    return index


def all_vectors(index: Any) -> np.ndarray:
    """Every vector of index, in row order (an IVF index's as its codes decode)."""
    ivf = faiss.try_extract_index_ivf(index) if isinstance(index, faiss.Index) else None
    if ivf is not None:
        ivf.make_direct_map()
    return np.asarray(index.reconstruct_n(0, index.ntotal))


def vectors_of_rows(index: Any, rows: np.ndarray) -> np.ndarray:
    """The vectors of some rows (reconstruct_batch; an IVF index gets its direct map first)."""
    if not isinstance(index, faiss.Index):  # index.graph.LiveRows: rows mapped to labels
        return np.asarray(index.reconstruct_batch(np.asarray(rows, dtype=np.int64)))
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None and ivf.direct_map.no():
        ivf.make_direct_map()
    return np.asarray(index.reconstruct_batch(np.asarray(rows, dtype=np.int64)))


class FileRows:
    """The rows of a 2-D .npy file read with os.pread as they are asked for, not memory-mapped:
    the pages of a map count in the process's resident memory and grow with every question
    (about 5 MB a new question at 1,000,000 passages), where pages read stay in the kernel's
    page cache, which the kernel shares and drops. A large gather reads the span it covers
    when that costs at most a few times the rows themselves, else row by row."""

    SPAN_BYTES = 1 << 24  # a span up to this size is read in one piece whatever it holds

    def __init__(self, path: Path) -> None:
        self._stored = NpyFile(path)
        if len(self._stored.shape) != 2:
            raise DamagedFile(f"shape {self._stored.shape}, not rows of a 2-D array")
        self.path = path
        self.shape: tuple[int, ...] = self._stored.shape
        self.dtype = self._stored.dtype
        self._row_bytes = self._stored.row_bytes

    def __len__(self) -> int:
        return int(self.shape[0])

    def _read(self, lo: int, hi: int) -> np.ndarray:
        """Rows lo..hi-1, in one read (repeated until complete)."""
        return self._stored.read(lo, hi)

    def __getitem__(self, key: Any) -> np.ndarray:
        n = len(self)
        if isinstance(key, (int, np.integer)):
            i = int(key)
            if not -n <= i < n:
                raise IndexError(i)
            return self._read(i % n, i % n + 1)[0]
        if isinstance(key, slice):
            lo, hi, step = key.indices(n)
            return self._read(lo, max(lo, hi)) if step == 1 else self[np.arange(lo, hi, step)]
        rows = np.asarray(key, dtype=np.int64)
        if rows.ndim != 1:
            raise IndexError("rows must be an int, a slice or a 1-D array of rows")
        if not len(rows):
            return np.empty((0, self.shape[1]), self.dtype)
        if int(rows.min()) < 0 or int(rows.max()) >= n:
            raise IndexError(f"a row beyond the {n} stored")
        lo, hi = int(rows.min()), int(rows.max()) + 1
        span = (hi - lo) * self._row_bytes
        if span <= max(self.SPAN_BYTES, 4 * len(rows) * self._row_bytes):
            return self._read(lo, hi)[rows - lo]
        return np.stack([self._read(r, r + 1)[0] for r in rows.tolist()])


class RowStack:
    """Rows of a base array and the parts added after it (each typically a FileRows), seen
    through a map from live row to stored row: reads touch only the rows asked for."""

    def __init__(
        self, blocks: Sequence[np.ndarray | FileRows], rows: np.ndarray | None = None
    ) -> None:
        self.blocks = list(blocks)
        self.ends = np.cumsum([len(b) for b in self.blocks])
        self.rows = rows

    @property
    def shape(self) -> tuple[int, ...]:
        n = int(self.ends[-1]) if self.rows is None else len(self.rows)
        return (n, self.blocks[0].shape[1])

    @property
    def dtype(self) -> Any:
        return self.blocks[0].dtype

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key: Any) -> np.ndarray:
        stored = np.arange(len(self))[key] if self.rows is None else self.rows[key]
        if np.ndim(stored) == 0:
            block = int(np.searchsorted(self.ends, stored, side="right"))
            offset = int(stored) - (int(self.ends[block - 1]) if block else 0)
            return np.asarray(self.blocks[block][offset])
        stored = np.asarray(stored)
        out = np.empty((len(stored), self.shape[1]), dtype=self.dtype)
        which = np.searchsorted(self.ends, stored, side="right")
        for b in np.unique(which).tolist():
            picked = which == b
            offset = int(self.ends[b - 1]) if b else 0
            out[picked] = self.blocks[b][stored[picked] - offset]
        return out


def write_unit_table(
    path: Path, units: Iterable[tuple[str, int, int]], article_rows: Mapping[str, int]
) -> int:
    """The answer units as an int32 table of (article row, start, end); returns their number."""
    flat = chain.from_iterable((article_rows[d], s, e) for d, s, e in units)
    table = np.fromiter(flat, dtype=np.int32).reshape(-1, 3)
    np.save(path, table)
    return len(table)


class UnitRows(Mapping[tuple[str, int, int], int]):
    """(doc_id, start, end) of an answer unit -> its row of the unit vectors, looked up through
    each article's range of rows in a memory-mapped table rather than a dict of tuples."""

    def __init__(
        self, doc_ids: Sequence[str], table: np.ndarray, rows: Mapping[str, int] | None = None
    ) -> None:
        if len(table) and not 0 <= int(table[:, 0].min()) <= int(table[:, 0].max()) < len(doc_ids):
            raise ValueError("an answer unit names an article the index does not hold")
        self.doc_ids = doc_ids
        self.table = table
        articles = np.asarray(table[:, 0])
        self.order = np.argsort(articles, kind="stable").astype(np.int64)
        self.bounds = np.concatenate(
            [[0], np.cumsum(np.bincount(articles, minlength=len(doc_ids)))]
        )
        self.article_row = rows if rows is not None else {d: i for i, d in enumerate(doc_ids)}

    def __getitem__(self, key: tuple[str, int, int]) -> int:
        doc, start, end = key
        a = self.article_row[doc]
        rows = self.order[self.bounds[a] : self.bounds[a + 1]]
        spans = self.table[rows]
        found = np.flatnonzero((spans[:, 1] == start) & (spans[:, 2] == end))
        if not found.size:
            raise KeyError(key)
        return int(rows[found[0]])

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        for lo in range(0, len(self.table), 100_000):
            for a, s, e in self.table[lo : lo + 100_000].tolist():
                yield self.doc_ids[a], s, e

    def __len__(self) -> int:
        return len(self.table)
