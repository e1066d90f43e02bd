"""The OpenAI-compatible edge: the official `openai` client against the app in-process and
against a real `wenda serve`, with and without a local model writing the answers."""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openai import AuthenticationError, OpenAI

from bench.perf.process import free_port, running
from service.api import create_app
from service.settings import PROJECT_ROOT, Settings
from service.verify import Evidence, verify

QUESTION = "截至11月底,武陵区城镇新增就业多少人?"
UNANSWERABLE = "安化县的县长是谁?"
FIRST = "武陵区开展职业培训多少人?"


@pytest.fixture
def client(seed_settings: Settings, fake_embedder: object) -> Iterator[TestClient]:
    with TestClient(create_app(seed_settings, fake_embedder)) as c:  # type: ignore[arg-type]
        yield c


def openai_over(client: TestClient, key: str = "unused") -> OpenAI:
    """The official client, speaking to the in-process app through the test client."""
    return OpenAI(base_url="http://testserver/v1", api_key=key, http_client=client)


def test_models_lists_the_service(client: TestClient) -> None:
    assert [m.id for m in openai_over(client).models.list()] == ["wenda"]


def test_chat_answer_carries_markers_sources_and_the_wenda_object(client: TestClient) -> None:
    reply = openai_over(client).chat.completions.create(
        model="wenda", messages=[{"role": "user", "content": QUESTION}]
    )
    content = reply.choices[0].message.content or ""
    extra = reply.model_extra["wenda"]  # type: ignore[index]
    ask = client.post("/ask", json={"question": QUESTION}).json()
    assert content.startswith(ask["answer"])
    assert "\n\n来源：\n[1] 《" in content and "8210" in content
    assert extra["citations"] == ask["citations"] and extra["abstained"] is False
    assert extra["answered_by"] == "extractive" and extra["passages"]
    assert reply.choices[0].finish_reason == "stop"


def test_streamed_chunks_add_up_to_the_whole_answer(client: TestClient) -> None:
    api = openai_over(client)
    messages = [{"role": "user", "content": QUESTION}]
    whole = api.chat.completions.create(model="wenda", messages=messages)  # type: ignore[arg-type]
    chunks = list(api.chat.completions.create(model="wenda", messages=messages, stream=True))  # type: ignore[arg-type]
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["wenda"]["citations"] == whole.model_extra["wenda"]["citations"]  # type: ignore[index]


def test_stream_ends_with_done(client: TestClient) -> None:
    body = {"model": "wenda", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as resp:
        lines = [line for line in resp.iter_lines() if line]
    assert resp.headers["content-type"].startswith("text/event-stream")
    assert lines[-1] == "data: [DONE]"
    first = json.loads(lines[0][len("data: ") :])
    assert first["choices"][0]["delta"]["role"] == "assistant"


def test_earlier_messages_are_the_history(client: TestClient) -> None:
    first = openai_over(client).chat.completions.create(
        model="wenda", messages=[{"role": "user", "content": FIRST}]
    )
    reply = openai_over(client).chat.completions.create(
        model="wenda",
        messages=[
            {"role": "system", "content": "你是助手"},
            {"role": "user", "content": FIRST},
            {"role": "assistant", "content": first.choices[0].message.content or ""},
            {"role": "user", "content": [{"type": "text", "text": "那创业培训呢?"}]},  # type: ignore[list-item]
        ],
    )
    extra = reply.model_extra["wenda"]  # type: ignore[index]
    assert (
        "创业培训" in extra["resolved_question"] and extra["resolved_question"] != "那创业培训呢?"
    )


def test_unanswerable_question_abstains_without_sources(client: TestClient) -> None:
    reply = openai_over(client).chat.completions.create(
        model="wenda", messages=[{"role": "user", "content": UNANSWERABLE}]
    )
    extra = reply.model_extra["wenda"]  # type: ignore[index]
    assert extra["abstained"] is True and extra["citations"] == []
    assert "来源" not in (reply.choices[0].message.content or "")


def test_no_user_message_is_422_naming_the_field(client: TestClient) -> None:
    resp = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "system", "content": "x"}]}
    )
    assert resp.status_code == 422
    assert resp.json()["detail"][0]["field"] == "messages"


