"""Shared fixtures: a small deterministic fake embedder, indexes in tmp_path, a real server."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from corpus.loading import load_corpus
from corpus.model import Article
from index.store import build_index
from service.settings import PROJECT_ROOT, Settings

SEED = PROJECT_ROOT / "corpus" / "000_2992734d60049928.txt"
SHARED = PROJECT_ROOT.parent / "shared"


FAKE_MIN_CONFIDENCE = 0.06


class FakeEmbedder:
    """Hashed character bigrams: texts sharing words get similar vectors; no model needed.

    Like e5's, its cosines all lie high (about 0.8 to 1.0: every vector shares one direction),
    the range the trained answer model reads them in."""

    name = "fake-bigram"
    dim = 64

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for a, b in zip(text, text[1:], strict=False):
            v[int(hashlib.md5((a + b).encode()).hexdigest()[:8], 16) % (self.dim - 1)] += 1.0
        norm = float(np.linalg.norm(v))
        if norm:
            v = 0.5 * v / norm
        v[-1] = 1.0  # the shared direction
        return v / float(np.linalg.norm(v))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return (
            np.stack([self._vector(t) for t in texts])
            if texts
            else np.zeros((0, self.dim), np.float32)
        )

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def seed_articles() -> list[Article]:
    return load_corpus([SEED])


@pytest.fixture
def seed_settings(
    tmp_path: Path, seed_articles: list[Article], fake_embedder: FakeEmbedder
) -> Settings:
    """Settings whose data dir holds a fake-embedder index of the seed page."""
    # the answer model's abstention bar is trained on e5's cosines; the fake's sit lower, so its
    # confident answers land near 0.1 and its unrelated ones near 0.03
    settings = Settings(
        data_dir=tmp_path / "data",
        corpus=[SEED],
        cache_dir=tmp_path / "cache",
        min_confidence=FAKE_MIN_CONFIDENCE,
    )
    build_index(seed_articles, fake_embedder, settings.data_dir)
    return settings


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A real index of the bundled corpus, built once with the real converted model."""
    from index.cache import EmbeddingCache
    from index.convert import ensure_model
    from service.qa import make_embedder

    # the project's embedding cache: the bundled corpus is embedded once, not every session
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("real") / "data", cache_dir=PROJECT_ROOT / "data" / "cache"
    )
    ensure_model(settings.model_dir)
    embedder = make_embedder(settings)
    cache = EmbeddingCache(settings.embedding_cache_dir / f"embeddings-{embedder.name}.sqlite")
    try:
        build_index(load_corpus(settings.corpus), embedder, settings.data_dir, cache)
    finally:
        cache.close()
    return settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(real_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `wenda serve` on 127.0.0.1 over the real index; yields its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "serve.log"
    wenda = Path(sys.executable).with_name("wenda")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(wenda),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--data-dir",
                str(real_settings.data_dir),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "WENDA_DATA_DIR": str(real_settings.data_dir)},
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"wenda serve exited early:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"wenda serve did not come up in time:\n{log.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
