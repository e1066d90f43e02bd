"""Embeddings cached by passage-text hash, so rebuilding an unchanged corpus embeds nothing again.

The sqlite file carries its schema version (`PRAGMA user_version`); opening a file of an older
version runs the numbered migrations after it in order, as simonw/llm keeps its own.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger("wenda")


def text_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


def _create_table(db: sqlite3.Connection) -> None:
    # version 0 -> 1: the table as wenda has always made it (a version-0 file may already hold it)
    db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")


# MIGRATIONS[i] brings a cache of schema version i to version i + 1
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_create_table,)
SCHEMA_VERSION = len(MIGRATIONS)


class CacheTooNew(RuntimeError):
    """A cache written by a newer wenda (a schema version this one does not know)."""


def schema_version(db: sqlite3.Connection) -> int:
    version: int = db.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(db: sqlite3.Connection) -> int:
    """Bring db to SCHEMA_VERSION, each migration and its version number in one transaction;
    returns the version it started from."""
    start = schema_version(db)
    if start > SCHEMA_VERSION:
        raise CacheTooNew(f"embedding cache schema {start}, this wenda knows {SCHEMA_VERSION}")
    for version in range(start, SCHEMA_VERSION):
        with db:
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
    return start


class EmbeddingCache:
    """A sqlite table of float32 vectors keyed by (model, text) hash."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self._db = self._open()
        except (sqlite3.DatabaseError, CacheTooNew) as exc:
            self._db = self._replace_damaged(exc)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path))
        try:
            migrate(db)
            db.execute("SELECT key, vec FROM emb LIMIT 1").fetchall()
        except (sqlite3.DatabaseError, CacheTooNew):
            db.close()
            raise
        return db

    def _replace_damaged(self, exc: Exception) -> sqlite3.Connection:
        """Move a damaged cache file aside and start an empty one: a cache only saves time."""
        aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d%H%M%S')}")
        self.path.replace(aside)
        log.warning(
            "embedding cache %s is damaged (%s): moved aside to %s; embedding anew",
            self.path.name,
            exc,
            aside.name,
        )
        return self._open()

    @property
    def schema_version(self) -> int:
        return schema_version(self._db)

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        try:
            return self._get_many(keys)
        except sqlite3.DatabaseError as exc:  # damage deeper in the file than __init__ read
            self._db.close()
            self._db = self._replace_damaged(exc)
            return {}

    def _get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = list(keys[i : i + 500])
            marks = ",".join("?" * len(part))
            for key, blob in self._db.execute(
                f"SELECT key, vec FROM emb WHERE key IN ({marks})", part
            ):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        rows = [
            (k, np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for k, v in zip(keys, vectors, strict=True)
        ]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO emb (key, vec) VALUES (?, ?)", rows)

    def delete_many(self, keys: Iterable[str]) -> None:
        """Forget these keys' vectors (absent keys are no error)."""
        with self._db:
            self._db.executemany("DELETE FROM emb WHERE key = ?", ((k,) for k in keys))

    def count(self) -> int:
        """How many vectors the cache holds."""
        count: int = self._db.execute("SELECT COUNT(*) FROM emb").fetchone()[0]
        return count

    def copy_to(self, path: Path) -> EmbeddingCache:
        """A copy of this cache at path (sqlite's online backup), opened."""
        path.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(str(path))
        with dst:
            self._db.backup(dst)
        dst.close()
        return EmbeddingCache(path)

    def close(self) -> None:
        self._db.close()
