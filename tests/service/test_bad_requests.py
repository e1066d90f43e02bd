"""The hand-made bad requests of bad_requests.py (issue 15): each answers the 4xx (or, without an
index, the 503) it must, one that the OpenAPI document lists for that route, with the body the
document describes; a 422 names the wrong field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corpus.loading import load_corpus
from index.store import build_index
from service.api import create_app
from service.settings import Settings
from tests.conftest import FAKE_MIN_CONFIDENCE, SEED, FakeEmbedder
from tests.service.bad_requests import TOKEN, Bad
from tests.service.bad_requests_routes import CASES

APPS: dict[str, dict[str, Any]] = {
    "admin": {"admin_token": TOKEN},
    "closed": {},
    "empty": {"admin_token": TOKEN},
    "hosts": {"allowed_hosts": ["testserver", "127.0.0.1"]},
    "keyed": {"api_key": "the-key"},
}


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """One running app per kind in APPS; all but "empty" over an index of the seed page."""
    root: Path = tmp_path_factory.mktemp("bad")
    embedder = FakeEmbedder()
    build_index(load_corpus([SEED]), embedder, root / "data")
    running: dict[str, TestClient] = {}
    try:
        for name, extra in APPS.items():
            settings = Settings(
                data_dir=root / ("empty" if name == "empty" else "data"),
                corpus=[SEED],
                cache_dir=root / "cache",
                min_confidence=FAKE_MIN_CONFIDENCE,
                reload_seconds=3600.0,
                **extra,
            )
            client = TestClient(create_app(settings, embedder), raise_server_exceptions=False)
            running[name] = client.__enter__()
        yield running
    finally:
        for client in running.values():
            client.__exit__(None, None, None)


def operation(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    template = "/articles/{doc_id}" if path.startswith("/articles/") else path
    return doc["paths"][template][method.lower()]


def test_the_set_covers_every_route_with_enough_cases() -> None:
    assert len(CASES) >= 117 and len({c.name for c in CASES}) == len(CASES)
    routes = {
        (c.method, "/articles/{doc_id}" if c.path.startswith("/articles/") else c.path)
        for c in CASES
    }
    assert routes >= {
        ("POST", "/ask"),
        ("POST", "/ask/stream"),
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/models"),
        ("GET", "/healthz"),
        ("GET", "/articles"),
        ("POST", "/articles"),
        ("GET", "/articles/{doc_id}"),
        ("DELETE", "/articles/{doc_id}"),
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_request_gets_its_documented_4xx(clients: dict[str, TestClient], case: Bad) -> None:
    client = clients[case.app]
    response = client.request(case.method, case.path, **case.request)
    assert response.status_code == case.status, response.text[:300]
    documented = operation(client.app.openapi(), case.method, case.path)["responses"]  # type: ignore[attr-defined]
    assert str(case.status) in documented, f"{case.status} not listed for {case.method} {case.path}"
    kind = response.headers["content-type"].split(";")[0]
    assert kind in documented[str(case.status)]["content"]
    if kind == "text/plain":
        return
    detail = response.json()["detail"]
    if case.status != 422:
        assert isinstance(detail, str) and detail
        assert "/tmp" not in detail and str(Path.home()) not in detail
        return
    assert detail and all(
        isinstance(d, dict) and {"field", "message", "type"} <= set(d) for d in detail
    )
    fields = [d["field"] for d in detail]
    assert case.field is not None
    assert any(
        f == case.field or f.startswith(f"{case.field}.") or not case.field for f in fields
    ), fields
