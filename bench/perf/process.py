"""A server process started for a bench run or a test: a free port, waiting until it answers,
stopping it. Standard library only, so tests/conftest.py can import it cheaply."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

LOG_TAIL = 3000  # characters of a server's log shown when it fails to come up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(
    url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 300, every: float = 0.5
) -> None:
    """Return once url answers 200; raise with the log's tail if proc exits or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited early:\n{log.read_text()[-LOG_TAIL:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} not up in {seconds} s:\n{log.read_text()[-LOG_TAIL:]}")
        time.sleep(every)


def stop(proc: subprocess.Popen[bytes], seconds: float = 15) -> None:
    """Terminate proc, killing it if it has not ended within seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def running(
    cmd: Sequence[str],
    log: Path,
    ready_url: str,
    env: Mapping[str, str] | None = None,
    seconds: float = 300,
    every: float = 0.5,
    cwd: Path | None = None,
    stop_seconds: float = 15,
) -> Iterator[subprocess.Popen[bytes]]:
    """cmd started with its output in log, yielded once ready_url answers; stopped on exit."""
    with log.open("w") as out:
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    try:
        wait_until_up(ready_url, proc, log, seconds, every)
        yield proc
    finally:
        stop(proc, stop_seconds)
