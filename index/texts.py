"""Articles and passages read from their JSONL files when asked for, not held as objects: the
file memory-mapped, each line's offset kept, the records asked for lately cached."""

from __future__ import annotations

import json
import mmap
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import numpy as np

T = TypeVar("T")
CACHED_RECORDS = 4096  # per file: a question reads a few passages and their articles


class JsonlRecords(Sequence[T], Generic[T]):
    """Line i of a JSONL file as parse(json record), read and parsed on demand."""

    def __init__(self, path: Path, parse: Callable[[dict[str, Any]], T], offsets: np.ndarray):
        self.path = path
        self.offsets = offsets  # n + 1 byte offsets: line i is [offsets[i], offsets[i + 1])
        with path.open("rb") as fh:
            size = path.stat().st_size
            self._bytes: Any = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self._parse = parse
        self._cached = lru_cache(maxsize=CACHED_RECORDS)(self._read)

    def _read(self, i: int) -> T:
        record = json.loads(self._bytes[int(self.offsets[i]) : int(self.offsets[i + 1])])
        return self._parse(record)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self._cached(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        return self._cached(i % n)

    def __iter__(self) -> Iterator[T]:
        for i in range(len(self)):
            yield self._read(i)  # not through the cache of what questions read lately


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
    """The records of a JsonlRecords by an id (a dict of id -> line, not of objects)."""

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
