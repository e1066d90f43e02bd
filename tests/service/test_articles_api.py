"""POST/DELETE /articles, article metadata, the ask filter, and a service that follows new
index generations without a restart."""

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corpus.model import Article
from index.store import build_index, update_index
from service.api import create_app
from service.settings import Settings

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PORT = {
    "id": "port-1",
    "title": "海川港新航线开通",
    "text": "7月6日,海川港至新加坡的集装箱航线正式开通,首航船舶载货1200标准箱。",
    "date": "2024-07-08",
    "source": "海川日报",
    "url": "https://example.org/port",
}
RICE_MD = """# 青禾镇举办第三届稻香节

记者 赵丽
2024年9月16日 来源：青禾晚报

青禾镇第三届稻香节在万亩稻田开幕，吸引游客两万三千余人。
"""


@pytest.fixture
def admin_client(seed_settings: Settings, fake_embedder) -> TestClient:
    settings = seed_settings.model_copy(update={"admin_token": TOKEN, "reload_seconds": 0.2})
    with TestClient(create_app(settings, fake_embedder)) as c:
        yield c


def test_changing_articles_is_refused_without_a_configured_token(
    seed_settings: Settings, fake_embedder
) -> None:
    with TestClient(create_app(seed_settings, fake_embedder)) as c:
        refused = c.post("/articles", json={"articles": [PORT]}, headers=AUTH)
        assert refused.status_code == 403 and "WENDA_ADMIN_TOKEN" in refused.json()["detail"]
        assert c.delete("/articles/x", headers=AUTH).status_code == 403


def test_a_wrong_or_missing_token_is_401(admin_client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": TOKEN}):
        r = admin_client.post("/articles", json={"articles": [PORT]}, headers=headers)
        assert r.status_code == 401, headers
    assert admin_client.get("/articles/port-1").status_code == 404


def test_posted_json_article_is_listed_answered_and_cited_with_its_metadata(
    admin_client: TestClient,
) -> None:
    before = admin_client.get("/healthz").json()["index"]
    r = admin_client.post("/articles", json={"articles": [PORT]}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["added"] == ["port-1"] and r.json()["articles"] == 5
    after = admin_client.get("/healthz").json()["index"]
    assert after["articles"] == 5 and after["generation"] != before["generation"]
    listed = {a["doc_id"]: a for a in admin_client.get("/articles").json()}
    assert listed["port-1"] == {
        "doc_id": "port-1",
        "title": "海川港新航线开通",
        "byline": "",
        "date": "2024-07-08",
        "source": "海川日报",
        "url": "https://example.org/port",
    }
    # metadata fields appear only when known
    assert "date" not in listed["000_2992734d60049928-1"]
    body = admin_client.post("/ask", json={"question": "海川港首航船舶载货多少标准箱?"}).json()
    assert not body["abstained"] and "1200" in body["answer"]
    cited = body["citations"][0]
    assert cited["doc_id"] == "port-1"
    assert (cited["date"], cited["source"]) == ("2024-07-08", "海川日报")


def test_uploaded_markdown_becomes_one_article_with_credits_as_metadata(
    admin_client: TestClient,
) -> None:
    r = admin_client.post(
        "/articles", files={"file": ("rice.md", RICE_MD.encode(), "text/markdown")}, headers=AUTH
    )
    assert r.status_code == 200, r.text
    assert r.json()["added"] == ["rice"]
    article = admin_client.get("/articles/rice").json()
    assert article["title"] == "青禾镇举办第三届稻香节" and article["byline"] == "赵丽"
    assert (article["date"], article["source"]) == ("2024-09-16", "青禾晚报")
    assert article["text"].startswith("青禾镇第三届稻香节") and "#" not in article["text"]


def test_bad_uploads_say_what_is_wrong(admin_client: TestClient) -> None:
    bad_type = admin_client.post(
        "/articles", files={"file": ("a.pdf", b"%PDF", "application/pdf")}, headers=AUTH
    )
    assert bad_type.status_code == 422 and ".pdf" in json.dumps(bad_type.json())
    no_text = admin_client.post("/articles", json={"articles": [{"title": "t"}]}, headers=AUTH)
    assert no_text.status_code == 422 and "text" in json.dumps(no_text.json())
    assert admin_client.post("/articles", content=b"x", headers=AUTH).status_code == 415


def test_deleted_article_is_gone_from_listing_and_answers(admin_client: TestClient) -> None:
    admin_client.post("/articles", json={"articles": [PORT]}, headers=AUTH)
    r = admin_client.delete("/articles/port-1", headers=AUTH)
    assert r.status_code == 200 and r.json()["removed"] == ["port-1"]
    assert admin_client.get("/articles/port-1").status_code == 404
    body = admin_client.post("/ask", json={"question": "海川港首航船舶载货多少标准箱?"}).json()
    assert all(p["doc_id"] != "port-1" for p in body["passages"])
    assert admin_client.delete("/articles/port-1", headers=AUTH).status_code == 404


def test_filter_limits_answers_to_the_articles_it_admits(admin_client: TestClient) -> None:
    other = {**PORT, "id": "port-2", "date": "2023-01-02", "source": "别的报"}
    admin_client.post("/articles", json={"articles": [PORT, other]}, headers=AUTH)
    question = "海川港首航船舶载货多少标准箱?"

    def docs(flt: dict) -> set[str]:
        r = admin_client.post("/ask", json={"question": question, "filter": flt})
        assert r.status_code == 200, r.text
        return {p["doc_id"] for p in r.json()["passages"]}

    assert docs({"source": "海川日报"}) == {"port-1"}
    assert docs({"date_from": "2024-01-01"}) == {"port-1"}
    assert docs({"date_to": "2023-12-31"}) == {"port-2"}
    assert docs({"doc_ids": ["000_2992734d60049928-3"]}) == {"000_2992734d60049928-3"}
    bad = admin_client.post("/ask", json={"question": question, "filter": {"date_from": "昨天"}})
    assert bad.status_code == 422 and "filter.date_from" in json.dumps(bad.json())


def test_service_picks_up_a_generation_published_by_another_process(
    admin_client: TestClient, seed_settings: Settings, fake_embedder
) -> None:
    article = Article(doc_id="cli-1", title="石岭大桥通车", text="石岭县跨江大桥全长1.6公里。")
    update_index(seed_settings.data_dir, fake_embedder, upsert=[article])
    deadline = time.monotonic() + 5
    while admin_client.get("/articles/cli-1").status_code != 200:
        assert time.monotonic() < deadline, "new generation not served within 5 s"
        time.sleep(0.1)
    assert admin_client.get("/healthz").json()["index"]["articles"] == 5


def test_service_started_without_an_index_answers_once_one_exists(
    tmp_path: Path, seed_articles, fake_embedder
) -> None:
    settings = Settings(data_dir=tmp_path / "d", reload_seconds=0.2)
    with TestClient(create_app(settings, fake_embedder)) as c:
        assert c.get("/healthz").status_code == 503
        build_index(seed_articles, fake_embedder, settings.data_dir)
        deadline = time.monotonic() + 5
        while c.get("/healthz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert (
            c.post("/ask", json={"question": "武陵区发放了多少笔创业担保贷款?"}).status_code == 200
        )
