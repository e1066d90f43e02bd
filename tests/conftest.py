"""Shared fixtures: a small deterministic fake embedder, indexes in tmp_path, a real server."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from bench.perf.process import free_port, running
from corpus.loading import load_corpus
from corpus.model import Article
from index.store import build_index
from service.settings import BUNDLED_CORPUS, PROJECT_ROOT, Settings
from service.short_answer import Span

SEED = BUNDLED_CORPUS / "000_2992734d60049928.txt"
SHARED = PROJECT_ROOT.parent / "shared"


FAKE_MIN_CONFIDENCE = 0.06
TEST_OUTPUT = PROJECT_ROOT / "tests" / "artifacts"  # git-ignored: screenshots and the like

# Test tiers (`--strict-markers`): `make test-fast` runs the unit tier. A test marked slow or
# browser is e2e (the real model, a real server, a browser); the modules below are integration
# (the HTTP app through TestClient, the CLI, model conversion, the bench); the rest is unit
# (in-process, the fake embedder, indexes in tmp_path). A test may also carry its tier itself.
TIERS = ("unit", "integration", "e2e")
INTEGRATION_MODULES = {
    "tests/bench/test_performance.py",
    "tests/index/test_convert.py",
    "tests/index/test_killed_builds.py",  # kills writer processes: seconds a test
    "tests/service/test_api.py",
    "tests/service/test_articles_api.py",
    "tests/service/test_bad_requests.py",
    "tests/service/test_cli.py",
    "tests/service/test_damaged_index.py",
    "tests/service/test_evaluate.py",
    "tests/service/test_generate.py",
    "tests/service/test_openai_api.py",
    "tests/service/test_robustness.py",
    "tests/service/test_schema_fuzz.py",
}


E2E_MODULES = {
    "tests/service/test_chat_browser.py",
    "tests/service/test_chat_browser_states.py",
    "tests/service/test_e2e.py",
    "tests/service/test_live_scenario.py",
}


def pytest_configure(config: pytest.Config) -> None:
    missing = sorted(
        m for m in INTEGRATION_MODULES | E2E_MODULES if not (PROJECT_ROOT / m).exists()
    )
    if missing:  # a renamed module would otherwise fall into the unit tier unnoticed
        message = f"tests/conftest.py names test modules that are not there: {missing}"
        config.issue_config_time_warning(pytest.PytestConfigWarning(message), stacklevel=2)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """`-m unit` does not import the modules that hold no unit test (schemathesis, playwright)."""
    if config.getoption("markexpr") != "unit":
        return None
    module = collection_path.resolve().relative_to(PROJECT_ROOT).as_posix()
    return True if module in INTEGRATION_MODULES | E2E_MODULES else None


def tier_of(item: pytest.Item) -> str:
    for tier in TIERS:
        if item.get_closest_marker(tier):
            return tier
    if item.get_closest_marker("slow") or item.get_closest_marker("browser"):
        return "e2e"
    module = Path(str(item.path)).relative_to(PROJECT_ROOT).as_posix()
    return "integration" if module in INTEGRATION_MODULES else "unit"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tier = tier_of(item)
        if not item.get_closest_marker(tier):
            item.add_marker(getattr(pytest.mark, tier))


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


@pytest.fixture(scope="session")
def live_server(real_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `wenda serve` on 127.0.0.1 over the real index; yields its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "serve.log"
    wenda = Path(sys.executable).with_name("wenda")
    url = f"http://127.0.0.1:{port}"
    cmd = [str(wenda), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with running(
        [*cmd, "--data-dir", str(real_settings.data_dir)],
        log,
        f"{url}/healthz",
        {**os.environ, "WENDA_DATA_DIR": str(real_settings.data_dir)},
        seconds=180,
    ):
        yield url


def span_of(text: str, fact: str) -> Span:
    """Where fact first stands in text."""
    return Span(text.index(fact), text.index(fact) + len(fact))
