from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


class PageProblems:
    """Console errors and failed requests seen by a page; a browser test fails on any."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on(
            "console",
            lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text}"),
        )
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("requestfailed", self._on_request_failed)
        page.on(
            "response",
            lambda res: res.status >= 400 and self.errors.append(f"HTTP {res.status}: {res.url}"),
        )

    def _on_request_failed(self, request):
        # A navigation cancels the previous page's requests still in flight (net::ERR_ABORTED):
        # that is the browser moving on, not a broken resource.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"failed: {request.method} {request.url} {request.failure}")

    def assert_none(self):
        assert self.errors == [], "\n".join(self.errors)


@pytest.fixture
def problems(page):
    return PageProblems(page)


@pytest.fixture
def signed_in_page(page, live_server, user, problems):
    """A browser page signed in as `user` through the real login form."""
    page.goto(live_server.url + reverse("core:login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(live_server.url + reverse("worklog:dashboard"))
    return page


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
