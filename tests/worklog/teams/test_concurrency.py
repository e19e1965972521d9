"""Races between a member's change and the managers' decisions, with real threads on
PostgreSQL."""

from datetime import timedelta
from functools import partial

import pytest

from decisioning.models import Decision
from tests.worklog.teams.conftest import worked
from tests.worklog.timer.test_concurrency import run_at_once
from worklog.teams import services
from worklog.teams.exceptions import WeekLockedError, WeekStateError
from worklog.teams.models import TimesheetWeek, WeekState
from worklog.timer import services as timer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10


def test_a_correction_racing_an_approval_lands_before_the_lock_or_is_refused(
    user, team, manager, last_week
):
    outcomes = set()
    for round_number in range(ROUNDS):
        first_day = last_week - timedelta(weeks=round_number)
        session = worked(user, first_day + timedelta(days=1), 9, 10)
        week = services.submit_week(user=user, week_start=first_day)
        shorter = session.stopped_at - timedelta(minutes=15)
        errors = run_at_once(
            [
                partial(
                    timer.correct_session,
                    session=session,
                    started_at=session.started_at,
                    stopped_at=shorter,
                ),
                partial(services.approve_week, week=week, manager=manager),
            ]
        )
        session.refresh_from_db()
        week.refresh_from_db()
        approval = Decision.objects.for_target(week).get(decision_type=services.APPROVAL_DECISION)
        assert week.state == WeekState.APPROVED
        if session.stopped_at == shorter:
            assert errors == []
            # Landed first: the approval saw the change, and so does the manager's page.
            assert approval.context["changed_since_submitted"] is True
            assert week.changed_since_submitted
            outcomes.add("landed")
        else:
            assert [type(error) for error in errors] == [WeekLockedError]
            assert approval.context["changed_since_submitted"] is False
            outcomes.add("refused")
    assert outcomes  # which of the two orders the threads took is up to the scheduler


def test_two_managers_approving_at_once_make_one_approval(
    user, team, manager, second_manager, last_week
):
    week = services.submit_week(user=user, week_start=last_week)
    errors = run_at_once(
        [
            lambda: services.approve_week(week=week, manager=manager),
            lambda: services.approve_week(week=week, manager=second_manager),
        ]
    )
    assert [type(error) for error in errors] == [WeekStateError]
    assert Decision.objects.filter(decision_type=services.APPROVAL_DECISION).count() == 1
    assert TimesheetWeek.objects.get(pk=week.pk).state == WeekState.APPROVED
