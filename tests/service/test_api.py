import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.settings import Settings


@pytest.fixture
def client(seed_settings: Settings, fake_embedder) -> TestClient:
    with TestClient(create_app(seed_settings, fake_embedder)) as c:
        yield c


def test_ask_returns_a_cited_answer_whose_offsets_point_into_the_article(
    client: TestClient,
) -> None:
    body = client.post("/ask", json={"question": "武陵区发放了多少笔创业担保贷款?"}).json()
    assert not body["abstained"] and "122" in body["answer"]
    assert body["citations"] and "[1]" in body["answer"]
    for c in body["citations"]:
        article = client.get(f"/articles/{c['doc_id']}").json()
        assert article["text"][c["start"] : c["end"]] == c["text"]
        assert c["title"] == article["title"]
    assert 1 <= len(body["passages"]) <= 5
    assert {"doc_id", "chunk_id", "title", "text", "score"} <= set(body["passages"][0])
    assert {"retrieve", "answer", "total"} <= set(body["timings_ms"])


def test_short_answer_is_the_exact_span_of_the_fact_inside_its_citation(
    client: TestClient,
) -> None:
    body = client.post("/ask", json={"question": "武陵区发放了多少笔创业担保贷款?"}).json()
    short = body["short_answer"]
    assert short is not None and "122" in short["text"]
    article = client.get(f"/articles/{short['doc_id']}").json()
    assert article["text"][short["start"] : short["end"]] == short["text"]
    cited = body["citations"][short["marker"] - 1]
    assert cited["doc_id"] == short["doc_id"]
    assert cited["start"] <= short["start"] < short["end"] <= cited["end"]


def test_an_abstention_has_no_short_answer(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "南极洲的企鹅有多少只?"}).json()
    assert body["abstained"] and body["short_answer"] is None and body["citations"] == []


def test_top_k_limits_the_passages(client: TestClient) -> None:
    assert (
        len(
            client.post("/ask", json={"question": "创业培训多少人?", "top_k": 2}).json()["passages"]
        )
        == 2
    )


def test_follow_up_is_answered_with_history(client: TestClient) -> None:
    history = [
        {"role": "user", "content": "武陵区开展职业培训多少人?"},
        {"role": "assistant", "content": "1481人"},
    ]
    body = client.post("/ask", json={"question": "那创业培训呢?", "history": history}).json()
    # the answer itself is checked on the real model (test_e2e); here, what was asked
    assert body["resolved_question"] == "武陵区开展创业培训多少人?"
    assert not body["abstained"] and body["citations"]


def test_a_follow_up_about_a_new_thing_needs_a_sentence_naming_it(
    seed_settings: Settings, fake_embedder
) -> None:
    history = [
        {"role": "user", "content": "武陵区开展职业培训多少人?"},
        {"role": "assistant", "content": "1481人"},
    ]
    lenient = seed_settings.model_copy(update={"min_confidence": 0.0})
    with TestClient(create_app(lenient, fake_embedder)) as c:
        told = c.post("/ask", json={"question": "那创业培训呢?", "history": history}).json()
        untold = c.post("/ask", json={"question": "那电工培训呢?", "history": history}).json()
    assert not told["abstained"] and "创业培训" in told["citations"][0]["text"]
    # no sentence names 电工: the one about 职业培训 must not answer for it
    assert untold["resolved_question"] == "武陵区开展电工培训多少人?"
    assert untold["abstained"] and untold["citations"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "   "}, "question"),
        ({"question": "问" * 2001}, "question"),
        ({"question": 42}, "question"),
        ({}, "question"),
        ({"question": "好", "top_k": 0}, "top_k"),
        ({"question": "好", "top_k": 21}, "top_k"),
        ({"question": "好", "top_k": "5"}, "top_k"),
        ({"question": "好", "history": [{"role": "system", "content": "x"}]}, "history"),
        ({"question": "好", "history": [{"role": "user", "content": "x"}] * 21}, "history"),
        ({"question": "好", "history": "not a list"}, "history"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client: TestClient, payload: dict, field: str) -> None:
    resp = client.post("/ask", json=payload)
    assert resp.status_code == 422
    assert any(e["field"].startswith(field) for e in resp.json()["detail"])


