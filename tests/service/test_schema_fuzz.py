"""Schemathesis on /ask and /articles (issue 15): generated requests, valid and invalid by the
OpenAPI document, never answer 5xx and every answer matches the document (status, content type,
headers, body, the stream's events). A bounded run; `make fuzz` runs a long one on every route
against a real `wenda serve`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from corpus.loading import load_corpus
from index.store import build_index
from service.api import create_app
from service.settings import Settings
from tests.conftest import FAKE_MIN_CONFIDENCE, SEED, FakeEmbedder

# 5 operations with inputs (GET /articles has none): about 1,850 cases; fewer uploads, as each
# accepted one publishes an index generation
EXAMPLES = {"POST /articles": 250}
EXAMPLES_PER_OPERATION = 400
TOKEN = "fuzz-token"
# not positive_data_acceptance: a schema cannot say which file names an upload may carry
# (.txt, .md, .jsonl), nor that the *last* user message of a chat is the question
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """A real app (fake embedder) over the seed page, articles changeable with TOKEN."""
    root: Path = tmp_path_factory.mktemp("fuzz")
    embedder = FakeEmbedder()
    settings = Settings(
        data_dir=root / "data",
        corpus=[SEED],
        cache_dir=root / "cache",
        min_confidence=FAKE_MIN_CONFIDENCE,
        admin_token=TOKEN,
        reload_seconds=3600.0,
    )
    build_index(load_corpus([SEED]), embedder, settings.data_dir)
    app = create_app(settings, embedder)
    with TestClient(app):  # runs the lifespan: the index is loaded
        yield app


OPERATIONS = [
    ("POST", "/ask"),
    ("POST", "/ask/stream"),
    ("GET", "/articles"),
    ("POST", "/articles"),
    ("GET", "/articles/{doc_id}"),
    ("DELETE", "/articles/{doc_id}"),
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_generated_requests_never_answer_5xx_and_are_answered_as_documented(
    fuzzed_app: FastAPI, method: str, path: str
) -> None:
    operation = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)[path][method]
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(cases)
    @settings(
        max_examples=EXAMPLES.get(f"{method} {path}", EXAMPLES_PER_OPERATION),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def answered_as_documented(case: schemathesis.Case) -> None:
        response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
        case.validate_response(response, checks=CHECKS)

    answered_as_documented()
