"""The web chat's Chromium tests' fixtures (test_chat_browser*.py); playwright is imported only
when one of them runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.service.chat_page import ChatPage


# one browser a module: sync playwright keeps an event loop running in the main thread while it
# is open, and asyncio.run() in a later module (test_limits.py) would fail inside it
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    from tests.service.chat_page import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def chat(browser: Browser, live_server: str) -> Iterator[ChatPage]:
    """The chat page on a desktop, opened."""
    from tests.service.chat_page import DESKTOP, new_chat_page

    context, chat_page = new_chat_page(browser, live_server, DESKTOP)
    chat_page.open()
    yield chat_page
    context.close()
