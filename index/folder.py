"""The files of one build folder: written from an index's contents, read back with checks.

Only IndexStore calls the writer; the names of the files are index.layout's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from corpus.model import Article, Chunk, Edit
from index.bm25 import KeywordIndex
from index.layout import (
    ARTICLES,
    CHUNKS,
    KEYWORDS,
    UNIT_VECTORS,
    UNITS,
    VECTORS,
    IndexDamaged,
    Manifest,
    read_part,
)

UNIT_BLOCK = 500_000  # rows of answer-unit vectors copied at a time (bounded memory on save)


class VectorRows(Protocol):
    """Rows of vectors, sliceable in blocks: an array, or rows gathered lazily from one."""

    @property
    def shape(self) -> tuple[int, ...]: ...
    @property
    def dtype(self) -> Any: ...
    def __getitem__(self, rows: slice) -> np.ndarray: ...


@dataclass(slots=True)
class IndexContents:
    """An index's parts before they are saved: articles, their passages with a vector index and a
    keyword index in matching order, and the answer units with their vectors."""

    articles: Sequence[Article]
    chunks: Sequence[Chunk]
    vectors: Any  # faiss.Index, row i is chunks[i]
    keywords: KeywordIndex  # document i is chunks[i]
    units: Iterable[tuple[str, int, int]]  # row i of unit_vectors
    unit_vectors: VectorRows  # float16


@dataclass(slots=True)
class LoadedIndex:
    folder: Path
    manifest: Manifest
    articles: list[Article]
    articles_by_id: dict[str, Article]
    chunks: list[Chunk]
    vectors: Any  # faiss.Index
    keywords: KeywordIndex
    sentence_rows: dict[
        tuple[str, int, int], int
    ]  # (doc_id, start, end) -> row of sentence_vectors
    sentence_vectors: np.ndarray  # float16, one L2-normalised row per answer unit


def write_jsonl(path: Path, records: Iterable[Any]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_contents(folder: Path, contents: IndexContents) -> int:
    """Every file of an index folder but the manifest; returns the number of answer units."""
    faiss.write_index(contents.vectors, str(folder / VECTORS))
    contents.keywords.save(folder / KEYWORDS)
    write_jsonl(folder / ARTICLES, (asdict(a) for a in contents.articles))
    write_jsonl(folder / CHUNKS, (asdict(c) for c in contents.chunks))
    units = 0
    with (folder / UNITS).open("w", encoding="utf-8") as fh:  # streamed: millions at scale
        fh.write("[")
        for doc, s, e in contents.units:
            fh.write(("" if units == 0 else ", ") + json.dumps([doc, s, e], ensure_ascii=False))
            units += 1
        fh.write("]")
    vectors = contents.unit_vectors
    if vectors.shape[0] != units:
        raise ValueError(f"{units} answer units but {vectors.shape[0]} unit vectors")
    out = np.lib.format.open_memmap(
        folder / UNIT_VECTORS, mode="w+", dtype=np.float16, shape=(units, vectors.shape[1])
    )
    for lo in range(0, units, UNIT_BLOCK):
        out[lo : lo + UNIT_BLOCK] = vectors[lo : lo + UNIT_BLOCK]
    out.flush()
    del out
    return units


def read_articles(path: Path) -> list[Article]:
    articles = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            r["edits"] = tuple(Edit(**e) for e in r.get("edits", ()))
            articles.append(Article(**r))
    return articles


def read_chunks(path: Path) -> list[Chunk]:
    with path.open(encoding="utf-8") as fh:
        return [Chunk(**json.loads(line)) for line in fh]


def read_units(folder: Path) -> list[tuple[str, int, int]]:
    return [(d, s, e) for d, s, e in json.loads((folder / UNITS).read_text("utf-8"))]


def load_folder(folder: Path, manifest: Manifest) -> LoadedIndex:
    """Every part of one index folder, checked against the manifest and each other; a missing,
    unreadable or miscounted file raises IndexDamaged naming it."""
    articles = read_part(ARTICLES, lambda: read_articles(folder / ARTICLES))
    chunks = read_part(CHUNKS, lambda: read_chunks(folder / CHUNKS))
    vectors = read_part(VECTORS, lambda: faiss.read_index(str(folder / VECTORS)))
    units = read_part(UNITS, lambda: read_units(folder))
    sentence_vectors = read_part(UNIT_VECTORS, lambda: np.load(folder / UNIT_VECTORS))
    keywords = read_part(KEYWORDS, lambda: KeywordIndex.load(folder / KEYWORDS))
    counts = [
        (ARTICLES, len(articles), manifest.articles, "articles"),
        (CHUNKS, len(chunks), manifest.chunks, "passages"),
        (VECTORS, vectors.ntotal, manifest.chunks, "vectors"),
        (KEYWORDS, keywords.n_docs, manifest.chunks, "passages"),
        (UNIT_VECTORS, len(sentence_vectors), len(units), "vectors"),
    ]
    for name, found, expected, what in counts:
        if found != expected:
            raise IndexDamaged(name, f"{found} {what}, expected {expected}")
    return LoadedIndex(
        folder=folder,
        manifest=manifest,
        articles=articles,
        articles_by_id={a.doc_id: a for a in articles},
        chunks=chunks,
        vectors=vectors,
        keywords=keywords,
        sentence_rows={(d, s, e): row for row, (d, s, e) in enumerate(units)},
        sentence_vectors=sentence_vectors,
    )
