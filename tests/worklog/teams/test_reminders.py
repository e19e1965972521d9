"""The Monday reminders: members with last week not submitted, managers with weeks waiting;
each email once per week and recipient."""

import zoneinfo
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.worklog.timer.test_concurrency import run_at_once
from worklog.teams import services
from worklog.teams.models import ReminderKind, WeekReminder
from worklog.teams.tasks import send_week_reminders_task

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 09:00 in Berlin (the site's zone is UTC in the tests).
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MONDAY_MORNING = datetime(2026, 12, 7, 9, tzinfo=BERLIN)
LAST_WEEK = MONDAY_MORNING.date() - timedelta(days=7)


@pytest.fixture
def in_berlin(user, manager, second_manager):
    for person in (user, manager, second_manager):
        person.time_zone = "Europe/Berlin"
        person.save()


def test_monday_morning_reminds_the_member_and_the_managers_once(
    user, team, manager, second_manager, other_user, in_berlin
):
    other_user.time_zone = "Europe/Berlin"
    other_user.save()
    team.members.add(other_user)
    services.submit_week(user=other_user, week_start=LAST_WEEK)
    sent = services.send_week_reminders(now=MONDAY_MORNING)
    assert sorted((r.recipient.username, r.kind) for r in sent) == [
        ("alice", ReminderKind.SUBMIT),
        ("carol", ReminderKind.APPROVE),
        ("dave", ReminderKind.APPROVE),
    ]
    assert len(mail.outbox) == 3
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects["alice@example.com"] == "Please submit your week of 30 Nov"
    assert subjects["carol@example.com"] == "1 week waiting for your approval"
    # An hour later, the same Monday: nothing again.
    assert services.send_week_reminders(now=MONDAY_MORNING + timedelta(hours=1)) == []
    assert len(mail.outbox) == 3


def test_no_reminder_before_monday_morning_in_the_users_zone(user, team, in_berlin):
    assert services.send_week_reminders(now=MONDAY_MORNING.replace(hour=6)) == []
    assert services.send_week_reminders(now=MONDAY_MORNING - timedelta(days=1)) == []
    assert mail.outbox == []


def test_a_submitted_week_and_people_outside_teams_get_no_reminder(
    user, other_user, team, in_berlin
):
    services.submit_week(user=user, week_start=LAST_WEEK)
    sent = services.send_week_reminders(now=MONDAY_MORNING)
    assert {reminder.recipient.username for reminder in sent} == {"carol", "dave"}


def test_the_task_sends_them(user, team, in_berlin, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_MORNING)
    result = send_week_reminders_task.enqueue()
    assert result.return_value == {"sent": 1}


def test_the_week_page_shows_the_reminder_banner(user_client, user, team):
    html = user_client.get("/timer/week/").content.decode()
    assert 'data-testid="submit-reminder"' in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_reminder_once(user, team, in_berlin):
    errors = run_at_once(
        [lambda: services.send_week_reminders(now=MONDAY_MORNING) for _ in range(4)]
    )
    assert errors == []
    assert len(mail.outbox) == 1
    assert WeekReminder.objects.count() == 1


def test_the_task_reschedules_itself_and_the_command_schedules_it_once(dummy_backend, settings):
    settings.WORKLOG_WEEK_REMINDERS_INTERVAL = timedelta(minutes=10)
    before = timezone.now()
    assert send_week_reminders_task.call() == {"sent": 0}
    [next_run] = dummy_backend.results
    assert next_run.task.func is send_week_reminders_task.func
    assert before + timedelta(minutes=10) <= next_run.task.run_after
    out = StringIO()
    call_command("send_week_reminders", "--schedule", stdout=out)
    call_command("send_week_reminders", "--schedule", stdout=out)
    assert "Scheduled the week reminders" in out.getvalue()
    assert "already scheduled" in out.getvalue()
    assert len(dummy_backend.results) == 2
