"""Hard to knock over (issue 15): bounded work per question, bounded bodies and concurrency."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import service.evidence
import service.followup
import service.own_fact
import service.referents
import service.yes_no
from corpus.text import pos_tags
from service.api import create_app
from service.cli import main
from service.followup import Turn
from service.limits import BodyLimit
from service.qa import MAX_ANSWERED_CHARS, MAX_HISTORY_READ, MAX_TURN_CHARS, QAService
from service.settings import Settings

QUESTION = "武陵区发放了多少笔创业担保贷款?"


@pytest.fixture
def client(seed_settings: Settings, fake_embedder) -> Iterator[TestClient]:
    with TestClient(create_app(seed_settings, fake_embedder)) as c:
        yield c


@pytest.fixture
def tagged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the follow-up resolver and the answer picker ask jieba to tag."""
    seen: list[str] = []

    def spy(text: str) -> tuple[tuple[str, str], ...]:
        seen.append(text)
        return pos_tags(text)

    monkeypatch.setattr(service.followup, "pos_tags", spy)
    monkeypatch.setattr(service.evidence, "pos_tags", spy)
    monkeypatch.setattr(service.own_fact, "pos_tags", spy)
    monkeypatch.setattr(service.referents, "pos_tags", spy)
    monkeypatch.setattr(service.yes_no, "pos_tags", spy)
    return seen


def test_a_long_question_is_answered_from_its_first_characters(
    seed_settings: Settings, fake_embedder, tagged: list[str]
) -> None:
    qa = QAService.load(seed_settings, fake_embedder)
    result = qa.ask(QUESTION + "请详细说明。" * 330)  # about 2,000 characters
    assert len(result.question) <= MAX_ANSWERED_CHARS and result.question.startswith(QUESTION)
    assert "122" in result.answer.text
    assert tagged and max(len(t) for t in tagged) <= 2 * MAX_ANSWERED_CHARS


def test_a_follow_up_reads_only_the_last_turns_each_cut_short(
    seed_settings: Settings, fake_embedder, tagged: list[str]
) -> None:
    qa = QAService.load(seed_settings, fake_embedder)
    filler = "这是很长的一段话。" * 2200  # 20,000 characters a turn
    history = [Turn("user", "今天天气怎么样?" + filler), Turn("assistant", filler)] * 9
    history += [Turn("user", QUESTION + filler), Turn("assistant", "122笔[1]" + filler)]
    result = qa.ask("那创业培训呢?", history)
    assert "创业培训" in result.question
    # the newest user turn is read; the resolved question stays a question's length
    assert "武陵区" in result.question and len(result.question) <= 2 * MAX_ANSWERED_CHARS
    assert max(len(t) for t in tagged) <= 2 * MAX_TURN_CHARS + MAX_ANSWERED_CHARS
    # enough turns for every user turn the resolver reads, with its answer
    assert MAX_HISTORY_READ >= 2 * service.followup.MAX_TURNS


