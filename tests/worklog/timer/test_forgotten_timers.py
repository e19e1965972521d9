"""Forgotten timers: automatic stops and the "Still working?" email, from the services to the
background task that runs them."""

from datetime import UTC, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.tasks import task_backends
from django.tasks.backends.dummy import DummyBackend
from django.utils import timezone

from worklog import WorkSession, start_session, stop_session
from worklog.models import EndReason, NoticeKind, TimerNotice, TimerPreferences
from worklog.timer import services
from worklog.timer.selectors import auto_stop_deadline, next_local_time
from worklog.timer.tasks import check_forgotten_timers_task, schedule_forgotten_timers_check

from .test_concurrency import run_at_once

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def ago(**kwargs) -> datetime:
    return timezone.now() - timedelta(**kwargs)


def prefer(user, *, after_hours=None, at=None) -> TimerPreferences:
    return services.update_timer_preferences(
        user=user, auto_stop_after_hours=after_hours, auto_stop_at=at
    )


# Preferences


def test_preferences_are_created_then_updated_and_leave_the_report_columns(user):
    prefer(user, after_hours=10)
    TimerPreferences.objects.filter(user=user).update(report_columns=["target"])
    preferences = prefer(user, at=time(18, 0))
    assert TimerPreferences.objects.count() == 1
    preferences.refresh_from_db()
    assert preferences.auto_stop_after_hours is None
    assert preferences.auto_stop_at == time(18, 0)
    assert preferences.report_columns == ["target"]


@pytest.mark.parametrize("hours", [0, 169])
def test_preferences_refuse_hours_out_of_range(user, hours):
    with pytest.raises(ValidationError):
        prefer(user, after_hours=hours)
    assert not TimerPreferences.objects.exists()


# When a session is due


def test_next_local_time_is_later_today_or_else_tomorrow():
    morning = datetime(2026, 6, 10, 7, 0, tzinfo=UTC)  # 09:00 in Berlin (summer time)
    assert next_local_time(morning, time(18, 0), BERLIN) == datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
    evening = datetime(2026, 6, 10, 17, 0, tzinfo=UTC)  # 19:00 in Berlin
    assert next_local_time(evening, time(18, 0), BERLIN) == datetime(2026, 6, 11, 16, 0, tzinfo=UTC)
    exactly = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
    assert next_local_time(exactly, time(18, 0), BERLIN) == datetime(2026, 6, 11, 16, 0, tzinfo=UTC)


