"""A Milvus Lite server on 127.0.0.1 (`milvus-lite server`), spoken to over gRPC as a Milvus
cluster is: started by the Milvus tests and bench/milvus_latency.py, stopped on exit."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MILVUS_LITE = Path(sys.executable).with_name("milvus-lite")
UP_SECONDS = 60


def installed() -> bool:
    """milvus-lite and pymilvus are installed (pip install -e '.[milvus]')."""
    return MILVUS_LITE.exists() and importlib.util.find_spec("pymilvus") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True, slots=True)
class LiteServer:
    uri: str  # WENDA_MILVUS_URI
    pid: int


@contextmanager
def lite_server(data_dir: Path) -> Iterator[LiteServer]:
    """Start `milvus-lite server` with its data in data_dir; yields it; stops it."""
    port = _free_port()
    log = data_dir.with_suffix(".log")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(MILVUS_LITE), "server", "--data-dir", str(data_dir)]
            + ["--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    uri = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + UP_SECONDS
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"milvus-lite server exited early:\n{log.read_text()}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"milvus-lite server not up in {UP_SECONDS} s")
            time.sleep(0.2)
        yield LiteServer(uri, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def milvus_lite_server(data_dir: Path) -> Iterator[str]:
    """lite_server's URI."""
    with lite_server(data_dir) as server:
        yield server.uri
