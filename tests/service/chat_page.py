"""What the web chat's Chromium tests share: the page object, the questions and helpers (the
`browser` and `chat` fixtures are in tests/service/conftest.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import TEST_OUTPUT

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


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
