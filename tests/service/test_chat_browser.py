"""The web chat in a real Chromium against a real `wenda serve` (the `live_server` fixture)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import TEST_OUTPUT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = TEST_OUTPUT / "screenshots"  # docs/img holds the chosen ones, copied by hand
ANSWER_TIMEOUT_MS = 120_000
STORAGE_KEY = "wenda.chat.v1"
ABSTAIN_MESSAGE = "这些文章里没有找到答案"

SEED_QUESTION = "截至11月底,武陵区城镇新增就业多少人?"
# the same fact asked in other words: the bold fact must still be the article's own span
PARAPHRASED_QUESTION = "到11月底武陵区城里新找到工作的有多少人?"
SEED_NUMBER = "8210"
XSS_QUESTION = "<img src=x onerror=alert(1)>"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class ChatPage:
    """A page of the chat plus what it did that a test may want to assert on."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        self.stream_requests: list[dict[str, Any]] = []
        page.on("dialog", self._on_dialog)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("request", self._on_request)

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_request(self, request: Any) -> None:
        if request.url.endswith("/ask/stream") and request.method == "POST":
            self.stream_requests.append(json.loads(request.post_data or "{}"))

    def open(self) -> Any:
        response = self.page.goto(self.base_url + "/")
        expect(self.page.locator("body[data-ready=true]")).to_have_count(1)
        return response

    def ask(self, question: str) -> Any:
        """Type a question, press Enter, and return its settled answer (fails on a chat error)."""
        settled = "[data-testid=msg-assistant]:not([data-state=streaming]), [data-testid=msg-error]"
        before = self.page.locator(settled).count()
        errors_before = self.page.get_by_test_id("msg-error").count()
        answers_before = self.page.get_by_test_id("msg-assistant").count()
        box = self.page.get_by_test_id("question-input")
        box.fill(question)
        box.press("Enter")
        self.page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length > n",
            arg=[settled, before],
            timeout=ANSWER_TIMEOUT_MS,
        )
        errors = self.page.get_by_test_id("msg-error")
        if errors.count() > errors_before:
            pytest.fail(f"the chat showed an error for {question!r}: {errors.last.inner_text()}")
        return self.page.get_by_test_id("msg-assistant").nth(answers_before)

    def stored(self) -> dict[str, Any]:
        return self.page.evaluate(f"JSON.parse(localStorage.getItem('{STORAGE_KEY}') || 'null')")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def ask_api(chat: ChatPage, question: str, history: list[dict[str, str]] | None = None) -> Any:
    """The same question put to `POST /ask` of the same server, for what the page should show."""
    response = chat.page.request.post(
        f"{chat.base_url}/ask",
        data={"question": question, "history": history or []},
        timeout=ANSWER_TIMEOUT_MS,
    )
    assert response.ok, response.text()
    return response.json()


def text_before(mark: Any, inner_selector: str) -> str:
    """The text of `mark` that comes before its descendant `inner_selector`."""
    return str(
        mark.evaluate(
            """(node, sel) => {
              const inner = node.querySelector(sel);
              const range = document.createRange();
              range.setStart(node, 0);
              range.setEndBefore(inner);
              return range.toString();
            }""",
            inner_selector,
        )
    )


def new_chat_page(browser: Browser, base_url: str, viewport: dict[str, int], **options: Any) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    context.set_default_timeout(15_000)
    return context, ChatPage(context.new_page(), base_url)


@pytest.fixture
def chat(browser: Browser, live_server: str) -> Iterator[ChatPage]:
    context, chat_page = new_chat_page(browser, live_server, DESKTOP)
    chat_page.open()
    yield chat_page
    context.close()


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
    expected = ask_api(chat, PARAPHRASED_QUESTION)
    short = expected["short_answer"]
    assert short is not None, f"POST /ask gave no short_answer for {PARAPHRASED_QUESTION!r}"
    assert re.search(r"[0-9]", short["text"]), short
    citation = next(c for c in expected["citations"] if c["marker"] == short["marker"])
    assert citation["doc_id"] == short["doc_id"]
    assert citation["start"] <= short["start"] < short["end"] <= citation["end"]
    article = page.request.get(f"{chat.base_url}/articles/{quote(short['doc_id'], safe='')}").json()
    assert article["text"][short["start"] : short["end"]] == short["text"]

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

    # The answer's own marker for that citation opens the same highlight.
    answer.locator(f"[data-testid=citation-marker][data-marker='{short['marker']}']").first.click()
    expect(panel.locator("mark.fact")).to_have_text(short["text"])

    page.reload()
    expect(page.get_by_test_id("short-answer")).to_have_text(short["text"])
    assert chat.console_errors == []


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


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


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
    page.route(
        route, lambda r: r.fulfill(status=503, content_type="application/json", body=no_index)
    )
    box.press("Enter")
    expect(errors).to_have_count(2)
    expect(errors.last).to_contain_text("run `wenda index`")
    expect(box).to_have_value(SEED_QUESTION)
    page.unroute(route)

    broken = (
        sse("passages", [])
        + sse("delta", {"text": "截至11月底"})
        + sse("error", {"detail": "boom"})
    )
    page.route(
        route, lambda r: r.fulfill(status=200, content_type="text/event-stream", body=broken)
    )
    box.press("Enter")
    expect(errors).to_have_count(3)
    expect(errors.last).to_contain_text("回答时出错了:boom")
    expect(box).to_have_value(SEED_QUESTION)
    page.unroute(route)

    answer = chat.ask(SEED_QUESTION)
    expect(answer.get_by_test_id("answer-text")).to_contain_text(SEED_NUMBER)
    expect(page.get_by_test_id("health")).to_have_attribute("data-state", "ok")
    assert chat.stream_requests[-1]["history"] == []
    assert chat.dialogs == []


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