def test_malformed_json_is_a_422(client: TestClient) -> None:
    resp = client.post("/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert resp.status_code == 422


def test_stream_sends_passages_deltas_citations_then_done(client: TestClient) -> None:
    with client.stream(
        "POST", "/ask/stream", json={"question": "武陵区创业孵化园累计孵化了多少家企业?"}
    ) as resp:
        assert resp.status_code == 200 and resp.headers["content-type"].startswith(
            "text/event-stream"
        )
        raw = "".join(resp.iter_text())
    events = [
        (
            block.split("\n")[0].removeprefix("event: "),
            json.loads(block.split("\n")[1].removeprefix("data: ")),
        )
        for block in raw.strip().split("\n\n")
    ]
    names = [e for e, _ in events]
    assert names[0] == "passages" and names[-2:] == ["citations", "done"]
    assert set(names[1:-2]) == {"delta"}
    done = events[-1][1]
    assert "".join(d["text"] for e, d in events if e == "delta") == done["answer"]
    assert "113" in done["answer"]


def test_health_articles_and_article_routes(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert (
        health["status"] == "ok"
        and health["index"]["articles"] == 4
        and health["index"]["chunks"] > 4
    )
    listing = client.get("/articles").json()
    assert [a["doc_id"] for a in listing] == [f"000_2992734d60049928-{i}" for i in range(1, 5)]
    assert client.get("/articles/nope").status_code == 404


def test_chat_page_and_docs_are_served_with_csp(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    # the API docs load Swagger UI from this server, so they work offline
    assert "cdn" not in docs.text
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        assert asset in docs.text
        assert client.get(asset).status_code == 200


def test_without_an_index_every_route_answers_503_saying_what_to_run(
    tmp_path: Path, fake_embedder
) -> None:
    settings = Settings(data_dir=tmp_path / "empty", cache_dir=tmp_path / "cache")
    with TestClient(create_app(settings, fake_embedder)) as c:
        for resp in (
            c.post("/ask", json={"question": "有吗?"}),
            c.get("/healthz"),
            c.get("/articles"),
        ):
            assert resp.status_code == 503
            assert "wenda index" in resp.json()["detail"]


def test_stream_sends_a_models_verified_sentences_as_it_writes_them(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    from collections.abc import Iterator, Mapping, Sequence

    from service.generate import GenerationFailed
    from tests.service.test_generate import QUESTION, ScriptedGenerator

    probe = ScriptedGenerator("无法回答。")
    monkeypatch.setattr("service.routes.ask.generator_for", lambda settings: probe)
    client.post("/ask", json={"question": QUESTION})
    evidence = probe.prompts[0][1]["content"].splitlines()
    n = next(line.split("]")[0][1:] for line in evidence if "8210" in line)

    class GatedModel:
        """Writes its first sentence, then waits until the client has received it."""

        name = "gated"
        seen = threading.Event()

        def stream(self, messages: Sequence[Mapping[str, str]]) -> Iterator[str]:
            yield f"武陵区城镇新增就业8210人[{n}]。王"
            if not self.seen.wait(20):
                raise GenerationFailed("the first sentence never reached the client")
            yield f"芳说新增就业9999人[{n}]。"

    model = GatedModel()
    monkeypatch.setattr("service.routes.ask.generator_for", lambda settings: model)
    events: list[tuple[str, dict]] = []
    with client.stream("POST", "/ask/stream", json={"question": QUESTION}) as resp:
        name = ""
        for line in resp.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
                if name == "delta":
                    model.seen.set()  # the model finishes only after this arrived
    names = [e for e, _ in events]
    assert names == ["passages", "delta", "citations", "done"], names
    done = events[-1][1]
    assert events[1][1]["text"] == done["answer"] == "武陵区城镇新增就业8210人[1]。"
    assert done["answered_by"] == "generated" and len(done["citations"]) == 1


def test_config_serves_the_limits_the_request_schema_enforces(client: TestClient) -> None:
    config = client.get("/config").json()
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AskRequest"]
    props = schema["properties"]
    assert config["max_question_chars"] == props["question"]["maxLength"] == 2000
    assert config["max_history_turns"] == props["history"]["maxItems"] == 20
    low, high = config["top_k"]["min"], config["top_k"]["max"]
    for top_k, status in ((low - 1, 422), (low, 200), (high, 200), (high + 1, 422)):
        asked = client.post("/ask", json={"question": "武陵区贷款多少笔?", "top_k": top_k})
        assert asked.status_code == status, top_k
    assert config["modes"] == ["hybrid", "bm25", "dense"]
    too_long = client.post("/ask", json={"question": "问" * (config["max_question_chars"] + 1)})
    assert too_long.status_code == 422
    abstained = client.post("/ask", json={"question": "安化县的县长是谁?"}).json()
    assert abstained["abstained"] and abstained["answer"].startswith(config["abstain_message"])
