"""Forgotten timers in the browser's pages: the settings page, the banner after an automatic
stop, and the links of the "Still working?" email."""

import re
import time as clock
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.services import create_api_token
from worklog import WorkSession, start_session
from worklog.models import EndReason, NoticeAnswer, NoticeKind, TimerNotice, TimerPreferences
from worklog.templatetags.timer_format import duration_in_words
from worklog.timer import services

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


# The settings page


def test_settings_page_shows_the_current_preferences(user_client, user):
    services.update_timer_preferences(user=user, auto_stop_after_hours=9, auto_stop_at=time(18, 30))
    response = user_client.get(reverse("worklog:timer-settings"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="auto_stop_after_hours"' in html and 'value="9"' in html
    assert 'type="time"' in html and 'value="18:30"' in html
    assert "alice@example.com" in html  # where "Still working?" goes


def test_settings_page_for_a_user_without_preferences_shows_both_rules_off(user_client):
    response = user_client.get(reverse("worklog:timer-settings"))
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "auto_stop_after_hours": None,
        "auto_stop_at": None,
    }
    assert not TimerPreferences.objects.exists()


def test_settings_page_saves_through_the_service(user_client, user):
    response = user_client.post(
        reverse("worklog:timer-settings"),
        {"auto_stop_after_hours": "10", "auto_stop_at": "18:00"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("worklog:timer-settings")
    assert "Timer settings saved." in response.content.decode()
    preferences = TimerPreferences.objects.get(user=user)
    assert preferences.auto_stop_after_hours == 10
    assert preferences.auto_stop_at == time(18, 0)


def test_settings_page_turns_the_rules_off_with_blank_fields(user_client, user):
    services.update_timer_preferences(user=user, auto_stop_after_hours=9, auto_stop_at=time(18, 0))
    user_client.post(
        reverse("worklog:timer-settings"), {"auto_stop_after_hours": "", "auto_stop_at": ""}
    )
    preferences = TimerPreferences.objects.get(user=user)
    assert preferences.auto_stop_after_hours is None and preferences.auto_stop_at is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"auto_stop_after_hours": "0", "auto_stop_at": ""}, "auto_stop_after_hours"),
        ({"auto_stop_after_hours": "169", "auto_stop_at": ""}, "auto_stop_after_hours"),
        ({"auto_stop_after_hours": "ten", "auto_stop_at": ""}, "auto_stop_after_hours"),
        ({"auto_stop_after_hours": "", "auto_stop_at": "25:00"}, "auto_stop_at"),
    ],
)
def test_settings_page_refuses_bad_input_with_a_form_error(user_client, data, field):
    response = user_client.post(reverse("worklog:timer-settings"), data)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not TimerPreferences.objects.exists()


def test_settings_page_requires_login(client):
    response = client.get(reverse("worklog:timer-settings"))
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


def test_dashboard_and_profile_link_to_the_settings(user_client):
    url = reverse("worklog:timer-settings")
    assert f'href="{url}"' in user_client.get(reverse("worklog:dashboard")).content.decode()
    assert f'href="{url}"' in user_client.get(reverse("core:profile")).content.decode()


# The banner after an automatic stop


def auto_stopped(user, *, hours: int = 10) -> TimerNotice:
    services.update_timer_preferences(user=user, auto_stop_after_hours=hours, auto_stop_at=None)
    start_session(user, started_at=ago(hours=hours, minutes=30))
    [session] = services.stop_forgotten_sessions()
    return TimerNotice.objects.get(session=session, kind=NoticeKind.AUTO_STOPPED)


def banner(response) -> str:
    html = response.content.decode()
    match = re.search(r'data-testid="auto-stop-notice".*?</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(0)).split(">", 1)[1].strip() if match else ""


def test_the_next_page_says_the_timer_stopped_automatically(user_client, user):
    notice = auto_stopped(user)
    local_stop = timezone.localtime(notice.session.stopped_at, user.zone)
    text = banner(user_client.get(reverse("worklog:dashboard")))
    assert text.startswith(f"Your timer was stopped automatically at {local_stop:%H:%M}")
    assert text.endswith("after 10 hours.")
    # Any page says so, not only the timer's.
    assert banner(user_client.get(reverse("worklog:journal")))


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(36000, "10 hours"), (3900, "1 hour 5 minutes"), (2700, "45 minutes"), (59, "0 minutes")],
)
def test_durations_in_words(seconds, words):
    assert duration_in_words(seconds) == words


