"""Pins on build folders: a running server holds a shared lock on the manifest of the build it
serves (and of one it is loading), and a build deletes an old build folder only when it can take
that lock exclusively. Locks die with their process, so a killed server pins nothing."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from index.layout import MANIFEST


class Pin:
    """A shared lock on folder's manifest, held until `release`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = os.open(folder / MANIFEST, os.O_RDONLY)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops its lock
            self._fd = None


def pin(folder: Path) -> Pin | None:
    """A pin on the build folder, or None when it has no manifest (gone, or not a build)."""
    try:
        return Pin(folder)
    except OSError:
        return None


def in_use(folder: Path) -> bool:
    """Whether a process holds a pin on folder (a folder without a manifest is not in use)."""
    try:
        fd = os.open(folder / MANIFEST, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