def test_next_local_time_across_daylight_saving_changes():
    # 29 March 2026: Berlin's clocks jump from 02:00 to 03:00; 02:30 does not exist that night.
    spring = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert next_local_time(spring, time(2, 30), BERLIN) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 25 October 2026: 02:30 happens twice; the first one counts.
    autumn = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert next_local_time(autumn, time(2, 30), BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_deadline_is_whichever_rule_comes_first(user):
    session = WorkSession(user=user, started_at=datetime(2026, 6, 10, 7, 0, tzinfo=UTC))
    both = TimerPreferences(user=user, auto_stop_after_hours=4, auto_stop_at=time(18, 0))
    assert auto_stop_deadline(session, both, BERLIN) == datetime(2026, 6, 10, 11, 0, tzinfo=UTC)
    both.auto_stop_after_hours = 12
    assert auto_stop_deadline(session, both, BERLIN) == datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
    assert auto_stop_deadline(session, TimerPreferences(user=user), BERLIN) is None


# Automatic stops


def test_auto_stop_after_hours_stops_at_start_plus_hours_not_when_the_worker_runs(user):
    prefer(user, after_hours=10)
    session = start_session(user, started_at=ago(hours=11))
    [stopped] = services.stop_forgotten_sessions()
    session.refresh_from_db()
    assert stopped == session
    assert session.stopped_at == session.started_at + timedelta(hours=10)
    assert session.duration_seconds == 10 * 3600
    assert session.end_reason == EndReason.AUTO_STOPPED
    notice = TimerNotice.objects.get()
    assert (notice.user, notice.session, notice.kind) == (user, session, NoticeKind.AUTO_STOPPED)
    assert notice.answered_at is None


def test_auto_stop_at_a_time_of_day_uses_the_users_zone(user):
    user.time_zone = "America/New_York"
    user.save()
    prefer(user, at=time(18, 0))
    # 09:00 in New York (summer time) on 9 June; due at 18:00 there, 22:00 UTC.
    session = start_session(user, started_at=datetime(2026, 6, 9, 13, 0, tzinfo=UTC))
    services.stop_forgotten_sessions(now=datetime(2026, 6, 10, 9, 0, tzinfo=UTC))
    session.refresh_from_db()
    assert session.stopped_at == datetime(2026, 6, 9, 22, 0, tzinfo=UTC)
    assert session.end_reason == EndReason.AUTO_STOPPED


def test_a_session_not_yet_due_keeps_running(user):
    prefer(user, after_hours=10, at=(timezone.now() + timedelta(hours=1)).time())
    start_session(user, started_at=ago(hours=9))
    assert services.stop_forgotten_sessions() == []
    assert WorkSession.objects.active().count() == 1
    assert not TimerNotice.objects.exists()


def test_without_preferences_nothing_stops(user, other_user):
    prefer(other_user)  # a row with both rules off
    start_session(user, started_at=ago(days=3))
    start_session(other_user, started_at=ago(days=3))
    assert services.stop_forgotten_sessions() == []
    assert WorkSession.objects.active().count() == 2


def test_a_session_the_user_stopped_meanwhile_is_left_alone(user):
    prefer(user, after_hours=1)
    stale = start_session(user, started_at=ago(hours=3))
    stop_session(user)
    assert services.auto_stop_session(session=stale) is None
    stale.refresh_from_db()
    assert stale.end_reason == EndReason.STOPPED
    assert not TimerNotice.objects.exists()


def test_a_session_the_user_switched_from_meanwhile_is_left_alone(user):
    prefer(user, after_hours=1)
    stale = start_session(user, started_at=ago(hours=3))
    current = start_session(user)
    assert services.auto_stop_session(session=stale) is None
    stale.refresh_from_db()
    assert stale.end_reason == EndReason.SWITCHED
    assert WorkSession.objects.get(pk=current.pk).is_active


def test_turning_the_rule_off_before_the_worker_runs_keeps_the_session(user):
    prefer(user, after_hours=1)
    session = start_session(user, started_at=ago(hours=3))
    prefer(user)
    assert services.auto_stop_session(session=session) is None
    assert WorkSession.objects.get(pk=session.pk).is_active


def test_stopping_forgotten_sessions_twice_stops_each_once(user, other_user):
    prefer(user, after_hours=2)
    prefer(other_user, after_hours=2)
    start_session(user, started_at=ago(hours=5))
    start_session(other_user, started_at=ago(hours=5))
    assert len(services.stop_forgotten_sessions()) == 2
    assert services.stop_forgotten_sessions() == []
    assert TimerNotice.objects.filter(kind=NoticeKind.AUTO_STOPPED).count() == 2


def test_one_failing_session_does_not_hold_up_the_others(user, other_user, monkeypatch):
    prefer(user, after_hours=2)
    prefer(other_user, after_hours=2)
    broken = start_session(user, started_at=ago(hours=6))
    start_session(other_user, started_at=ago(hours=5))
    auto_stop = services.auto_stop_session

    def fail_for_the_first(*, session, now):
        if session.pk == broken.pk:
            raise RuntimeError("disk full")
        return auto_stop(session=session, now=now)

    monkeypatch.setattr(services, "auto_stop_session", fail_for_the_first)
    [stopped] = services.stop_forgotten_sessions()
    assert stopped.user == other_user
    assert WorkSession.objects.get(pk=broken.pk).is_active


# "Still working?"


def test_a_long_session_gets_one_email(user, widget, settings):
    settings.SITE_URL = "https://worklog.example.com/"
    user.time_zone = "Europe/Berlin"
    user.save()
    session = start_session(
        user, target=widget, started_at=datetime(2026, 6, 10, 6, 30, tzinfo=UTC)
    )
    [notice] = services.ask_about_long_sessions()
    assert (notice.session, notice.kind) == (session, NoticeKind.STILL_WORKING)
    [email] = mail.outbox
    assert email.subject == "Still working?"
    assert email.to == ["alice@example.com"]
    assert "running since Wednesday 10 June, 08:30" in email.body  # Berlin time
    assert f"Your timer on {widget} has been running" in email.body
    assert "https://worklog.example.com/timer/still-working/" in email.body
    assert "expire after 24 hours" in email.body
    assert services.ask_about_long_sessions() == []
    assert len(mail.outbox) == 1


def test_email_links_are_two_different_signed_links(user):
    start_session(user, started_at=ago(hours=11))
    services.ask_about_long_sessions()
    links = [line for line in mail.outbox[0].body.splitlines() if "/still-working/" in line]
    assert len(links) == 2 and links[0] != links[1]


def test_no_email_below_the_limit_without_an_address_or_after_a_stop(user, other_user, settings):
    settings.WORKLOG_LONG_SESSION_HOURS = 10
    start_session(user, started_at=ago(hours=9))
    other_user.email = ""
    other_user.save()
    start_session(other_user, started_at=ago(hours=12))
    assert services.ask_about_long_sessions() == []
    stale = WorkSession.objects.get(user=user)
    WorkSession.objects.filter(pk=stale.pk).update(started_at=ago(hours=12))
    stop_session(user)
    assert services.ask_whether_still_working(session=stale) is None
    assert mail.outbox == []


def test_a_failed_send_leaves_no_notice_so_the_next_run_tries_again(user, monkeypatch):
    start_session(user, started_at=ago(hours=11))

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("worklog.timer.emails.send_mail", refuse)
    assert services.ask_about_long_sessions() == []
    assert not TimerNotice.objects.exists()
    monkeypatch.undo()
    assert len(services.ask_about_long_sessions()) == 1
    assert len(mail.outbox) == 1


def test_the_auto_stop_comes_before_the_email(user):
    prefer(user, after_hours=11)
    start_session(user, started_at=ago(hours=12))
    assert check_forgotten_timers_task.call() == {"stopped": 1, "asked": 0}
    assert mail.outbox == []


# The background task and its schedule


@pytest.fixture
def dummy_backend():
    """A task backend that keeps what is enqueued (with its run_after) and runs nothing."""
    original = task_backends["default"]
    backend = DummyBackend(alias="default", params={})
    task_backends["default"] = backend
    yield backend
    task_backends["default"] = original


def test_task_stops_asks_and_reschedules_itself(dummy_backend, user, other_user, settings):
    settings.WORKLOG_FORGOTTEN_TIMERS_INTERVAL = timedelta(minutes=5)
    prefer(user, after_hours=1)
    start_session(user, started_at=ago(hours=2))
    start_session(other_user, started_at=ago(hours=11))
    before = timezone.now()
    assert check_forgotten_timers_task.call() == {"stopped": 1, "asked": 1}
    [next_run] = dummy_backend.results
    assert next_run.task.func is check_forgotten_timers_task.func
    assert before + timedelta(minutes=5) <= next_run.task.run_after
    assert next_run.task.run_after <= timezone.now() + timedelta(minutes=5)


def test_task_reschedules_even_when_it_fails(dummy_backend, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "stop_forgotten_sessions", fail)
    with pytest.raises(RuntimeError):
        check_forgotten_timers_task.call()
    assert len(dummy_backend.results) == 1


def test_default_interval_is_a_minute(dummy_backend):
    check_forgotten_timers_task.call()
    [next_run] = dummy_backend.results
    delay = next_run.task.run_after - timezone.now()
    assert timedelta(seconds=55) < delay <= timedelta(minutes=1)


def test_schedule_command_enqueues_the_first_run_once(dummy_backend):
    out = StringIO()
    call_command("check_forgotten_timers", "--schedule", stdout=out)
    call_command("check_forgotten_timers", "--schedule", stdout=out)
    assert "Scheduled the forgotten-timer check" in out.getvalue()
    assert "already scheduled" in out.getvalue()
    [first_run] = dummy_backend.results
    assert first_run.task.run_after <= timezone.now()


def test_restarts_never_double_the_chain(dummy_backend, settings):
    settings.WORKLOG_FORGOTTEN_TIMERS_INTERVAL = timedelta(minutes=10)
    schedule_forgotten_timers_check()
    check_forgotten_timers_task.call()
    schedule_forgotten_timers_check()
    schedule_forgotten_timers_check(run_after=timezone.now() + timedelta(minutes=10))
    assert len(dummy_backend.results) == 2


def test_command_without_schedule_checks_now(user):
    prefer(user, after_hours=1)
    start_session(user, started_at=ago(hours=2))
    out = StringIO()
    call_command("check_forgotten_timers", stdout=out)
    assert "Stopped 1 forgotten timer; asked about 0 long sessions." in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_task_with_real_transactions_acts_once_however_often_it_runs(user, other_user):
    # The tests' immediate backend runs each enqueued check inline, in its own transactions.
    assert schedule_forgotten_timers_check() is None
    prefer(user, after_hours=3)
    session = start_session(user, started_at=ago(hours=4))
    start_session(other_user, started_at=ago(hours=12))
    first = check_forgotten_timers_task.enqueue()
    second = check_forgotten_timers_task.enqueue()
    assert first.return_value == {"stopped": 1, "asked": 1}
    assert second.return_value == {"stopped": 0, "asked": 0}
    session.refresh_from_db()
    assert session.stopped_at == session.started_at + timedelta(hours=3)
    assert TimerNotice.objects.count() == 2
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_stop_once_and_email_once(user, other_user):
    prefer(user, after_hours=3)
    session = start_session(user, started_at=ago(hours=4))
    start_session(other_user, started_at=ago(hours=12))
    errors = run_at_once([check_forgotten_timers_task.call for _ in range(4)])
    assert errors == []
    session.refresh_from_db()
    assert session.end_reason == EndReason.AUTO_STOPPED
    assert session.stopped_at == session.started_at + timedelta(hours=3)
    assert TimerNotice.objects.filter(kind=NoticeKind.AUTO_STOPPED).count() == 1
    assert TimerNotice.objects.filter(kind=NoticeKind.STILL_WORKING).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_user_stopping_while_the_worker_stops_keeps_their_own_stop(user):
    prefer(user, after_hours=1)
    start_session(user, started_at=ago(hours=2))
    errors = run_at_once([services.stop_forgotten_sessions, lambda: stop_session(user)])
    session = WorkSession.objects.get()
    # Whoever locked the user first stopped it; the other found nothing left to stop.
    if session.end_reason == EndReason.AUTO_STOPPED:
        assert [type(error).__name__ for error in errors] == ["NoActiveSessionError"]
        assert TimerNotice.objects.count() == 1
    else:
        assert session.end_reason == EndReason.STOPPED and errors == []
        assert not TimerNotice.objects.exists()
