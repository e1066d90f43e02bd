"""The web chat's other states in a real Chromium against a real `wenda serve`: abstention,
unsafe, multi-line and too-long input, reload and new chat, service failures, screenshots on
desktop and phone, the empty state and the library."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.service.chat_page import (
    ABSTAIN_MESSAGE,
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    SEED_NUMBER,
    SEED_QUESTION,
    XSS_QUESTION,
    ChatPage,
    new_chat_page,
    sse,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_unanswerable_question_shows_the_abstention_and_related_passages(chat: ChatPage) -> None:
    page = chat.page
    answer = chat.ask("2022年世界杯冠军是哪个国家?")

    expect(answer).to_have_attribute("data-state", "abstained")
    expect(answer.get_by_test_id("abstention")).to_have_text(ABSTAIN_MESSAGE)
    expect(answer.get_by_test_id("citation-marker")).to_have_count(0)
    expect(answer.get_by_test_id("short-answer")).to_have_count(0)
    related = answer.get_by_test_id("related-passages")
    expect(related).to_contain_text("相关段落")
    passage = answer.get_by_test_id("related-passage").first
    expect(passage).to_be_visible()
    if answer.get_by_test_id("related-more").count():
        answer.get_by_test_id("related-more").click()
    shown = answer.get_by_test_id("related-passage")
    assert shown.count() == len(chat.stored()["turns"][-1]["passages"])
    for i in range(shown.count()):
        expect(shown.nth(i)).to_be_visible()

    passage.click()
    expect(page.get_by_test_id("article-panel")).to_be_visible()
    expect(page.get_by_test_id("article-text")).not_to_be_empty()


def test_html_in_a_question_is_shown_as_text_and_runs_nothing(chat: ChatPage) -> None:
    page = chat.page
    chat.ask(XSS_QUESTION)

    expect(page.get_by_test_id("user-text").first).to_have_text(XSS_QUESTION)
    assert page.get_by_test_id("conversation").locator("img").count() == 0
    page.reload()
    expect(page.get_by_test_id("user-text").first).to_have_text(XSS_QUESTION)
    assert page.get_by_test_id("conversation").locator("img").count() == 0
    assert chat.dialogs == []


def test_shift_enter_adds_a_line_instead_of_sending(chat: ChatPage) -> None:
    page = chat.page
    box = page.get_by_test_id("question-input")
    box.type("第一行")
    box.press("Shift+Enter")
    box.type("第二行")

    expect(box).to_have_value("第一行\n第二行")
    expect(page.get_by_test_id("msg-user")).to_have_count(0)


def test_reload_keeps_the_conversation_and_new_chat_clears_it(chat: ChatPage) -> None:
    page = chat.page
    chat.ask(SEED_QUESTION)

    page.reload()
    expect(page.get_by_test_id("msg-user")).to_have_text([SEED_QUESTION])
    answer = page.get_by_test_id("msg-assistant")
    expect(answer).to_have_count(1)
    expect(answer.get_by_test_id("answer-text")).to_contain_text(SEED_NUMBER)
    answer.get_by_test_id("citation-marker").first.click()
    expect(page.get_by_test_id("article-mark")).to_contain_text(SEED_NUMBER)

    page.get_by_test_id("new-chat").click()
    expect(page.get_by_test_id("article-panel")).to_be_hidden()
    expect(page.get_by_test_id("msg-user")).to_have_count(0)
    expect(page.get_by_test_id("msg-assistant")).to_have_count(0)
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("msg-user")).to_have_count(0)
    expect(page.get_by_test_id("empty-state")).to_be_visible()


def test_too_long_question_shows_an_error_in_words_and_stays_in_the_input(chat: ChatPage) -> None:
    page = chat.page
    question = "问" * 2001
    box = page.get_by_test_id("question-input")
    box.fill(question)
    box.press("Enter")

    error = page.get_by_test_id("msg-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("太长")
    expect(error).to_contain_text("2000")
    expect(box).to_have_value(question)
    expect(page.get_by_test_id("send")).to_be_enabled()
    expect(page.get_by_test_id("msg-assistant")).to_have_count(0)
    assert chat.dialogs == []


def test_service_failures_are_shown_in_words_and_keep_the_question(chat: ChatPage) -> None:
    page = chat.page
    box = page.get_by_test_id("question-input")
    errors = page.get_by_test_id("msg-error")
    route = "**/ask/stream"

    page.route(route, lambda r: r.abort("connectionrefused"))
    box.fill(SEED_QUESTION)
    box.press("Enter")
    expect(errors.last).to_contain_text("连不上问答服务")
    expect(box).to_have_value(SEED_QUESTION)
    expect(page.get_by_test_id("health")).to_have_attribute("data-state", "down")
    page.unroute(route)

    no_index = json.dumps({"detail": "no index in data/index: run `wenda index`"})
    answer_fails(page, 503, "application/json", no_index, 2, "run `wenda index`")
    broken = (
        sse("passages", [])
        + sse("delta", {"text": "截至11月底"})
        + sse("error", {"detail": "boom"})
    )
    answer_fails(page, 200, "text/event-stream", broken, 3, "回答时出错了:boom")

    answer = chat.ask(SEED_QUESTION)
    expect(answer.get_by_test_id("answer-text")).to_contain_text(SEED_NUMBER)
    expect(page.get_by_test_id("health")).to_have_attribute("data-state", "ok")
    assert chat.stream_requests[-1]["history"] == []
    assert chat.dialogs == []


def test_an_older_health_answer_does_not_show_a_failed_service_as_up(
    browser: Browser, live_server: str
) -> None:
    context, chat = new_chat_page(browser, live_server, DESKTOP)
    page = chat.page
    held: list[Any] = []
    page.route("**/healthz", lambda r: held.append(r))
    chat.open()
    page.wait_for_function("() => true")  # lets the held health request reach the handler
    assert held, "the page asks for /healthz when it opens"

    page.route("**/ask/stream", lambda r: r.abort("connectionrefused"))
    page.get_by_test_id("question-input").fill(SEED_QUESTION)
    page.get_by_test_id("question-input").press("Enter")
    health = page.get_by_test_id("health")
    expect(health).to_have_attribute("data-state", "down")

    with page.expect_response("**/healthz"):
        held.pop().continue_()
    page.wait_for_timeout(200)  # the late answer is read after the response event
    expect(health).to_have_attribute("data-state", "down")
    context.close()


def answer_fails(
    page: Any, status: int, content_type: str, body: str, errors: int, says: str
) -> None:
    """The seed question sent again while /ask/stream answers with body: the errors-th error
    message says so and the question stays in the input."""
    route = "**/ask/stream"
    page.route(route, lambda r: r.fulfill(status=status, content_type=content_type, body=body))
    box = page.get_by_test_id("question-input")
    box.press("Enter")
    shown = page.get_by_test_id("msg-error")
    expect(shown).to_have_count(errors)
    expect(shown.last).to_contain_text(says)
    expect(box).to_have_value(SEED_QUESTION)
    page.unroute(route)


@pytest.mark.parametrize(
    ("name", "viewport", "options"),
    [
        ("chat-desktop.png", DESKTOP, {}),
        ("chat-phone.png", PHONE, {"device_scale_factor": 2, "is_mobile": True, "has_touch": True}),
    ],
    ids=["desktop", "phone"],
)
def test_screenshot_of_an_answer_with_its_article_open(
    browser: Browser, live_server: str, name: str, viewport: dict[str, int], options: dict[str, Any]
) -> None:
    context, chat_page = new_chat_page(browser, live_server, viewport, **options)
    page = chat_page.page
    chat_page.open()
    answer = chat_page.ask(SEED_QUESTION)
    answer.get_by_test_id("citation-marker").first.click()
    mark = page.get_by_test_id("article-panel").get_by_test_id("article-mark")
    expect(mark).to_contain_text(SEED_NUMBER)
    expect(mark).to_be_in_viewport()
    page.evaluate("document.activeElement && document.activeElement.blur()")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))
    assert (SCREENSHOTS / name).stat().st_size > 10_000
    assert chat_page.console_errors == []
    context.close()


def test_article_panel_closes_with_escape_on_a_phone(browser: Browser, live_server: str) -> None:
    context, chat_page = new_chat_page(browser, live_server, PHONE, is_mobile=True, has_touch=True)
    page = chat_page.page
    chat_page.open()
    answer = chat_page.ask(SEED_QUESTION)
    marker = answer.get_by_test_id("citation-marker").first
    marker.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_test_id("article-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert re.search(SEED_NUMBER, answer.inner_text())
    context.close()


def test_empty_state_and_library_list_the_articles_and_chips_quote_the_sentence(
    chat: ChatPage,
) -> None:
    page = chat.page
    listed = page.request.get(f"{chat.base_url}/articles").json()
    empty = page.get_by_test_id("empty-state")
    expect(empty.get_by_test_id("example-question")).to_have_count(min(3, len(listed)))
    expect(page.get_by_test_id("empty-articles")).to_contain_text(listed[0]["title"])

    page.get_by_test_id("library-toggle").click()
    library = page.get_by_test_id("library")
    expect(library.get_by_test_id("library-item")).to_have_count(len(listed))
    page.get_by_test_id("library-search").fill(listed[2]["title"][:4])
    expect(library.get_by_test_id("library-item")).to_have_count(1)
    expect(library.get_by_test_id("library-item")).to_contain_text(listed[2]["title"])
    # no delete buttons until an admin token is entered
    expect(library.get_by_test_id("library-delete")).to_have_count(0)
    library.get_by_test_id("library-admin").locator("summary").click()
    page.get_by_test_id("admin-token").fill("some-token")
    expect(library.get_by_test_id("library-delete")).to_have_count(1)
    page.get_by_test_id("library-close").click()
    expect(library).to_be_hidden()

    answer = chat.ask(SEED_QUESTION)
    turn = chat.stored()["turns"][-1]
    chip = answer.get_by_test_id("source-chip").first
    expect(chip.get_by_test_id("chip-quote")).to_contain_text(turn["citations"][0]["text"][:20])
    box = answer.get_by_test_id("citation-marker").first.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24