def test_api_key_is_required_when_set(seed_settings: Settings, fake_embedder: object) -> None:
    settings = seed_settings.model_copy(update={"api_key": "sekrit"})
    with TestClient(create_app(settings, fake_embedder)) as c:  # type: ignore[arg-type]
        with pytest.raises(AuthenticationError):
            openai_over(c, "wrong").models.list()
        assert c.get("/v1/models").status_code == 401
        assert [m.id for m in openai_over(c, "sekrit").models.list()] == ["wenda"]
        assert c.post("/ask", json={"question": QUESTION}).status_code == 200  # /ask stays open


def test_chat_streams_verified_sentences_of_a_model(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.service.test_generate import ScriptedGenerator

    probe = ScriptedGenerator("无法回答。")
    monkeypatch.setattr("service.openai_api.generator_for", lambda settings: probe)
    openai_over(client).chat.completions.create(
        model="wenda", messages=[{"role": "user", "content": QUESTION}]
    )
    evidence = probe.prompts[0][1]["content"].splitlines()
    n = next(line.split("]")[0][1:] for line in evidence if "8210" in line)
    model = ScriptedGenerator(f"王芳说新增就业9999人[{n}]。武陵区城镇新增就业8210人[{n}]。")
    monkeypatch.setattr("service.openai_api.generator_for", lambda settings: model)
    chunks = list(
        openai_over(client).chat.completions.create(
            model="wenda", messages=[{"role": "user", "content": QUESTION}], stream=True
        )
    )
    contents = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert contents[0] == "武陵区城镇新增就业8210人[1]。"  # the unsupported sentence never shows
    assert "9999" not in "".join(contents) and contents[1].startswith("\n\n来源：\n[1]")
    extra = chunks[-1].model_extra["wenda"]  # type: ignore[index]
    assert extra["answered_by"] == "generated" and len(extra["citations"]) == 1


# -- a real `wenda serve`, with the real model, as a user's chat client meets it ----------------


@contextmanager
def wenda_serve(settings: Settings, **env: str) -> Iterator[str]:
    """`wenda serve` on 127.0.0.1 over settings' index with extra WENDA_* env; yields its URL."""
    port = free_port()
    log = settings.data_dir.parent / f"serve-{port}.log"
    wenda = Path(sys.executable).with_name("wenda")
    url = f"http://127.0.0.1:{port}"
    with running(
        [str(wenda), "serve", "--host", "127.0.0.1", "--port", str(port)],
        log,
        f"{url}/healthz",
        {**os.environ, "WENDA_DATA_DIR": str(settings.data_dir), **env},
    ):
        yield url


@pytest.mark.slow
def test_openai_client_against_wenda_serve(real_settings: Settings) -> None:
    with wenda_serve(real_settings, WENDA_API_KEY="k-123") as url:
        api = OpenAI(base_url=f"{url}/v1", api_key="k-123")
        assert [m.id for m in api.models.list()] == ["wenda"]
        with pytest.raises(AuthenticationError):
            OpenAI(base_url=f"{url}/v1", api_key="wrong").models.list()

        whole = api.chat.completions.create(
            model="wenda", messages=[{"role": "user", "content": QUESTION}]
        )
        content = whole.choices[0].message.content or ""
        assert "8210" in content and "[1]" in content and "来源：" in content
        assert whole.model_extra["wenda"]["citations"][0]["text"] in content  # type: ignore[index]

        stream = api.chat.completions.create(
            model="wenda", messages=[{"role": "user", "content": QUESTION}], stream=True
        )
        chunks = list(stream)
        assert len(chunks) > 3
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == content

        follow = api.chat.completions.create(
            model="wenda",
            messages=[
                {"role": "user", "content": "截至11月底,武陵区城镇新增就业多少人?"},
                {"role": "assistant", "content": "武陵区城镇新增就业8210人。[1]"},
                {"role": "user", "content": "那农村劳动力转移就业呢?"},
            ],
        )
        assert "574" in (follow.choices[0].message.content or "")

        none = api.chat.completions.create(
            model="wenda", messages=[{"role": "user", "content": UNANSWERABLE}], stream=True
        )
        last = list(none)[-1]
        assert last.model_extra["wenda"]["abstained"] is True  # type: ignore[index]


# -- generated answers from a real local model (llama-cpp-python's server; `make llm`) ----------

LLM_DIR = PROJECT_ROOT / "data" / "llm"
LLM_PYTHON = LLM_DIR / "venv" / "bin" / "python"
LLM_MODEL = LLM_DIR / "qwen2.5-coder-0.5b-instruct-q4.gguf"


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on 127.0.0.1 with the small local model."""
    if not (LLM_PYTHON.exists() and LLM_MODEL.exists()):
        message = f"no local model server: run `make llm` ({LLM_PYTHON}, {LLM_MODEL})"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI sets it up (`make test` depends on `make llm`): required
        pytest.skip(message)
    port = free_port()
    cmd = [str(LLM_PYTHON), "-m", "bench.local_llm", "serve", "--port", str(port)]
    log = tmp_path_factory.mktemp("llm") / "llm.log"
    with running(cmd, log, f"http://127.0.0.1:{port}/v1/models", cwd=PROJECT_ROOT):
        yield f"http://127.0.0.1:{port}/v1"


@pytest.mark.slow
def test_generated_answers_from_a_local_model(real_settings: Settings, llm_server: str) -> None:
    """The plumbing with a real model: it writes (temperature 0, fixed seed), wenda asks it, and
    whatever path answers, every sentence of a generated answer is verified against its
    citations; the small model's wording itself is not judged here (see README's figures)."""
    model = OpenAI(base_url=llm_server, api_key="unused").chat.completions.create(
        model="local", messages=[{"role": "user", "content": "用一句话回答：1加1等于几？"}]
    )
    assert (model.choices[0].message.content or "").strip()

    env = {"WENDA_LLM_BASE_URL": llm_server, "WENDA_LLM_MODEL": "local", "WENDA_LLM_TIMEOUT": "300"}
    with wenda_serve(real_settings, **env) as url:
        api = OpenAI(base_url=f"{url}/v1", api_key="unused", timeout=600)
        for question, stream in ((QUESTION, False), ("武陵区发放了多少笔创业担保贷款?", True)):
            assert_verified(*chat(api, question, stream))
        body = json.loads(
            urllib.request.urlopen(
                urllib.request.Request(
                    f"{url}/ask",
                    data=json.dumps({"question": UNANSWERABLE}).encode(),
                    headers={"content-type": "application/json"},
                ),
                timeout=600,
            ).read()
        )
        assert body["abstained"] is True and body["answered_by"] == "extractive"

    # a model that is down: the extractive answer, not an error
    down = f"http://127.0.0.1:{free_port()}/v1"
    with wenda_serve(real_settings, WENDA_LLM_BASE_URL=down, WENDA_LLM_TIMEOUT="5") as url:
        reply = OpenAI(base_url=f"{url}/v1", api_key="unused").chat.completions.create(
            model="wenda", messages=[{"role": "user", "content": QUESTION}]
        )
        assert reply.model_extra["wenda"]["answered_by"] == "extractive"  # type: ignore[index]
        assert "8210" in (reply.choices[0].message.content or "")


def chat(api: OpenAI, question: str, stream: bool) -> tuple[str, dict[str, Any]]:
    """The reply's text and its `wenda` object, streamed or whole."""
    messages = [{"role": "user", "content": question}]
    if stream:
        chunks = list(api.chat.completions.create(model="wenda", messages=messages, stream=True))  # type: ignore[arg-type]
        content = "".join(c.choices[0].delta.content or "" for c in chunks)
        return content, chunks[-1].model_extra["wenda"]  # type: ignore[index]
    reply = api.chat.completions.create(model="wenda", messages=messages)  # type: ignore[arg-type]
    return reply.choices[0].message.content or "", reply.model_extra["wenda"]  # type: ignore[index]


def assert_verified(content: str, extra: dict[str, Any]) -> None:
    """The model was asked, the answer cites, and a generated answer's every sentence holds."""
    assert "generate" in extra["timings_ms"]  # the model was asked
    assert extra["abstained"] is False and extra["citations"]
    answer = content.split("\n\n来源")[0]
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer)}
    assert markers == {c["marker"] for c in extra["citations"]}
    if extra["answered_by"] == "generated":
        evidence = [
            Evidence(
                c["marker"],
                c["doc_id"],
                c["title"],
                c["chunk_id"],
                c["text"],
                c["start"],
                c["end"],
                c["score"],
            )
            for c in extra["citations"]
        ]
        assert all(c.supported for c in verify(answer, evidence)), answer
