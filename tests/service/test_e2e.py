"""End to end on the real model: a real index of the bundled seed page, real answers and citations."""

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.evaluate import evaluate
from service.qa import QAService, make_embedder
from service.settings import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(real_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(real_settings, make_embedder(real_settings))) as c:
        yield c


@pytest.mark.parametrize(
    ("question", "expected", "title_part"),
    [
        ("截至11月底,武陵区城镇新增就业多少人?", "8210", "为担道义敢息肩"),
        ("永兴县园区现有规工企业多少家?", "99", "永兴"),
        ("安化县方圆天下房地产公司的负责人叫什么名字?", "李凌寒", "安化县水利局"),
        ("铨山镇大冲村红橘基地有多少亩红橘?", "1800", "村美民富产业兴"),
    ],
)
def test_real_answers_cite_the_right_article_exactly(
    client: TestClient, question, expected, title_part
) -> None:
    body = client.post("/ask", json={"question": question}).json()
    assert not body["abstained"] and expected in body["answer"]
    cited = [c for c in body["citations"] if expected in c["text"]]
    assert cited, body["citations"]
    article = client.get(f"/articles/{cited[0]['doc_id']}").json()
    assert title_part in article["title"]
    assert article["text"][cited[0]["start"] : cited[0]["end"]] == cited[0]["text"]


@pytest.mark.parametrize(
    ("question", "both_sides"),
    [
        ("永兴县推动哪些企业与高校合作共建?", ("深入推动雄", "风、腾驰")),
        ("业主蒋成志通过微信平台怎样完成了供水转户?", ("足不出户,即", "完成了供水转户程序")),
    ],
)
def test_answers_cite_sentences_rejoined_across_a_repaired_cut(
    client: TestClient, question, both_sides
) -> None:
    body = client.post("/ask", json={"question": question}).json()
    cited = [
        c for c in body["citations"] if both_sides[0] in c["text"] and both_sides[1] in c["text"]
    ]
    assert cited, body["citations"]
    article = client.get(f"/articles/{cited[0]['doc_id']}").json()
    assert article["text"][cited[0]["start"] : cited[0]["end"]] == cited[0]["text"]


def test_follow_up_with_history_is_answered(client: TestClient) -> None:
    history = [
        {"role": "user", "content": "截至11月底,武陵区城镇新增就业多少人?"},
        {"role": "assistant", "content": "武陵区城镇新增就业8210人。[1]"},
    ]
    body = client.post(
        "/ask", json={"question": "那农村劳动力转移就业呢?", "history": history}
    ).json()
    assert "农村劳动力转移就业" in body["resolved_question"]
    assert "武陵区" in body["resolved_question"]
    assert not body["abstained"] and body["short_answer"]["text"] == "574人"


@pytest.mark.parametrize(
    "question", ["2022年世界杯冠军是哪个国家?", "武陵区人社局今年的财政预算是多少?"]
)
def test_questions_the_articles_do_not_answer_abstain(client: TestClient, question: str) -> None:
    body = client.post("/ask", json={"question": question}).json()
    assert body["abstained"] and body["citations"] == [] and body["passages"]


def test_seed_dev_set_meets_the_bar(real_settings: Settings) -> None:
    report = evaluate(QAService.load(real_settings), SHARED / "eval" / "seed_dev.jsonl", "hybrid")
    figures = report.figures()
    # 16 of the 18 answerable since the trained answer model (was 18): 冷水江市被称为湖南的什么 picks
    # another sentence and 创业培训呢 is abstained on (closing note of issue 10)
    assert figures["answer_hit"] >= 0.88 and figures["citation_support"] >= 0.88
    assert figures["abstention_unanswerable"] == 1.0
    # of its follow-ups, "创业培训呢?" is read right (武陵区开展创业培训多少人?) but abstained on
    # by the answer model since it was trained (the closing note of issue 10 says why)


def test_live_server_answers_over_http(live_server: str) -> None:
    import urllib.request

    req = urllib.request.Request(
        f"{live_server}/ask",
        data=json.dumps({"question": "武陵区创业孵化园累计孵化了多少家企业?"}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = json.load(resp)
    assert "113" in body["answer"] and body["citations"][0]["doc_id"].endswith("-1")


def test_the_reader_marks_a_fact_no_typed_rule_names(real_settings: Settings) -> None:
    service = QAService.load(real_settings)
    short = service.ask("永兴县把哪个园区定为一号项目?").answer.short
    assert short is not None and "海利化工园" in short.text and len(short.text) <= 20
    rules_only = QAService.load(
        real_settings.model_copy(update={"reader": False}), service.embedder
    )
    assert service.read() is not None and rules_only.read() is None
