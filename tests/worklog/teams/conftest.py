from datetime import datetime, time, timedelta

import pytest
from django.tasks import task_backends
from django.tasks.backends.dummy import DummyBackend
from django.utils import timezone

from tests.conftest import PASSWORD
from worklog.teams import services
from worklog.teams.models import Team
from worklog.teams.selectors import week_start
from worklog.timer.models import EndReason, WorkSession


@pytest.fixture
def manager(django_user_model):
    return django_user_model.objects.create_user(
        username="carol", password=PASSWORD, email="carol@example.com"
    )


@pytest.fixture
def second_manager(django_user_model):
    return django_user_model.objects.create_user(
        username="dave", password=PASSWORD, email="dave@example.com"
    )


@pytest.fixture
def team(user, manager, second_manager):
    team = Team.objects.create(name="Field crew")
    team.members.add(user)
    team.managers.add(manager, second_manager)
    return team


@pytest.fixture
def last_week(user):
    """The first day of the user's previous week."""
    today = timezone.localdate(timezone=user.zone)
    return week_start(today, user.week_start) - timedelta(days=7)


def at(user, day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=user.zone)


def worked(user, day, start_hour: int, stop_hour: int, **fields) -> WorkSession:
    started_at, stopped_at = at(user, day, start_hour), at(user, day, stop_hour)
    return WorkSession.objects.create(
        user=user,
        started_at=started_at,
        effective_at=started_at,
        stopped_at=stopped_at,
        duration_seconds=int((stopped_at - started_at).total_seconds()),
        end_reason=EndReason.STOPPED,
        switch_policy=True,
        **fields,
    )


@pytest.fixture
def approved_week(user, team, manager, last_week):
    """Last week, with a session on its Tuesday, submitted and approved."""
    worked(user, last_week + timedelta(days=1), 9, 10)
    week = services.submit_week(user=user, week_start=last_week)
    services.approve_week(week=week, manager=manager)
    week.refresh_from_db()
    return week


@pytest.fixture
def dummy_backend():
    """A task backend that keeps what is enqueued (with its run_after) and runs nothing."""
    original = task_backends["default"]
    backend = DummyBackend(alias="default", params={})
    task_backends["default"] = backend
    yield backend
    task_backends["default"] = original
