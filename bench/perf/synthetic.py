"""Synthetic corpora above CMRC's size: CMRC passages copied under new ids with noisy vectors, saved by the index store."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.perf.common import NOISE_SIGMA, folder_bytes
from corpus.model import Article, Chunk
from index.bm25 import KeywordIndex, TermCounts, tokenize
from index.encoding import passage_input
from index.folder import VectorRows
from index.layout import (
    ARTICLE_OFFSETS,
    ARTICLES,
    CHUNK_SPANS,
    CHUNKS,
    KEYWORDS,
    PACKED_ARTICLES,
    UNIT_TABLE,
    UNIT_VECTORS,
    VECTORS,
)
from index.store import (
    IndexContents,
    IndexStore,
    LoadedIndex,
)


@dataclass(slots=True)
class Base:
    """The real CMRC passages (and answer units) the synthetic corpora are made of."""

    index: LoadedIndex
    vectors: np.ndarray
    tokens: list[list[str]]
    # per doc_id, its answer units as (start, end, row of sentence_vectors); empty for an index
    # format without sentence vectors
    units: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, index: LoadedIndex) -> Base:
        if any(COPY_MARK in a.doc_id for a in index.articles):
            raise ValueError(f"a CMRC doc_id holds {COPY_MARK!r}, which marks copies here")
        units: dict[str, list[tuple[int, int, int]]] = {}
        for (doc, s, e), row in sorted(index.sentence_rows.items(), key=lambda kv: kv[1]):
            units.setdefault(doc, []).append((s, e, row))
        return cls(
            index,
            index.vectors.reconstruct_n(0, index.vectors.ntotal),
            [tokenize(passage_input(c)) or [""] for c in index.chunks],
            units,
        )


COPY_MARK = "~"  # a copy of CMRC article d is article f"{d}~{copy number}"


def source_doc(doc_id: str) -> str:
    return doc_id.partition(COPY_MARK)[0]


class CopiedRows(Mapping[tuple[str, int, int], int]):
    """sentence_rows of a synthetic index: a copy's answer unit has the row of the unit it
    copies, so copies need no memory of their own in this process."""

    def __init__(self, base: Mapping[tuple[str, int, int], int], docs: set[str], units: int):
        self.base, self.docs, self.units = base, docs, units

    def __getitem__(self, key: tuple[str, int, int]) -> int:
        doc, s, e = key
        if doc not in self.docs:
            raise KeyError(key)
        return self.base[(source_doc(doc), s, e)]

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        raise TypeError("the synthetic sentence rows are looked up, never listed")

    def __len__(self) -> int:
        return self.units


def synthetic_corpus(
    base: Base, n: int, rng: np.random.Generator
) -> tuple[list[Article], list[Chunk], np.ndarray, np.ndarray]:
    """n passages: the CMRC ones, then copies under new doc ids (`<doc>~<copy>`); their vectors,
    with noise on the copies; and for each passage the CMRC passage it copies."""
    real = base.index.chunks
    articles: list[Article] = []
    chunks: list[Chunk] = []
    source = np.resize(np.arange(len(real)), n)
    for i, j in enumerate(source.tolist()):
        c = real[j]
        copy = i // len(real)
        doc = c.doc_id if copy == 0 else f"{c.doc_id}{COPY_MARK}{copy}"
        if j == 0 or real[j - 1].doc_id != c.doc_id:
            a = base.index.articles_by_id[c.doc_id]
            articles.append(a if copy == 0 else replace(a, doc_id=doc))
        chunks.append(Chunk(f"{doc}:{c.start}-{c.end}", doc, c.title, c.text, c.start, c.end))
    vectors = np.empty((n, base.vectors.shape[1]), dtype=np.float32)
    for lo in range(0, n, 100_000):
        hi = min(n, lo + 100_000)
        block = base.vectors[source[lo:hi]].copy()
        copied = np.arange(lo, hi) >= len(real)
        block[copied] += rng.normal(0, NOISE_SIGMA, (int(copied.sum()), block.shape[1])).astype(
            np.float32
        )
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        vectors[lo:hi] = block
    return articles, chunks, vectors, source


def keyword_index(base: Base, source: np.ndarray) -> KeywordIndex:
    """The keyword index of the replicated texts, with the term counts a real build stores: the
    CMRC passages' counted once, each copy taking its source passage's row."""
    return KeywordIndex.from_table(TermCounts.from_lists(base.tokens).taken(source))


class GatheredRows:
    """Rows of a matrix picked by index, gathered a block at a time when saved (VectorRows)."""

    def __init__(self, matrix: VectorRows, rows: np.ndarray) -> None:
        self.matrix, self.rows = matrix, rows

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.rows), self.matrix.shape[1])

    @property
    def dtype(self) -> Any:
        return self.matrix.dtype

    def __getitem__(self, rows: Any) -> np.ndarray:
        return np.asarray(self.matrix[self.rows[rows]])


def write_index_folder(index: LoadedIndex, base: Base, data_dir: Path) -> dict[str, int]:
    """The synthetic index saved by the index store, as `wenda serve` reads it; returns the
    bytes of each part."""

    def copied_units() -> Iterator[tuple[str, int, int]]:
        for a in index.articles:
            for s, e, _ in base.units.get(source_doc(a.doc_id), ()):
                yield a.doc_id, s, e

    rows = np.fromiter(
        (row for a in index.articles for _, _, row in base.units.get(source_doc(a.doc_id), ())),
        dtype=np.int64,
    )
    store = IndexStore(data_dir)
    contents = IndexContents(
        index.articles,
        index.chunks,
        index.vectors,
        index.keywords,
        copied_units(),
        GatheredRows(base.index.sentence_vectors, rows),
        base.index.unit_mean,
    )
    m = index.manifest
    store.save(
        contents, model=m.model, dim=m.dim, index_type=m.index_type, hash_of_corpus=m.corpus_hash
    )
    folder = store.link.resolve()
    return {
        "vectors": folder_bytes(folder / VECTORS),
        "bm25": folder_bytes(folder / KEYWORDS),
        "text": sum(
            folder_bytes(folder / name)
            for name in (ARTICLES, PACKED_ARTICLES, ARTICLE_OFFSETS, CHUNKS, CHUNK_SPANS)
            if (folder / name).exists()
        ),
        "sentences": folder_bytes(folder / UNIT_TABLE) + folder_bytes(folder / UNIT_VECTORS),
        "total": folder_bytes(folder),
    }
