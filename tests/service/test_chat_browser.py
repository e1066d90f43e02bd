"""The web chat in a real Chromium against a real `wenda serve` (the `live_server` fixture):
loading, answers with their markers and highlights, follow-ups (test_chat_browser_states.py:
abstention, input, storage, failures and layouts)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, expect

from tests.service.chat_page import (
    DESKTOP,
    PARAPHRASED_QUESTION,
    SEED_NUMBER,
    SEED_QUESTION,
    ChatPage,
    ask_api,
    new_chat_page,
    sse,
    text_before,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_page_loads_under_a_strict_csp_without_errors(browser: Browser, live_server: str) -> None:
    context, chat_page = new_chat_page(browser, live_server, DESKTOP)
    response = chat_page.open()
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    expect(chat_page.page.get_by_test_id("health")).to_have_attribute("data-state", "ok")
    expect(chat_page.page.get_by_test_id("empty-state")).to_be_visible()
    expect(chat_page.page.get_by_test_id("question-input")).to_be_focused()
    assert chat_page.console_errors == []
    context.close()


def test_api_docs_render_offline_from_the_server_itself(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server) else outside.append(request.url)
        ),
    )
    page.goto(live_server + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("wenda")
    expect(page.locator(".opblock-summary-path", has_text="/ask").first).to_be_visible()
    assert outside == []
    context.close()


def test_seed_question_is_answered_with_a_marker_that_highlights_the_cited_sentence(
    chat: ChatPage,
) -> None:
    page = chat.page
    answer = chat.ask(SEED_QUESTION)

    expect(page.get_by_test_id("msg-user").first).to_have_text(SEED_QUESTION)
    expect(answer.get_by_test_id("answer-text")).to_contain_text(SEED_NUMBER)
    marker = answer.get_by_test_id("citation-marker").first
    expect(marker).to_be_visible()

    marker.click()
    panel = page.get_by_test_id("article-panel")
    expect(panel).to_be_visible()
    mark = panel.get_by_test_id("article-mark")
    expect(mark).to_have_count(1)
    expect(mark).to_contain_text(SEED_NUMBER)
    expect(mark).to_be_in_viewport()

    # The highlight is exactly text[start:end] of the citation, in the article the service serves.
    turn = chat.stored()["turns"][-1]
    citation = next(c for c in turn["citations"] if c["marker"] == int(marker.inner_text()))
    response = page.request.get(f"{chat.base_url}/articles/{quote(citation['doc_id'], safe='')}")
    assert response.ok
    article = response.json()
    assert article["text"][citation["start"] : citation["end"]] == citation["text"]
    assert mark.inner_text() == citation["text"]
    expect(panel.get_by_test_id("article-title")).to_have_text(article["title"])

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(marker).to_be_focused()

    chip = answer.get_by_test_id("source-chip").first
    expect(chip).to_contain_text(citation["title"])
    chip.click()
    expect(panel.get_by_test_id("article-mark")).to_contain_text(citation["text"])
    page.get_by_test_id("article-close").click()
    expect(panel).to_be_hidden()

    answer.get_by_test_id("copy-answer").click()
    expect(answer.get_by_test_id("copy-answer")).to_have_text("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert SEED_NUMBER in copied
    assert citation["title"] in copied
    assert citation["text"] in copied


def test_busy_state_shows_while_the_answer_is_on_its_way(chat: ChatPage) -> None:
    page = chat.page
    page.evaluate(
        """() => {
          window.__busySeen = {typing: false, sendDisabled: false};
          new MutationObserver(() => {
            if (document.querySelector('[data-testid=typing]')) window.__busySeen.typing = true;
            if (document.querySelector('[data-testid=send]').disabled) window.__busySeen.sendDisabled = true;
          }).observe(document.body, {subtree: true, childList: true, attributes: true});
        }"""
    )
    chat.ask(SEED_QUESTION)
    assert page.evaluate("window.__busySeen") == {"typing": True, "sendDisabled": True}
    expect(page.get_by_test_id("send")).to_be_enabled()
    expect(page.get_by_test_id("typing")).to_have_count(0)


def test_follow_up_is_answered_in_the_context_of_the_earlier_turn(chat: ChatPage) -> None:
    first = chat.ask(SEED_QUESTION)
    expect(first.get_by_test_id("answer-text")).to_contain_text("8210")
    follow_up = chat.ask("那农村劳动力转移就业呢?")

    expect(follow_up.get_by_test_id("answer-text")).to_contain_text("574")
    expect(follow_up.get_by_test_id("citation-marker").first).to_be_visible()
    assert chat.stream_requests[0]["history"] == []
    history = chat.stream_requests[1]["history"]
    assert [turn["role"] for turn in history] == ["user", "assistant"]
    assert history[0]["content"] == SEED_QUESTION


def test_short_answer_is_shown_in_bold_and_highlighted_inside_the_cited_sentence(
    chat: ChatPage,
) -> None:
    page = chat.page
    short, citation, article = short_answer_of_paraphrase(chat)
    answer = chat.ask(PARAPHRASED_QUESTION)
    # /ask/stream's `done` carries the same short answer as /ask.
    turn = chat.stored()["turns"][-1]
    assert turn["shortAnswer"] == short
    assert turn["resolvedQuestion"] == ""
    expect(answer.get_by_test_id("resolved-question")).to_have_count(0)

    bold = answer.get_by_test_id("short-answer")
    expect(bold).to_have_count(1)
    assert bold.evaluate("n => n.tagName") == "STRONG"
    assert bold.text_content() == short["text"]
    assert bold.evaluate("n => getComputedStyle(n).fontWeight") == "700"
    # The fact comes first, then the answer text as before.
    line = answer.get_by_test_id("short-answer-line")
    assert line.evaluate(
        "(n, a) => !!(n.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING)",
        answer.get_by_test_id("answer-text").element_handle(),
    )
    expect(answer.get_by_test_id("answer-text")).to_contain_text(short["text"])

    marker = line.get_by_test_id("short-answer-marker")
    assert_fact_highlighted_in_the_article(page, marker, short, citation, article)

    # The answer's own marker for that citation opens the same highlight.
    answer.locator(f"[data-testid=citation-marker][data-marker='{short['marker']}']").first.click()
    expect(page.get_by_test_id("article-panel").locator("mark.fact")).to_have_text(short["text"])

    page.reload()
    expect(page.get_by_test_id("short-answer")).to_have_text(short["text"])
    assert chat.console_errors == []


def short_answer_of_paraphrase(chat: ChatPage) -> tuple[Any, Any, Any]:
    """POST /ask's short answer to the paraphrased question, its citation and its article; the
    short answer lies inside the cited sentence at its own offsets."""
    expected = ask_api(chat, PARAPHRASED_QUESTION)
    short = expected["short_answer"]
    assert short is not None, f"POST /ask gave no short_answer for {PARAPHRASED_QUESTION!r}"
    assert re.search(r"[0-9]", short["text"]), short
    citation = next(c for c in expected["citations"] if c["marker"] == short["marker"])
    assert citation["doc_id"] == short["doc_id"]
    assert citation["start"] <= short["start"] < short["end"] <= citation["end"]
    url = f"{chat.base_url}/articles/{quote(short['doc_id'], safe='')}"
    article = chat.page.request.get(url).json()
    assert article["text"][short["start"] : short["end"]] == short["text"]
    return short, citation, article


def assert_fact_highlighted_in_the_article(
    page: Any, marker: Any, short: Any, citation: Any, article: Any
) -> None:
    """The short answer's marker opens the article with the fact in bold inside the cited
    sentence's highlight, at its own offset; Escape closes it and gives focus back."""
    expect(marker).to_have_text(str(short["marker"]))
    marker.click()
    panel = page.get_by_test_id("article-panel")
    expect(panel).to_be_visible()
    cited = panel.get_by_test_id("article-mark")
    expect(cited).to_have_count(1)
    assert cited.text_content() == citation["text"]
    fact = panel.locator("mark.fact")
    expect(fact).to_have_count(1)
    assert fact.text_content() == short["text"]
    # Nested in the sentence highlight, at the short answer's own offset, not the first match.
    expect(cited.locator("mark.fact")).to_have_count(1)
    assert text_before(cited, "mark.fact") == article["text"][citation["start"] : short["start"]]
    expect(fact).to_be_in_viewport()
    styles = fact.evaluate(
        """n => [getComputedStyle(n).fontWeight, getComputedStyle(n).backgroundColor,
                getComputedStyle(n.parentElement).backgroundColor]"""
    )
    assert styles[0] == "700" and styles[1] != styles[2]
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(marker).to_be_focused()


