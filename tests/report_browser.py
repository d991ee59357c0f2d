"""Headless Chromium for the report tests: Debian's `chromium`, driven by Playwright.

Playwright's own browser builds are a download this machine cannot make; the system's
Chromium (installed by .ci/run) is launched through `executable_path` instead. Without it the
tests skip with the reason, except under CI, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# The binary itself first: /usr/bin/chromium is a shell wrapper that prints noise on stderr.
CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")
RENDER_TIMEOUT_MS = 20_000


def chromium_path() -> str | None:
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        reason = "no chromium on this machine: `apt-get install -y chromium` (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must not skip the browser tests: {reason}")
        pytest.skip(reason)
    return path


@dataclass
class Loaded:
    """A report page as the browser loaded it, with what it asked of the network and said."""

    page: Any
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)

    def errors(self) -> list[tuple[str, str]]:
        return [(kind, text) for kind, text in self.console if kind in ("error", "pageerror")]

    def embedded(self) -> dict[str, Any]:
        """The figures the page carries, as its own script reads them."""
        found: dict[str, Any] = self.page.evaluate(
            "JSON.parse(document.getElementById('report-data').textContent)"
        )
        return found

    def charts(self) -> list[dict[str, Any]]:
        """Each chart's id, whether it rendered, and how many SVG marks it drew."""
        found: list[dict[str, Any]] = self.page.evaluate(
            """[...document.querySelectorAll('.chart')].map((e) => ({
                id: e.id, rendered: e.dataset.rendered || null,
                marks: e.querySelectorAll('svg path, svg rect, svg line, svg text').length}))"""
        )
        return found


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def load(launched: Any, html: Path, width: int = 1100) -> Loaded:
    """Open `html` from its file with the network off: every request is recorded, and any
    that is not the file itself is refused. Returns once every chart has drawn (or failed)."""
    context = launched.new_context(offline=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    loaded = Loaded(page)

    def route(route: Any) -> None:
        loaded.requests.append(route.request.url)
        if route.request.url == html.as_uri():
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda message: loaded.console.append((message.type, message.text)))
    page.on("pageerror", lambda error: loaded.console.append(("pageerror", str(error))))
    page.goto(html.as_uri())
    page.wait_for_function(
        "[...document.querySelectorAll('.chart')].every((e) => e.dataset.rendered)",
        timeout=RENDER_TIMEOUT_MS,
    )
    return loaded
