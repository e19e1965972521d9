"""The timesheet in a real browser: forgotten time and its overlap, a running start moved,
an entry continued, weeks walked with the keyboard, the header timer and the tab title, and a
second tab following a toggle."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.testapp.models import Widget
from worklog import targets
from worklog.targets import TargetType, register_target_type
from worklog.timer import services
from worklog.timer.models import WorkSession

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def widgets(monkeypatch):
    """Widgets as the only kind of target, for one test (the live server shares the registry)."""
    monkeypatch.setattr(targets, "_registry", {})
    register_target_type(TargetType(Widget, "Widget", ("name",), lambda user: Widget.objects.all()))
    return [Widget.objects.create(name="Card form"), Widget.objects.create(name="Quarterly report")]


def minute(value):
    return timezone.localtime(value).replace(second=0, microsecond=0)


def test_add_forgotten_time_and_trim_the_overlapped_session(
    signed_in_page, live_server, user, widgets, problems
):
    now = minute(timezone.now())
    earlier = services.add_session(
        user=user, started_at=now - timedelta(hours=4), stopped_at=now - timedelta(hours=2)
    )
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:timer-week"))
    page.get_by_role("link", name="Add time").first.click()
    page.fill("#id_started_at", (now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_stopped_at", "")
    page.fill("#id_duration", "1:30")
    page.fill("#target-search", "quarter")
    page.get_by_label(str(widgets[1])).check()
    page.get_by_role("button", name="Add time").click()
    problem = page.get_by_test_id("add-time-problem")
    expect(problem).to_contain_text("This would overlap your session")
    expect(problem).to_contain_text(f"{timezone.localtime(earlier.started_at):%H:%M}")
    screenshot(page, "timesheet-add-time-overlap")
    assert WorkSession.objects.count() == 1
    page.get_by_role("button", name="Trim and add").click()
    expect(page.get_by_test_id("week-total")).to_be_visible()
    added = WorkSession.objects.exclude(pk=earlier.pk).get()
    assert added.target == widgets[1] and added.duration_seconds == 90 * 60
    earlier.refresh_from_db()
    assert earlier.stopped_at == added.started_at
    # The 422 with the overlap is the page's answer, not a broken resource.
    problems.errors = [error for error in problems.errors if "422" not in error]
    problems.assert_none()


def test_move_a_running_start_with_the_quick_buttons(signed_in_page, user, problems):
    running = services.start_session(user, started_at=timezone.now() - timedelta(minutes=20))
    page = signed_in_page
    page.reload()
    page.get_by_role("button", name="−5m: the start 5 minutes earlier").click()
    expect(page.locator("#timer-announcer")).to_contain_text("Start moved")
    running.refresh_from_db()
    assert timezone.now() - running.started_at >= timedelta(minutes=25)
    problems.assert_none()


def test_continue_an_entry_from_the_week(signed_in_page, live_server, user, widgets, problems):
    services.add_session(
        user=user,
        started_at=timezone.now() - timedelta(hours=3),
        stopped_at=timezone.now() - timedelta(hours=2),
        target=widgets[0],
        session_type="review",
    )
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:timer-week"))
    page.get_by_role("button", name=f"Continue: start {widgets[0]} again now").click()
    expect(page.get_by_test_id("header-timer")).to_contain_text(str(widgets[0]))
    running = WorkSession.objects.active().get()
    assert running.target == widgets[0] and running.session_type == "review"
    problems.assert_none()


def test_walk_the_weeks_with_the_keyboard(signed_in_page, live_server, problems):
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:timer-week") + "?date=2026-11-25")
    expect(page.locator("h1")).to_contain_text("Week of 23 Nov")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("h1")).to_contain_text("Week of 16 Nov")
    page.keyboard.press("j")
    expect(page.locator("h1")).to_contain_text("Week of 23 Nov")
    page.keyboard.press("ArrowRight")
    expect(page.locator("h1")).to_contain_text("Week of 30 Nov")
    page.keyboard.press("k")
    expect(page.locator("h1")).to_contain_text("Week of 23 Nov")
    # From anywhere, g then w opens this week.
    page.goto(live_server.url + reverse("worklog:journal"))
    page.keyboard.press("g")
    page.keyboard.press("w")
    page.wait_for_url(re.compile(r"/timer/week/$"))
    problems.assert_none()


def test_the_header_timer_and_the_tab_title(signed_in_page, live_server, user, widgets, problems):
    services.start_session(
        user, target=widgets[0], started_at=timezone.now() - timedelta(minutes=2)
    )
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:journal"))
    header = page.locator("#timer-header")
    expect(header).to_contain_text(str(widgets[0]))
    expect(page).to_have_title(re.compile(rf"^▶ 0:02:\d\d {re.escape(str(widgets[0]))} · Worklog$"))
    first = page.title()
    expect(page).not_to_have_title(first, timeout=3000)
    screenshot(page, "timesheet-header-timer")
    header.get_by_role("button", name="Stop").click()
    expect(header).to_contain_text("Start")
    expect(page).to_have_title(re.compile(r"· Worklog$"))
    assert not page.title().startswith("▶")
    assert not WorkSession.objects.active().exists()
    problems.assert_none()


def test_a_second_tab_follows_a_toggle(signed_in_page, live_server, user, problems):
    first = signed_in_page
    first.goto(live_server.url + reverse("worklog:journal"))
    second = first.context.new_page()
    second.goto(live_server.url + reverse("worklog:timer-week"))
    expect(second.get_by_test_id("header-timer")).to_contain_text("No timer running")
    first.locator("h1").click()
    first.keyboard.press("t")
    # The other tab of this browser hears of it at once.
    second_header = second.locator("#timer-header")
    expect(second_header.get_by_role("button", name="Stop")).to_be_visible(timeout=1500)
    assert WorkSession.objects.active().count() == 1
    # A stop made elsewhere (the API, another device) shows when the tab regains focus.
    services.stop_session(user)
    second.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(second_header.get_by_role("button", name="Start")).to_be_visible(timeout=3000)
    problems.assert_none()
