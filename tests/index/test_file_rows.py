import os
from pathlib import Path

import numpy as np
import pytest

from index.layout import DamagedFile, IndexDamaged, read_part
from index.store import build_index, load_index, update_index
from index.vectors import FileRows
from tests.index.test_store import articles


@pytest.fixture
def stored(tmp_path: Path) -> tuple[np.ndarray, FileRows]:
    rows = np.random.default_rng(3).integers(0, 255, (1000, 292), dtype=np.uint8)
    np.save(tmp_path / "rows.npy", rows)
    return rows, FileRows(tmp_path / "rows.npy")


def test_rows_read_from_the_file_are_the_stored_rows(stored) -> None:
    rows, read = stored
    assert read.shape == rows.shape and read.dtype == rows.dtype and len(read) == 1000
    assert np.array_equal(read[0], rows[0]) and np.array_equal(read[-1], rows[-1])
    assert np.array_equal(read[np.int64(517)], rows[517])
    assert np.array_equal(read[10:20], rows[10:20]) and np.array_equal(read[:], rows)
    assert np.array_equal(read[5:300:7], rows[5:300:7])
    picked = np.array([999, 3, 3, 500, 0])
    assert np.array_equal(read[picked], rows[picked])
    assert read[np.zeros(0, np.int64)].shape == (0, 292)


def counted_reads(read: FileRows) -> list[tuple[int, int]]:
    """The (lo, hi) of every read the rows make from now on."""
    reads: list[tuple[int, int]] = []
    whole = read._read

    def counted(lo: int, hi: int) -> np.ndarray:
        reads.append((lo, hi))
        return whole(lo, hi)

    read._read = counted  # type: ignore[method-assign]
    return reads


def test_a_sparse_gather_reads_row_by_row_and_gets_the_same_rows(stored) -> None:
    rows, read = stored
    read.SPAN_BYTES = 0  # the span 0..999 is then far more than 4x the 3 rows asked for
    reads = counted_reads(read)
    picked = np.array([999, 0, 512])
    assert np.array_equal(read[picked], rows[picked])
    assert reads == [(999, 1000), (0, 1), (512, 513)]


def test_a_dense_gather_reads_its_span_once(stored) -> None:
    rows, read = stored
    reads = counted_reads(read)
    picked = np.array([999, 0, 512])  # 1,000 rows of 292 bytes: under SPAN_BYTES
    assert np.array_equal(read[picked], rows[picked])
    assert reads == [(0, 1000)]


def test_a_read_the_kernel_returns_short_is_completed(
    stored, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pread may return fewer bytes than asked (a signal, a network file system)."""
    rows, read = stored
    pread, preadv = os.pread, os.preadv

    def pread_100(fd: int, n: int, offset: int) -> bytes:
        return pread(fd, min(n, 100), offset)

    def preadv_100(fd: int, buffers: list, offset: int) -> int:
        return preadv(fd, [memoryview(buffers[0])[:100]], offset)

    monkeypatch.setattr(os, "pread", pread_100)
    monkeypatch.setattr(os, "preadv", preadv_100)
    assert np.array_equal(read[10:20], rows[10:20])


def test_rows_beyond_the_file_are_refused(stored) -> None:
    _, read = stored
    for bad in (1000, -1001):
        with pytest.raises(IndexError):
            read[bad]
    with pytest.raises(IndexError):
        read[np.array([0, 1000])]


@pytest.mark.parametrize("change", [-40, 1], ids=["truncated", "longer"])
def test_a_file_not_of_its_headers_size_is_refused_when_opened(tmp_path: Path, change: int) -> None:
    np.save(tmp_path / "rows.npy", np.ones((100, 8), np.float32))
    data = (tmp_path / "rows.npy").read_bytes()
    (tmp_path / "rows.npy").write_bytes(data[:change] if change < 0 else data + b"\0" * change)
    with pytest.raises(DamagedFile, match=f"{len(data) + change} bytes, its header states"):
        FileRows(tmp_path / "rows.npy")


@pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0)])
def test_every_npy_version_is_read(tmp_path: Path, version: tuple[int, int]) -> None:
    rows = np.arange(24, dtype=np.int16).reshape(6, 4)
    with (tmp_path / "rows.npy").open("wb") as fh:
        np.lib.format.write_array(fh, rows, version=version)
    read = FileRows(tmp_path / "rows.npy")
    assert read.dtype == np.int16 and np.array_equal(read[:], rows)


def test_an_unknown_npy_version_is_refused(tmp_path: Path) -> None:
    np.save(tmp_path / "rows.npy", np.ones((4, 2), np.float32))
    data = bytearray((tmp_path / "rows.npy").read_bytes())
    data[6] = 9  # the major version byte, after the magic string
    (tmp_path / "rows.npy").write_bytes(bytes(data))
    with pytest.raises(DamagedFile, match="version 9.0"):
        FileRows(tmp_path / "rows.npy")


def test_a_damaged_unit_vector_file_is_named_with_why(tmp_path: Path, fake_embedder) -> None:
    build_index(articles(2), fake_embedder, tmp_path)
    path = (tmp_path / "index").resolve() / "sentence_vectors.npy"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(IndexDamaged, match=r"sentence_vectors.npy is damaged \(\d+ bytes, its"):
        read_part("sentence_vectors.npy", lambda: FileRows(path))


def mapped_files() -> str:
    return Path("/proc/self/maps").read_text()


def test_a_loaded_index_reads_its_unit_vectors_without_mapping_them(
    tmp_path: Path, fake_embedder
) -> None:
    """Pages of a memory map count in the server's resident memory and grow with each new
    question; rows read from the file stay in the kernel's page cache."""
    build_index(articles(4), fake_embedder, tmp_path)
    update_index(tmp_path, fake_embedder, upsert=articles(6)[4:])  # added rows: a part of their own
    index = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert index.manifest.stored_rows["units"]["parts"]  # base and an added part both read
    for row in range(len(index.sentence_rows)):
        assert index.sentence_vectors[row].shape == (index.sentence_vectors.shape[1],)
    assert "sentence_vectors" not in mapped_files()
