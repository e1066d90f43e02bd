"""Generated answers: the verifier drops what its citations do not hold; a model that fails or
writes nothing supported leaves the extractive answer."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence

import pytest

from service.generate import GenerationFailed, OpenAICompatibleGenerator, generate_answer
from service.qa import QAService
from service.settings import Settings
from service.verify import Evidence, SentenceReader, verify

EVIDENCE = [
    Evidence(
        1, "d1", "为担道义敢息肩", "d1:0-40", "截至11月底，武陵区城镇新增就业8210人。", 0, 20, 1.0
    ),
    Evidence(2, "d1", "为担道义敢息肩", "d1:40-80", "全区发放创业担保贷款122笔。", 40, 55, 0.5),
]


def problems(draft: str) -> list[str | None]:
    return [c.problem for c in verify(draft, EVIDENCE)]


def test_supported_sentences_pass() -> None:
    assert problems("截至11月底，武陵区城镇新增就业8210人[1]。发放创业担保贷款122笔[2]。") == [
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("draft", "named"),
    [
        pytest.param("武陵区城镇新增就业8120人[1]。", "8120", id="wrong_number"),
        pytest.param(
            "武陵区城镇新增就业122人[1]。", "122", id="number_from_another_evidence_sentence"
        ),
        pytest.param("李明表示，武陵区城镇新增就业8210人[1]。", "李明", id="invented_name"),
        pytest.param(
            "就业形势一片大好，群众非常满意[1]。", "wording", id="mostly_not_in_the_evidence"
        ),
        pytest.param(
            "武陵区城镇新增就业8210人[7]。", "does not exist", id="citing_missing_evidence"
        ),
        pytest.param("截至12月底，武陵区城镇新增就业8210人[1]。", "12", id="wrong_date"),
    ],
)
def test_unsupported_sentence_is_dropped_naming_why(draft: str, named: str) -> None:
    [problem] = problems(draft)
    assert problem is not None and named in problem


def test_uncited_sentence_is_dropped() -> None:
    checked = verify("武陵区城镇新增就业8210人。发放创业担保贷款122笔[2]。", EVIDENCE)
    assert [c.problem for c in checked] == ["cites no evidence", None]


def test_name_from_cited_headline_is_allowed() -> None:
    evidence = [Evidence(1, "d", "武陵区人社局", "c", "全区发放创业担保贷款122笔。", 0, 14, 1.0)]
    [checked] = verify("武陵区人社局发放创业担保贷款122笔[1]。", evidence)
    assert checked.supported


def test_markers_after_the_full_stop_stay_with_their_sentence() -> None:
    reader = SentenceReader()
    out: list[str] = []
    for piece in ["新增就业8210人。", "[1", "][2]", "发放贷款", "122笔。[2]"]:
        out += reader.feed(piece)
    out += reader.flush()
    assert out == ["新增就业8210人。[1][2]", "发放贷款122笔。[2]"]


class ScriptedGenerator:
    """A model that writes a fixed draft in small pieces, or fails."""

    name = "scripted"

    def __init__(self, draft: str = "", fail: bool = False) -> None:
        self.draft, self.fail = draft, fail
        self.prompts: list[Sequence[Mapping[str, str]]] = []

    def stream(self, messages: Sequence[Mapping[str, str]]) -> Iterator[str]:
        self.prompts.append(messages)
        if self.fail:
            raise GenerationFailed("connection refused")
        for i in range(0, len(self.draft), 3):
            yield self.draft[i : i + 3]


QUESTION = "截至11月底,武陵区城镇新增就业多少人?"


@pytest.fixture
def service(seed_settings: Settings, fake_embedder: object) -> QAService:
    return QAService.load(seed_settings, fake_embedder)  # type: ignore[arg-type]


def test_without_a_model_the_extractive_answer_is_given(service: QAService) -> None:
    outcome = generate_answer(service, QUESTION)
    assert outcome.answered_by == "extractive"
    assert outcome.result.answer.text == service.ask(QUESTION).answer.text


def test_verified_draft_becomes_the_answer_with_renumbered_citations(service: QAService) -> None:
    probe = ScriptedGenerator("无法回答。")
    generate_answer(service, QUESTION, generator=probe)
    evidence_text = probe.prompts[0][1]["content"]
    assert "[1]" in evidence_text and "问题：" in evidence_text
    # cite the evidence sentence holding 8210, whatever its number
    number = next(line.split("]")[0][1:] for line in evidence_text.splitlines() if "8210" in line)
    model = ScriptedGenerator(f"武陵区城镇新增就业8210人[{number}]。李明说就业很好[{number}]。")
    outcome = generate_answer(service, QUESTION, generator=model)
    assert outcome.answered_by == "generated"
    assert outcome.result.answer.text == "武陵区城镇新增就业8210人[1]。"
    assert outcome.cut and not outcome.replaced
    [citation] = outcome.result.answer.citations
    assert citation.marker == 1 and "8210" in citation.text
    article = service.index.articles_by_id[citation.doc_id]
    assert article.text[citation.start : citation.end] == citation.text


def test_nothing_supported_gives_the_extractive_answer(service: QAService) -> None:
    outcome = generate_answer(
        service, QUESTION, generator=ScriptedGenerator("王芳说新增就业9999人[1]。")
    )
    assert outcome.answered_by == "extractive" and outcome.replaced
    assert outcome.result.answer.text == service.ask(QUESTION).answer.text


def test_a_down_model_gives_the_extractive_answer(service: QAService) -> None:
    outcome = generate_answer(service, QUESTION, generator=ScriptedGenerator(fail=True))
    assert outcome.answered_by == "extractive"
    assert outcome.fallback is not None and "model failed" in outcome.fallback


def test_an_unreachable_server_raises_generation_failed() -> None:
    from tests.conftest import free_port

    generator = OpenAICompatibleGenerator(f"http://127.0.0.1:{free_port()}/v1", "m", timeout=2)
    with pytest.raises(GenerationFailed):
        list(generator.stream([{"role": "user", "content": "你好"}]))


class SlowModelServer:
    """A real HTTP server on 127.0.0.1 that starts an OpenAI stream and then either goes
    silent or trickles a token every 0.3 s, until the test ends."""

    def __init__(self, behaviour: str) -> None:
        import http.server
        import threading

        self.done = threading.Event()
        done, behaviour_ = self.done, behaviour

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("content-length", 0)))
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                piece = {"choices": [{"delta": {"content": "武陵区"}}]}
                line = f"data: {json.dumps(piece, ensure_ascii=False)}\n\n".encode()
                self.wfile.write(line)
                self.wfile.flush()
                while not done.wait(0.3 if behaviour_ == "trickling" else 60):
                    self.wfile.write(line)
                    self.wfile.flush()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.done.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("behaviour", ["silent", "trickling"])
def test_a_model_slower_than_the_timeout_gives_the_extractive_answer(
    service: QAService, behaviour: str
) -> None:
    slow = SlowModelServer(behaviour)
    try:
        generator = OpenAICompatibleGenerator(slow.url, "slow", timeout=1.5)
        outcome = generate_answer(service, QUESTION, generator=generator)
    finally:
        slow.close()
    assert outcome.answered_by == "extractive" and outcome.failed, outcome.fallback
    assert outcome.first_token_ms is not None  # it did start writing
    assert outcome.result.answer.text == service.ask(QUESTION).answer.text


def test_punctuation_left_after_a_cited_sentence_is_not_a_sentence() -> None:
    checked = verify("截至11月底，武陵区城镇新增就业8210人;[1]。", EVIDENCE)
    assert [c.problem for c in checked] == [None]
