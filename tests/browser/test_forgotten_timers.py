"""Forgotten timers in a real browser: the banner after an automatic stop."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from worklog import start_session
from worklog.models import NoticeAnswer, TimerNotice
from worklog.timer import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def auto_stopped(user):
    """A session of `user` that the timer stopped by itself after 10 hours."""
    services.update_timer_preferences(user=user, auto_stop_after_hours=10, auto_stop_at=None)
    start_session(user, started_at=timezone.now() - timedelta(hours=11))
    [session] = services.stop_forgotten_sessions()
    return session


def test_the_banner_shows_and_correct_it_opens_the_correction_page(
    signed_in_page, live_server, user, auto_stopped, problems
):
    page = signed_in_page
    page.reload()
    notice = page.get_by_test_id("auto-stop-notice")
    stopped_at = timezone.localtime(auto_stopped.stopped_at, user.zone)
    expect(notice).to_contain_text(f"Your timer was stopped automatically at {stopped_at:%H:%M}")
    expect(notice).to_contain_text("after 10 hours.")
    notice.get_by_role("button", name="That was wrong: correct it").click()
    page.wait_for_url(live_server.url + reverse("worklog:session-edit", args=[auto_stopped.pk]))
    expect(page.get_by_role("heading", name="Correct a session")).to_be_visible()
    expect(page.get_by_test_id("auto-stop-notice")).to_have_count(0)
    assert TimerNotice.objects.get(session=auto_stopped).answer == NoticeAnswer.CORRECTING
    problems.assert_none()


def test_dismiss_takes_the_banner_away_in_place(
    signed_in_page, live_server, user, auto_stopped, problems
):
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:journal"))
    notice = page.get_by_test_id("auto-stop-notice")
    expect(notice).to_be_visible()
    page.evaluate("window.sameDocument = true")
    notice.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_test_id("auto-stop-notice")).to_have_count(0)
    # Swapped away by htmx: no navigation happened.
    assert page.evaluate("window.sameDocument") is True
    page.reload()
    expect(page.get_by_test_id("auto-stop-notice")).to_have_count(0)
    assert TimerNotice.objects.get(session=auto_stopped).answer == NoticeAnswer.DISMISSED
    problems.assert_none()
