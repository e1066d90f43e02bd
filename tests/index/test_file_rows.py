from pathlib import Path

import numpy as np
import pytest

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


def test_a_sparse_gather_reads_row_by_row_and_gets_the_same_rows(stored) -> None:
    rows, read = stored
    read.SPAN_BYTES = 0  # the span 0..999 is then far more than 4x the 3 rows asked for
    picked = np.array([999, 0, 512])
    assert np.array_equal(read[picked], rows[picked])


def test_rows_beyond_the_file_are_refused(stored) -> None:
    _, read = stored
    for bad in (1000, -1001):
        with pytest.raises(IndexError):
            read[bad]
    with pytest.raises(IndexError):
        read[np.array([0, 1000])]


def test_a_truncated_file_is_refused_when_opened(tmp_path: Path) -> None:
    np.save(tmp_path / "rows.npy", np.ones((100, 8), np.float32))
    data = (tmp_path / "rows.npy").read_bytes()
    (tmp_path / "rows.npy").write_bytes(data[:-40])
    with pytest.raises(ValueError, match="too short"):
        FileRows(tmp_path / "rows.npy")


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
