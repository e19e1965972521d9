"""The timer in a real browser: keyboard shortcuts, switching targets, the live clock."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.testapp.models import Widget
from worklog import WorkSession, start_session, targets
from worklog.models import EndReason
from worklog.targets import TargetType, register_target_type

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE_TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "base.html"
needs_timer_on_every_page = pytest.mark.skipif(
    "js/timer.js" not in BASE_TEMPLATE.read_text(),
    reason="needs timer.js included by templates/base.html (requested in /tmp/requests/timer.txt)",
)


@pytest.fixture
def widgets(monkeypatch):
    """Widgets as the only kind of target, for one test (the live server shares the registry)."""
    monkeypatch.setattr(targets, "_registry", {})
    register_target_type(TargetType(Widget, "Widget", ("name",), lambda user: Widget.objects.all()))
    return [Widget.objects.create(name="Alpha"), Widget.objects.create(name="Beta")]


def test_t_toggles_the_timer_on_the_dashboard(signed_in_page, user):
    page = signed_in_page
    active = page.locator("#active-session")
    rows = page.locator("#today li[data-session]")
    expect(active).to_contain_text("No session running")
    expect(page.locator("#today")).to_contain_text("No sessions today yet.")
    page.locator("h1").click()
    page.keyboard.press("t")
    expect(active).to_contain_text("Running")
    expect(page.locator("#timer-announcer")).to_contain_text("Timer started")
    # The answer carries only the new row: it lands on top of today's list, which is no longer
    # empty.
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("running")
    expect(page.locator("#today")).not_to_contain_text("No sessions today yet.")
    assert WorkSession.objects.active().filter(user=user).count() == 1
    page.keyboard.press("t")
    expect(active).to_contain_text("No session running")
    expect(page.locator("#timer-announcer")).to_contain_text("Timer stopped")
    session = WorkSession.objects.get(user=user)
    assert not session.is_active and session.end_reason == EndReason.STOPPED
    # The stop replaces that row in place.
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Stopped")
    expect(rows.first).to_have_attribute("data-session", str(session.pk))
    page.keyboard.press("t")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("running")
    expect(rows.nth(1)).to_contain_text("Stopped")


def test_t_is_ignored_while_typing_in_a_field(signed_in_page, user):
    page = signed_in_page
    page.locator("#start-notes").focus()
    page.keyboard.type("test")
    expect(page.locator("#start-notes")).to_have_value("test")
    expect(page.locator("#active-session")).to_contain_text("No session running")
    assert not WorkSession.objects.exists()


@needs_timer_on_every_page
def test_t_toggles_the_timer_from_another_page(signed_in_page, live_server, user):
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:journal"))
    page.locator("h1").click()
    page.keyboard.press("t")
    announcer = page.locator("#timer-announcer")
    expect(announcer).to_contain_text("Timer started")
    expect(announcer).to_have_attribute("aria-live", "polite")
    assert WorkSession.objects.active().filter(user=user).count() == 1
    page.keyboard.press("t")
    expect(announcer).to_contain_text("Timer stopped")
    assert WorkSession.objects.active().count() == 0


def test_shortcuts_are_listed_in_the_help_overlay(signed_in_page):
    page = signed_in_page
    page.locator("h1").click()
    page.keyboard.press("?")
    dialog = page.locator("#shortcuts-help")
    expect(dialog).to_contain_text("Start or stop the timer")
    expect(dialog).to_contain_text("Switch the timer")
    page.keyboard.press("t")  # ignored while the overlay is open
    assert not WorkSession.objects.exists()


def test_switching_targets_with_the_picker(signed_in_page, live_server, user, widgets):
    alpha, beta = widgets
    first = start_session(user, target=alpha, started_at=timezone.now() - timedelta(minutes=30))
    page = signed_in_page
    page.reload()
    expect(page.locator("[data-testid=active-target]")).to_contain_text(str(alpha))
    page.locator("h1").click()
    page.keyboard.press("s")
    search = page.locator("#target-search")
    expect(search).to_be_focused()
    page.keyboard.type("Bet")
    result = page.locator(f"#target-results [data-target-key='testapp.widget:{beta.pk}']")
    expect(result).to_be_visible()
    result.click()
    expect(page.locator("[data-testid=active-target]")).to_contain_text(str(beta))
    expect(page.locator("#today li[data-session]")).to_have_count(2)
    expect(page.locator(f"#session-{first.pk}")).to_contain_text("Switched to another session")
    first.refresh_from_db()
    assert first.end_reason == EndReason.SWITCHED
    current = WorkSession.objects.active().get()
    assert current.target == beta and first.stopped_at == current.started_at
    # One click on a recent target switches back.
    page.locator(f"#recent-targets [data-target-key='testapp.widget:{alpha.pk}']").click()
    expect(page.locator("[data-testid=active-target]")).to_contain_text(str(alpha))
    assert WorkSession.objects.active().get().target == alpha
    assert WorkSession.objects.count() == 3
    # Last: Playwright's screenshot injects a style that the CSP (rightly) reports.
    screenshot(page, "timer-switched")


@needs_timer_on_every_page
def test_s_from_another_page_opens_the_picker(signed_in_page, live_server, widgets):
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:journal"))
    page.locator("h1").click()
    page.keyboard.press("s")
    page.wait_for_url(re.compile(r"/\?pick=1$"))
    expect(page.locator("#target-search")).to_be_focused()


def test_clock_ticks_in_the_browser(signed_in_page, user):
    start_session(user, started_at=timezone.now() - timedelta(minutes=2))
    page = signed_in_page
    page.reload()
    clock = page.locator("#active-session [data-elapsed-seconds]")
    first = clock.inner_text()
    assert first.startswith("0:02:")
    expect(clock).not_to_have_text(first, timeout=3000)


def test_delete_a_session_and_undo(signed_in_page, user):
    session = start_session(user, started_at=timezone.now() - timedelta(minutes=40))
    session.stop(stopped_at=timezone.now() - timedelta(minutes=10))
    page = signed_in_page
    page.reload()
    expect(page.locator("[data-testid=today-total]")).to_have_text("30m")
    page.locator(f"li[data-session='{session.pk}'] button", has_text="Delete").click()
    expect(page.locator("#today li[data-session]")).to_have_count(0)
    expect(page.locator("[data-testid=today-total]")).to_have_text("0m")
    assert not WorkSession.objects.exists()
    page.locator("#today button", has_text="Undo").click()
    expect(page.locator("#today li[data-session]")).to_have_count(1)
    expect(page.locator("[data-testid=today-total]")).to_have_text("30m")
    assert WorkSession.objects.get() == session


def test_starting_the_timer_with_enter_keeps_the_focus_in_the_timer_panel(signed_in_page):
    page = signed_in_page
    page.fill("#start-notes", "Writing the report")
    page.press("#start-notes", "Enter")
    expect(page.locator("[data-testid=active-target]")).to_be_visible()
    expect(page.locator("#active-session-title")).to_be_focused()
    page.keyboard.press("Tab")
    # The next control in the panel: moving the running start.
    expect(page.locator("#active-session button[value='-5']")).to_be_focused()
