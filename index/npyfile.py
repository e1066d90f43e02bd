"""A .npy file read with os.pread, a slice of rows at a time, never memory-mapped: the pages a
question reads stay in the kernel's page cache (shared, dropped under pressure) rather than in
the process's resident memory, as the pages of a map would."""

from __future__ import annotations

import math
import os
import weakref
from pathlib import Path

import numpy as np

from index.layout import DamagedFile

# .npy 3.0 is 2.0's header layout in utf8 rather than latin1: the headers of plain numeric
# dtypes (all these files hold) are ASCII, which both read alike
_HEADERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
    (3, 0): np.lib.format.read_array_header_2_0,
}


class NpyFile:
    """The array of a C-ordered .npy file (version 1.0, 2.0 or 3.0) that holds exactly the bytes
    its header states, read with os.pread. A row is one item of its first axis. Anything else
    is refused as DamagedFile, saying why."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as f:
            try:
                version = np.lib.format.read_magic(f)
                read_header = _HEADERS.get(version)
                if read_header is None:
                    raise DamagedFile(f".npy version {version[0]}.{version[1]}, not 1.0 to 3.0")
                shape, fortran, dtype = read_header(f)
            except (ValueError, EOFError) as exc:
                if isinstance(exc, DamagedFile):
                    raise
                raise DamagedFile("not a .npy file, or its header is cut off") from exc
            self.start = f.tell()
            size = os.fstat(f.fileno()).st_size
        if fortran or dtype.hasobject or not shape:
            raise DamagedFile(f"{dtype} {shape}, not C-ordered rows of plain values")
        self.path = path
        self.shape: tuple[int, ...] = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.row_bytes = self.dtype.itemsize * math.prod(self.shape[1:])
        expected = self.start + self.row_bytes * self.shape[0]
        if size != expected:
            raise DamagedFile(f"{size} bytes, its header states {expected}")
        self.fd = os.open(path, os.O_RDONLY)
        self._close = weakref.finalize(self, os.close, self.fd)

    def __len__(self) -> int:
        return self.shape[0]

    def close(self) -> None:
        self._close()

    def expect(self, dtypes: tuple[type, ...], length: int | None = None, width: int = 0) -> None:
        """DamagedFile unless the file holds one of dtypes: length values (any number when
        None), or length rows of width values."""
        accepted = [np.dtype(d) for d in dtypes]
        rows = len(self) if length is None else length
        shape = (rows, width) if width else (rows,)
        if self.dtype not in accepted or self.shape != shape:
            names = " or ".join(map(str, accepted))
            raise DamagedFile(f"{self.dtype} {self.shape}, not {names} {shape}")

    def read_into(self, lo: int, hi: int, into: np.ndarray) -> np.ndarray:
        """Rows lo to hi in the first hi - lo rows of into (of this file's dtype and row shape),
        read until complete (a pread may return fewer bytes than asked)."""
        out = into[: hi - lo]
        view, offset = out.reshape(-1).data.cast("B"), self.start + lo * self.row_bytes
        done = 0
        while done < len(view):
            n = os.preadv(self.fd, [view[done:]], offset + done)
            if n == 0:
                raise DamagedFile(f"ends before byte {offset + done}")
            done += n
        return out

    def read(self, lo: int, hi: int) -> np.ndarray:
        """Rows lo to hi, in a new array."""
        return self.read_into(lo, hi, np.empty((hi - lo, *self.shape[1:]), self.dtype))

    def read_all(self) -> np.ndarray:
        return self.read(0, len(self))

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The rows at these positions, gathered through a map dropped on return (scattered
        rows are one page fault each, not one system call)."""
        mapped = np.memmap(self.path, self.dtype, "r", offset=self.start, shape=self.shape)
        try:
            return np.array(mapped[rows])
        finally:
            del mapped


def read_npy(path: Path) -> np.ndarray:
    """The whole array of a .npy file, read as NpyFile reads it."""
    stored = NpyFile(path)
    try:
        return stored.read_all()
    finally:
        stored.close()
