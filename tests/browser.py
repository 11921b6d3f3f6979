"""A real headless browser for the reading page's tests: Debian's chromium, driven by Playwright.

Playwright rather than Selenium: its locators wait by themselves for what a streamed page shows
next (a progress line, the brief), it hovers, focuses and downloads without extra machinery, and
the Python package carries its own driver, so chromium is all the machine needs (no chromedriver
of a matching version). The browser is the system's, installed by `make install` (apt-get install
chromium); nothing is downloaded at run time and `playwright install` is never run.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = os.environ.get("FINBRIEF_CHROMIUM", "/usr/bin/chromium")
HIGHLIGHTED = "() => [...document.querySelectorAll('#source .hl')].map((e) => e.textContent).join('')"
PAIRED_SOURCE = "() => [...document.querySelectorAll('#source .pair')].map((e) => e.textContent).join('')"


def chromium() -> str:
    """The system's chromium; the test is skipped, saying how to install it, when there is none."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if found is None:
        pytest.skip(
            f"no chromium at {CHROMIUM} nor on PATH: `make install` installs Debian's (as root: "
            "apt-get install -y chromium), or set FINBRIEF_CHROMIUM"
        )
    return found


@contextmanager
def launched() -> Iterator[Browser]:
    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        try:
            yield browser
        finally:
            browser.close()


class Desk:
    """The reading page in one browser tab, driven as a reader would. Records what would be a
    bug whatever the test: an uncaught script error, or a request to another origin."""

    def __init__(self, browser: Browser, base: str, *, phone: bool = False) -> None:
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        self.base = base
        self.context = browser.new_context(
            viewport=size, accept_downloads=True, permissions=["clipboard-read", "clipboard-write"]
        )
        self.page: Page = self.context.new_page()
        self.script_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        self.page.on("request", self._check_origin)

    def _check_origin(self, request: Any) -> None:
        if not request.url.startswith((self.base + "/", "data:", "blob:")):
            self.foreign_requests.append(request.url)

    def open(self) -> Desk:
        self.page.goto(self.base + "/")
        expect(self.page.locator("body")).to_have_attribute("data-ready", "true")
        return self

    def ask(self, text: str = "", *, title: str = "", url: str = "", key: str = "") -> float:
        """Fills the form and asks for a brief; the seconds until the first progress line shows."""
        self.page.fill("#text", text)
        self.page.fill("#title", title)
        self.page.fill("#url", url)
        if key:
            self.page.fill("#key", key)
        started = time.perf_counter()
        self.page.click("#go")
        return started

    def first_step_after(self, started: float, timeout_ms: float = 30_000) -> float:
        self.page.locator("#steps li[data-step]").first.wait_for(timeout=timeout_ms)
        return time.perf_counter() - started

    def wait_for_brief(self, timeout_ms: float = 30_000) -> None:
        """Until the brief shows; an error the page shows instead fails at once, with its text."""
        answered = self.page.locator("#result:not([hidden]), #error:not([hidden])").first
        answered.wait_for(timeout=timeout_ms)
        error = self.page.locator("#error")
        assert error.is_hidden(), error.text_content()
        expect(self.page.locator("#result")).to_be_visible()

    def steps(self) -> list[str]:
        return [
            str(s)
            for s in self.page.locator("#steps li[data-step]").evaluate_all(
                "(items) => items.map((i) => i.dataset.step)"
            )
        ]

    def highlighted(self) -> str:
        return str(self.page.evaluate(HIGHLIGHTED))

    def paired_source(self) -> str:
        return str(self.page.evaluate(PAIRED_SOURCE))

    def downloaded_brief(self, folder: Path) -> dict[str, Any]:
        """The brief as the page's Download JSON button saves it."""
        with self.page.expect_download() as download:
            self.page.click("#download-json")
        path = folder / download.value.suggested_filename
        download.value.save_as(path)
        return dict(json.loads(path.read_text(encoding="utf-8")))

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        self.page.wait_for_timeout(800)  # a smooth scroll to the evidence has ended
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        self.context.close()
        assert not self.script_errors, self.script_errors
        assert not self.foreign_requests, self.foreign_requests  # the page runs offline