def test_follow_up_shows_how_the_service_understood_it(chat: ChatPage) -> None:
    first_question = "武陵区开展职业培训多少人?"
    follow_up = "那创业培训呢?"
    first = chat.ask(first_question)
    expect(first.get_by_test_id("resolved-question")).to_have_count(0)

    history = [
        {"role": "user", "content": first_question},
        {"role": "assistant", "content": chat.stored()["turns"][-1]["answer"]},
    ]
    expected = ask_api(chat, follow_up, history)
    resolved = expected["resolved_question"].strip()
    assert resolved.rstrip("?？") != follow_up.rstrip("?？"), expected

    answer = chat.ask(follow_up)
    assert chat.stream_requests[-1]["history"] == history
    note = answer.get_by_test_id("resolved-question")
    expect(note).to_have_text(f"理解为:{resolved}")
    assert note.evaluate(
        "n => n.compareDocumentPosition(n.parentElement.querySelector('.bubble')) & 4"
    )
    chat.page.reload()
    expect(chat.page.get_by_test_id("resolved-question")).to_have_text([f"理解为:{resolved}"])


def test_short_answer_and_resolved_question_are_text_and_optional(chat: ChatPage) -> None:
    page = chat.page
    route = "**/ask/stream"
    html = "<img src=x onerror=alert(1)>"
    citation = {
        "marker": 1,
        "doc_id": "no-such-doc",
        "title": "标题",
        "chunk_id": "c",
        "text": f"事实是{html}。",
        "start": 0,
        "end": 31,
        "score": 1.0,
    }

    def done(short: Any, resolved: str) -> str:
        body = {
            "answer": f"事实是{html}。[1]",
            "abstained": False,
            "citations": [citation],
            "passages": [],
            "timings_ms": {},
            "short_answer": short,
            "resolved_question": resolved,
        }
        return sse("passages", []) + sse("delta", {"text": body["answer"]}) + sse("done", body)

    short = {"text": html, "marker": 1, "doc_id": "no-such-doc", "start": 3, "end": 30}
    stream = done(short, f"{html}是什么?")
    page.route(
        route, lambda r: r.fulfill(status=200, content_type="text/event-stream", body=stream)
    )
    answer = chat.ask("问题一")
    expect(answer.get_by_test_id("short-answer")).to_have_text(html)
    expect(answer.get_by_test_id("resolved-question")).to_have_text(f"理解为:{html}是什么?")
    page.unroute(route)

    # No short answer, and a resolved question that differs only in whitespace and "?": no extras.
    stream = done(None, "  问题二? ")
    page.route(
        route, lambda r: r.fulfill(status=200, content_type="text/event-stream", body=stream)
    )
    answer = chat.ask("问题二")
    expect(answer.get_by_test_id("answer-text")).to_contain_text("事实是")
    expect(answer.get_by_test_id("short-answer")).to_have_count(0)
    expect(answer.get_by_test_id("short-answer-line")).to_have_count(0)
    expect(answer.get_by_test_id("resolved-question")).to_have_count(0)
    page.unroute(route)

    assert page.get_by_test_id("conversation").locator("img").count() == 0
    assert chat.dialogs == []
