from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
# Whatever the Content-Security-Policy refuses is logged as an error, whichever browser runs.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `CSP refused ${event.violatedDirective}: ${event.blockedURI || event.sample || "inline"}`
));
"""


class PageProblems:
    """Console errors (among them the browser's reports of what the Content-Security-Policy
    refused), uncaught exceptions, failed requests and 4xx/5xx answers, seen by every page of
    the contexts it watches. A test that provokes one on purpose removes it from `errors`."""

    def __init__(self):
        self.errors: list[str] = []

    def watch_context(self, context) -> None:
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        for page in context.pages:
            self.watch(page)
        context.on("page", self.watch)

    def watch(self, page) -> None:
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


@pytest.fixture(autouse=True)
def problems(browser, monkeypatch):
    """Every browser test fails on a console error, a CSP report, an uncaught exception, a failed
    request or an unexpected 4xx/5xx, in every page of every context it opens."""
    found = PageProblems()
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        found.watch_context(context)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield found
    found.assert_none()


@pytest.fixture
def signed_in_page(page, live_server, user):
    """A browser page signed in as `user` through the real login form."""
    sign_in(page, live_server, user)
    return page


def sign_in(page, live_server, user) -> None:
    page.goto(live_server.url + reverse("core:login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(live_server.url + reverse("worklog:dashboard"))


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # caret="initial": hiding the caret would inject a style, which the CSP refuses.
    page.screenshot(path=str(path), full_page=True, caret="initial")
    return path