def test_the_banner_names_the_day_when_it_was_not_today(user_client, user):
    notice = auto_stopped(user)
    session = notice.session
    WorkSession.objects.filter(pk=session.pk).update(
        started_at=session.started_at - timedelta(days=2),
        stopped_at=session.stopped_at - timedelta(days=2),
    )
    day = timezone.localtime(session.stopped_at - timedelta(days=2), user.zone)
    text = banner(user_client.get(reverse("worklog:dashboard")))
    assert f"on {day:%A} {day.day} {day:%B} after 10 hours." in text


def test_the_banner_offers_to_correct_and_to_dismiss(user_client, user):
    notice = auto_stopped(user)
    html = user_client.get(reverse("worklog:dashboard")).content.decode()
    assert reverse("worklog:timer-notice-correct", args=[notice.pk]) in html
    assert "That was wrong: correct it" in html
    assert reverse("worklog:timer-notice-dismiss", args=[notice.pk]) in html


def test_no_banner_without_an_automatic_stop_or_for_another_user(user_client, user, other_user):
    start_session(user)
    assert banner(user_client.get(reverse("worklog:dashboard"))) == ""
    auto_stopped(other_user)
    assert banner(user_client.get(reverse("worklog:dashboard"))) == ""


def test_correct_it_takes_the_banner_down_and_opens_the_correction_page(user_client, user):
    notice = auto_stopped(user)
    response = user_client.post(reverse("worklog:timer-notice-correct", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("worklog:session-edit", args=[notice.session_id])
    notice.refresh_from_db()
    assert notice.answer == NoticeAnswer.CORRECTING and notice.answered_at is not None
    page = user_client.get(response["Location"])
    assert page.status_code == 200
    assert banner(page) == ""


def test_dismiss_takes_the_banner_down_and_goes_back(user_client, user):
    notice = auto_stopped(user)
    journal = reverse("worklog:journal")
    response = user_client.post(
        reverse("worklog:timer-notice-dismiss", args=[notice.pk]), {"next": journal}
    )
    assert response.status_code == 302 and response["Location"] == journal
    notice.refresh_from_db()
    assert notice.answer == NoticeAnswer.DISMISSED
    assert banner(user_client.get(reverse("worklog:dashboard"))) == ""
    assert WorkSession.objects.get(pk=notice.session_id).end_reason == EndReason.AUTO_STOPPED


def test_dismiss_never_sends_you_elsewhere(user_client, user):
    notice = auto_stopped(user)
    response = user_client.post(
        reverse("worklog:timer-notice-dismiss", args=[notice.pk]),
        {"next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("worklog:dashboard")


def test_dismiss_by_htmx_answers_the_empty_banner(user_client, user):
    notice = auto_stopped(user)
    response = user_client.post(
        reverse("worklog:timer-notice-dismiss", args=[notice.pk]), headers=HTMX
    )
    assert response.status_code == 200
    assert response.content.decode().split() == ["<div", 'id="auto-stop-notice">', "</div>"]
    assert TimerNotice.objects.get(pk=notice.pk).answer == NoticeAnswer.DISMISSED


def test_a_correction_made_elsewhere_takes_the_banner_down(user_client, user):
    notice = auto_stopped(user)
    session = notice.session
    services.correct_session(
        session=session,
        started_at=session.started_at,
        stopped_at=session.stopped_at - timedelta(hours=1),
    )
    assert banner(user_client.get(reverse("worklog:dashboard"))) == ""


def test_the_banner_is_not_shown_forever(user_client, user):
    notice = auto_stopped(user)
    TimerNotice.objects.filter(pk=notice.pk).update(created_at=ago(days=8))
    assert banner(user_client.get(reverse("worklog:dashboard"))) == ""


def test_the_banner_costs_one_query_however_many_notices(user_client, user):
    url = reverse("core:profile")
    user_client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert user_client.get(url).status_code == 200
        return len(queries.captured_queries)

    without = count()
    for _ in range(20):
        auto_stopped(user)
    assert count() == without


def test_notice_actions_are_404_for_another_user(user, assert_hidden_from_other_user):
    notice = auto_stopped(user)
    for name in ("worklog:timer-notice-dismiss", "worklog:timer-notice-correct"):
        assert_hidden_from_other_user(reverse(name, args=[notice.pk]), method="post")
    notice.refresh_from_db()
    assert notice.answered_at is None


def test_the_api_still_reports_the_current_session_after_an_automatic_stop(user):
    auto_stopped(user)
    api = Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='k')[1]}"})
    assert api.get("/api/v1/timer").json() is None
    running = start_session(user)
    assert api.get("/api/v1/timer").json()["id"] == str(running.pk)


# The "Still working?" email's links


@pytest.fixture
def asked(user):
    """A session running 11 hours, and the email that asked about it."""
    start_session(user, started_at=ago(hours=11))
    [notice] = services.ask_about_long_sessions()
    return notice


def emailed_links() -> list[str]:
    """The paths of the links in the last email: "stop it now", then "keep it running"."""
    urls = re.findall(r"http://127\.0\.0\.1:8000(/timer/still-working/\S+)", mail.outbox[-1].body)
    assert len(urls) == 2
    return urls


def stop_link() -> str:
    return emailed_links()[0]


def keep_link() -> str:
    return emailed_links()[1]


def test_the_links_point_to_the_answers(asked):
    assert stop_link().startswith("/timer/still-working/")
    assert keep_link().startswith("/timer/still-working/")
    assert stop_link() != keep_link()


def test_stop_now_asks_to_confirm_then_stops_at_the_click(user_client, user, asked):
    page = user_client.get(stop_link())
    assert page.status_code == 200
    assert "Stop now" in page.content.decode()
    assert WorkSession.objects.get(pk=asked.session_id).is_active  # a GET changes nothing
    before = timezone.now()
    response = user_client.post(stop_link(), follow=True)
    after = timezone.now()
    assert response.redirect_chain[-1][0] == reverse("worklog:dashboard")
    assert "Timer stopped at" in response.content.decode()
    session = WorkSession.objects.get(pk=asked.session_id)
    assert before <= session.stopped_at <= after
    assert session.end_reason == EndReason.STOPPED
    asked.refresh_from_db()
    assert asked.answer == NoticeAnswer.STOPPED


def test_keep_running_acknowledges_and_no_second_email_comes(user_client, user, asked):
    response = user_client.post(keep_link(), follow=True)
    assert "keeps running" in response.content.decode()
    assert WorkSession.objects.get(pk=asked.session_id).is_active
    asked.refresh_from_db()
    assert asked.answer == NoticeAnswer.KEPT
    assert services.ask_about_long_sessions() == []
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("second", ["stop", "keep"])
def test_a_link_works_once(user_client, user, asked, second):
    user_client.post(keep_link())
    again = stop_link() if second == "stop" else keep_link()
    for response in (user_client.get(again), user_client.post(again)):
        assert response.status_code == 410
        assert "This link was already used" in response.content.decode()
    assert WorkSession.objects.get(pk=asked.session_id).is_active


def test_an_expired_link_says_so_and_does_nothing(user_client, user, asked, monkeypatch):
    tomorrow = clock.time() + 24 * 3600 + 60
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: tomorrow))
    for response in (user_client.get(stop_link()), user_client.post(stop_link())):
        assert response.status_code == 410
        assert "This link has expired: the email's links work for 24 hours" in (
            response.content.decode()
        )
    assert WorkSession.objects.get(pk=asked.session_id).is_active
    assert TimerNotice.objects.get(pk=asked.pk).answered_at is None


def test_a_link_is_404_for_another_user(user, asked, assert_hidden_from_other_user):
    assert_hidden_from_other_user(stop_link())
    assert_hidden_from_other_user(stop_link(), method="post")
    assert WorkSession.objects.get(pk=asked.session_id).is_active


def test_a_link_needs_a_signed_in_user(client, asked):
    response = Client().get(stop_link())
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


def test_an_altered_link_is_404(user_client, asked):
    token = stop_link().rstrip("/").rsplit("/", 1)[1]
    forged = signing.dumps({"notice": str(asked.pk), "answer": "stop"}, salt="another-salt")
    for path in (stop_link().replace(token, token[:-2] + "xx"), f"/timer/still-working/{forged}/"):
        assert user_client.post(path).status_code == 404
    assert WorkSession.objects.get(pk=asked.session_id).is_active


def test_stop_now_after_the_user_stopped_it_says_so(user_client, user, asked):
    services.stop_session(user)
    stopped_at = WorkSession.objects.get(pk=asked.session_id).stopped_at
    response = user_client.post(stop_link(), follow=True)
    assert "That timer had already stopped." in response.content.decode()
    assert WorkSession.objects.get(pk=asked.session_id).stopped_at == stopped_at
