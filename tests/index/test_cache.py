import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index.cache import SCHEMA_VERSION, EmbeddingCache, text_key


def vectors(n: int, dim: int = 4) -> np.ndarray:
    return np.arange(n * dim, dtype=np.float32).reshape(n, dim)


def test_vectors_come_back_as_stored_by_key(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    cache.put_many(["a", "b"], vectors(2))
    found = cache.get_many(["a", "b", "missing"])
    assert sorted(found) == ["a", "b"]
    np.testing.assert_array_equal(found["b"], vectors(2)[1])
    assert cache.count() == 2


def test_an_empty_cache_is_still_a_cache(tmp_path: Path) -> None:
    # `if cache:` in the build must not mistake an empty cache for none
    assert EmbeddingCache(tmp_path / "c.sqlite")


def test_a_new_cache_carries_the_schema_version(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    assert cache.schema_version == SCHEMA_VERSION >= 1
    cache.close()
    db = sqlite3.connect(tmp_path / "c.sqlite")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_cache_written_before_versions_is_migrated_keeping_its_vectors(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)  # as every wenda before schema versions made it: version 0
    db.execute("CREATE TABLE emb (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
    db.execute("INSERT INTO emb VALUES (?, ?)", ("k", vectors(1)[0].tobytes()))
    db.commit()
    db.close()
    cache = EmbeddingCache(path)
    assert cache.schema_version == SCHEMA_VERSION
    np.testing.assert_array_equal(cache.get_many(["k"])["k"], vectors(1)[0])


def test_a_cache_of_a_newer_schema_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    cache = EmbeddingCache(path)
    assert cache.count() == 0 and cache.schema_version == SCHEMA_VERSION
    assert [p.name for p in tmp_path.glob("new.sqlite.damaged-*")]


def test_deleted_keys_are_embedded_again(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    keys = [text_key("m", t) for t in ("甲", "乙", "丙")]
    cache.put_many(keys, vectors(3))
    cache.delete_many([keys[0], keys[2], "never-stored"])
    assert list(cache.get_many(keys)) == [keys[1]]


def test_a_copy_is_independent_of_its_source(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    cache.put_many(["a", "b"], vectors(2))
    copy = cache.copy_to(tmp_path / "copy" / "c.sqlite")
    copy.delete_many(["a"])
    assert copy.count() == 1 and cache.count() == 2


@pytest.mark.parametrize("garbage", [b"not a database at all" * 100, b""])
def test_a_garbage_file_is_replaced_by_an_empty_cache(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(garbage)
    cache = EmbeddingCache(path)
    cache.put_many(["a"], vectors(1))
    assert cache.count() == 1