def test_a_body_over_the_limit_answers_413_before_it_is_read(client: TestClient) -> None:
    limit = Settings().max_request_bytes
    response = client.post(
        "/ask", content=b"{" + b" " * limit + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and str(limit) in response.json()["detail"]


def test_a_chunked_body_over_the_limit_answers_413_while_it_is_read(client: TestClient) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(300):
            yield "问".encode() * 1000
        yield b'"}'

    response = client.post("/ask", content=body(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_an_ordinary_body_is_not_limited(client: TestClient) -> None:
    history = [{"role": "user", "content": "你好" * 1000}] * 20  # 80 KB of UTF-8
    response = client.post("/ask", json={"question": QUESTION, "history": history})
    assert response.status_code == 200


def test_past_the_concurrent_questions_a_question_gets_a_fast_503_with_retry_after(
    seed_settings: Settings, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = seed_settings.model_copy(
        update={"max_concurrent_questions": 1, "question_wait_seconds": 0.2}
    )
    entered, release = threading.Event(), threading.Event()
    real_ask = QAService.ask

    def slow_ask(self: QAService, *args, **kwargs):  # type: ignore[no-untyped-def]
        entered.set()
        release.wait(10)
        return real_ask(self, *args, **kwargs)

    with TestClient(create_app(settings, fake_embedder)) as c:
        monkeypatch.setattr(QAService, "ask", slow_ask)
        first: dict[str, int] = {}
        worker = threading.Thread(
            target=lambda: first.update(
                status=c.post("/ask", json={"question": QUESTION}).status_code
            )
        )
        worker.start()
        assert entered.wait(10)
        busy = c.post("/ask", json={"question": QUESTION})
        stream_busy = c.post("/ask/stream", json={"question": QUESTION})
        release.set()
        worker.join(10)
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert stream_busy.status_code == 503
        assert first["status"] == 200
        # the slot is free again once the first answer has been sent
        assert c.post("/ask", json={"question": QUESTION}).status_code == 200
        assert c.get("/healthz").status_code == 200


def test_large_questions_share_fewer_slots_and_leave_room_for_ordinary_ones(
    seed_settings: Settings, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = seed_settings.model_copy(
        update={
            "max_concurrent_questions": 3,
            "max_concurrent_large_questions": 1,
            "large_request_bytes": 1000,
            "question_wait_seconds": 0.2,
        }
    )
    entered, release = threading.Event(), threading.Event()
    real_ask = QAService.ask

    def held_when_long(self: QAService, question: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if len(question) > 500:
            entered.set()
            release.wait(10)
        return real_ask(self, question, *args, **kwargs)

    large = {"question": QUESTION + "请详细说明。" * 100}  # about 1,900 bytes
    with TestClient(create_app(settings, fake_embedder)) as c:
        monkeypatch.setattr(QAService, "ask", held_when_long)
        first: dict[str, int] = {}
        worker = threading.Thread(
            target=lambda: first.update(status=c.post("/ask", json=large).status_code)
        )
        worker.start()
        assert entered.wait(10)
        second_large = c.post("/ask", json=large)
        ordinary = c.post("/ask", json={"question": QUESTION})
        release.set()
        worker.join(10)
        assert second_large.status_code == 503 and second_large.headers["retry-after"] == "1"
        assert ordinary.status_code == 200 and first["status"] == 200


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/ask", b'{"question": "\\ud800"}', "question"),
        ("/ask/stream", b'{"question": "ab\\udfffcd?"}', "question"),
        (
            "/ask",
            b'{"question": "ok?", "history": [{"role": "user", "content": "\\ud800"}]}',
            "history.0.content",
        ),
        ("/ask", b'{"question": "ok?", "filter": {"source": "\\ud800"}}', "filter.source"),
        (
            "/v1/chat/completions",
            b'{"messages": [{"role": "user", "content": "\\ud800"}]}',
            "messages.0.content",
        ),
        (
            "/v1/chat/completions",
            b'{"messages": [{"role": "user", "content": [{"type": "text", "text": "\\ud800"}]}]}',
            "messages.0.content",
        ),
        ("/ask", b'{"question": "\xff\xfe?"}', "body"),
        ("/ask/stream", b'{"question": "\xc3("}', "body"),
        ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": "\xff"}]}', "body"),
    ],
)
def test_invalid_unicode_is_a_422_naming_the_field(
    client: TestClient, path: str, body: bytes, field: str
) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert [d["field"] for d in detail] == [field]
    assert "unicode" in detail[0]["message"].lower() or "UTF-8" in detail[0]["message"]


def test_an_article_id_with_a_slash_can_be_fetched_and_removed(
    seed_settings: Settings, fake_embedder
) -> None:
    settings = seed_settings.model_copy(update={"admin_token": "t0ken", "reload_seconds": 0.2})
    auth = {"Authorization": "Bearer t0ken"}
    article = {"id": "2024/07/port 1", "title": "海川港新航线开通", "text": "海川港航线开通了。"}
    with TestClient(create_app(settings, fake_embedder)) as c:
        assert c.post("/articles", json={"articles": [article]}, headers=auth).status_code == 200
        found = c.get("/articles/2024/07/port%201")
        assert found.status_code == 200 and found.json()["doc_id"] == "2024/07/port 1"
        assert c.get("/articles/2024/07").status_code == 404
        assert c.delete("/articles/2024/07/port 1", headers=auth).json()["removed"] == [
            "2024/07/port 1"
        ]
        assert c.get("/articles/2024/07/port 1").status_code == 404


def test_wenda_ask_with_undecodable_bytes_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # how Python hands over argv bytes that are not UTF-8 (surrogateescape)
    undecodable = b"\xff\xfe?".decode("utf-8", "surrogateescape")
    result = CliRunner().invoke(main, ["ask", undecodable, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "not valid Unicode" in result.output
    assert "Traceback" not in result.output


def test_a_lone_surrogate_in_a_jsonl_corpus_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "a", "title": "t", "text": "好"}\n{"id": "b", "title": "t", "text": "\\ud800"}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["index", "--corpus", str(bad), "--data-dir", str(tmp_path / "d")]
    )
    assert result.exit_code == 2
    assert "bad.jsonl:2" in result.output and "'text'" in result.output
    assert "not valid Unicode" in result.output and result.output.count("\n") == 1


def test_the_openapi_document_describes_the_422_body_that_is_sent(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    ask = doc["paths"]["/ask"]["post"]["responses"]
    ref = ask["422"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    item_ref = schemas[ref]["properties"]["detail"]["items"]["$ref"].rsplit("/", 1)[1]
    described = set(schemas[item_ref]["required"])
    sent = client.post("/ask", json={"question": ""}).json()["detail"]
    assert described == {"field", "message", "type"} == set(sent[0])
    assert schemas["AskRequest"]["properties"]["question"]["minLength"] == 1
    assert {"413", "503"} <= set(ask) and "503" in doc["paths"]["/v1/chat/completions"]["post"][
        "responses"
    ]
    assert "404" in doc["paths"]["/articles/{doc_id}"]["get"]["responses"]


def test_the_openapi_document_gives_every_error_an_example_and_describes_the_streams(
    client: TestClient,
) -> None:
    doc = client.get("/openapi.json").json()
    question = doc["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert (question["minLength"], question["maxLength"]) == (1, 2000) and question["pattern"]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}
            assert "400" in errors, f"{method} {path}"  # WENDA_ALLOWED_HOSTS applies to all
            for status, response in errors.items():
                for media in response["content"].values():
                    assert "example" in media, f"{method} {path} {status}"
    streamed = doc["paths"]["/ask/stream"]["post"]["responses"]["200"]["content"]
    events = streamed["text/event-stream"]["itemSchema"]["oneOf"]
    names = [e["properties"]["event"]["const"] for e in events]
    assert names == ["passages", "delta", "citations", "done", "error"]
    chat = doc["paths"]["/v1/chat/completions"]["post"]["responses"]["200"]["content"]
    assert {"application/json", "text/event-stream"} <= set(chat)
    assert "401" in doc["paths"]["/v1/models"]["get"]["responses"]


def test_with_allowed_hosts_another_host_header_is_refused(
    seed_settings: Settings, fake_embedder
) -> None:
    settings = seed_settings.model_copy(update={"allowed_hosts": ["127.0.0.1", "localhost"]})
    app = create_app(settings, fake_embedder)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/healthz").status_code == 200
        rebound = c.get("/healthz", headers={"host": "attacker.example:8000"})
        assert rebound.status_code == 400
        asked = c.post("/ask", json={"question": QUESTION}, headers={"host": "attacker.example"})
        assert asked.status_code == 400


def run_body_limit(chunks: list[tuple[float, bytes, bool]], then_wait: float = 0.0) -> list[int]:
    """The statuses BodyLimit (body_seconds 0.2) sends for a body arriving as (delay, bytes,
    more) chunks, to an app that reads it, waits then_wait for a disconnect, and answers 200."""
    sent: list[int] = []
    queue = list(chunks)

    async def receive() -> dict[str, Any]:
        if not queue:
            await asyncio.sleep(then_wait)
            return {"type": "http.disconnect"}
        delay, body, more = queue.pop(0)
        await asyncio.sleep(delay)
        return {"type": "http.request", "body": body, "more_body": more}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent.append(message["status"])

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        if then_wait:
            await receive()  # as a streaming response listens for the client leaving
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    limit = BodyLimit(app, limit=1000, upload_limit=1000, body_seconds=0.2)
    scope = {"type": "http", "method": "POST", "path": "/ask", "headers": []}
    # a thread of its own: a browser test's event loop may still run on this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, limit(scope, receive, send)).result()  # type: ignore[arg-type]
    return sent


def test_a_body_trickling_in_past_the_deadline_answers_408() -> None:
    assert run_body_limit([(0.0, b"{", True), (0.5, b"}", False)]) == [408]
    assert run_body_limit([(0.0, b"{", True), (0.05, b"}", False)]) == [200]


def test_the_body_deadline_does_not_cut_a_response_streaming_after_it() -> None:
    assert run_body_limit([(0.0, b"{}", False)], then_wait=0.5) == [200]


def test_a_503_does_not_tell_the_server_path(tmp_path: Path, fake_embedder) -> None:
    settings = Settings(data_dir=tmp_path / "empty-data", cache_dir=tmp_path / "c")
    with TestClient(create_app(settings, fake_embedder)) as c:
        response = c.post("/ask", json={"question": QUESTION})
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert str(tmp_path) not in detail and "wenda index --data-dir <data dir>" in detail
