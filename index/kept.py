"""The texts of the published build as an update edits them, without decoding them: the lines
of articles.jsonl and chunks.jsonl that stay are copied byte for byte, each passage's article
and each answer unit's are int32 rows, and only the new records are encoded. A removal reads
the ids of the articles and the row arrays, and no article or passage text."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.layout import (
    ARTICLE_IDS,
    ARTICLES,
    CHUNK_ARTICLES,
    CHUNKS,
    UNIT_TABLE,
    IndexDamaged,
    read_part,
)

COPY_BLOCK = 1 << 24


def line_offsets(path: Path) -> np.ndarray:
    """The byte offsets of a file's lines: n + 1 of them for n lines, each ending in "\\n"."""
    data = np.fromfile(path, dtype=np.uint8)
    return np.concatenate([[0], np.flatnonzero(data == 0x0A) + 1]).astype(np.int64)


NEW = -1  # in KeptLines.order: the next of the new records


@dataclass(slots=True)
class KeptLines:
    """A JSONL file of the build before with some of its lines, and new records: order gives
    the source row of each line written, or NEW for the next of `added`."""

    source: Path
    offsets: np.ndarray  # of the source's lines (line_offsets)
    order: np.ndarray  # int64
    added: list[dict[str, Any]]

    def __len__(self) -> int:
        return len(self.order)

    def write(self, path: Path) -> None:
        """Runs of consecutive kept lines copied in one piece (by the kernel where it can), the
        new records encoded where they stand."""
        added = iter(self.added)
        with self.source.open("rb") as src, path.open("wb") as out:
            for lo, hi in _runs(self.order):
                if lo == NEW:
                    for _ in range(hi):
                        out.write(json.dumps(next(added), ensure_ascii=False).encode() + b"\n")
                else:
                    _copy(src, out, int(self.offsets[lo]), int(self.offsets[hi]))

    def records(self, rows: Sequence[int]) -> list[dict[str, Any]]:
        """The source's records at rows, decoded."""
        with self.source.open("rb") as fh:
            found = []
            for row in rows:
                fh.seek(int(self.offsets[row]))
                found.append(json.loads(fh.read(int(self.offsets[row + 1] - self.offsets[row]))))
            return found


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
    """The rows of a build folder's texts: article ids in order, the byte offsets of their lines
    and of the passages', each passage's article row and the answer-unit table."""

    folder: Path
    ids: list[str]
    article_lines: np.ndarray
    chunk_lines: np.ndarray
    chunk_articles: np.ndarray  # int32, one per passage
    units: np.ndarray  # int32 (article row, start, end), one per answer unit

    @classmethod
    def of(cls, folder: Path) -> StoredTexts | None:
        """The rows of a folder that stores them (format 4 with ids); None for one without."""
        if not (folder / ARTICLE_IDS).exists() or not (folder / CHUNK_ARTICLES).exists():
            return None
        ids = read_part(ARTICLE_IDS, lambda: json.loads((folder / ARTICLE_IDS).read_text("utf-8")))
        texts = cls(
            folder,
            ids,
            read_part(ARTICLES, lambda: line_offsets(folder / ARTICLES)),
            read_part(CHUNKS, lambda: line_offsets(folder / CHUNKS)),
            read_part(CHUNK_ARTICLES, lambda: np.load(folder / CHUNK_ARTICLES)),
            read_part(UNIT_TABLE, lambda: np.load(folder / UNIT_TABLE)),
        )
        texts.check()
        return texts

    def check(self) -> None:
        """IndexDamaged naming the file whose rows disagree with the others'."""
        n = len(self.ids)
        if len(self.article_lines) - 1 != n:
            raise IndexDamaged(ARTICLES, f"{len(self.article_lines) - 1} lines, {n} article ids")
        if len(self.chunk_lines) - 1 != len(self.chunk_articles):
            lines = len(self.chunk_lines) - 1
            raise IndexDamaged(CHUNKS, f"{lines} lines, {len(self.chunk_articles)} passage rows")
        for name, rows in ((CHUNK_ARTICLES, self.chunk_articles), (UNIT_TABLE, self.units[:, 0])):
            if len(rows) and not 0 <= int(rows.min()) <= int(rows.max()) < n:
                raise IndexDamaged(name, f"a row names an article beyond the {n} held")

    def articles(self, doc_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The records of these articles (by id), decoded."""
        rows = {d: i for i, d in enumerate(self.ids)}
        lines = KeptLines(self.folder / ARTICLES, self.article_lines, np.zeros(0, np.int64), [])
        return lines.records([rows[d] for d in doc_ids])


@dataclass(slots=True)
class EditedTexts:
    """What an update writes of the texts: articles.jsonl, chunks.jsonl, the ids, each
    passage's article row and the answer-unit table."""

    ids: list[str]
    articles: KeptLines
    chunks: KeptLines
    chunk_articles: np.ndarray
    units: np.ndarray
    keep_chunks: np.ndarray  # the rows of the build before's passages kept, in order
    keep_units: np.ndarray


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
    kept_units = texts.units[keep_units].astype(np.int64)
    kept_units[:, 0] = row_after[kept_units[:, 0]]
    added_units = np.array([(new_rows[d], s, e) for d, s, e in units], dtype=np.int64)
    return EditedTexts(
        ids,
        KeptLines(texts.folder / ARTICLES, texts.article_lines, order.astype(np.int64), records),
        KeptLines(
            texts.folder / CHUNKS,
            texts.chunk_lines,
            np.concatenate([keep_chunks, np.full(len(chunks), NEW)]).astype(np.int64),
            list(chunks),
        ),
        np.concatenate([row_after[texts.chunk_articles[keep_chunks]], added_chunks]).astype(
            np.int32
        ),
        np.concatenate([kept_units, added_units.reshape(-1, 3)]).astype(np.int32),
        keep_chunks,
        keep_units,
    )
