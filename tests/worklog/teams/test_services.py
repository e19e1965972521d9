"""Submitting, approving, rejecting and unlocking weeks, each a Decision."""

from datetime import timedelta

import pytest

from decisioning.models import Decision
from tests.worklog.teams.conftest import at, worked
from worklog.teams import services
from worklog.teams.exceptions import (
    NoteRequiredError,
    NotTeamManagerError,
    SelfApprovalError,
    WeekStateError,
)
from worklog.teams.models import TimesheetWeek, WeekState
from worklog.timer.models import WorkSession

pytestmark = pytest.mark.django_db


def test_submit_reject_resubmit_approve_records_each_decision(
    user, team, manager, second_manager, last_week
):
    worked(user, last_week, 9, 10)
    week = services.submit_week(user=user, week_start=last_week)
    services.reject_week(week=week, manager=manager, note="Tuesday is missing")
    week.refresh_from_db()
    assert week.state == WeekState.REJECTED
    assert week.rejection_note == "Tuesday is missing"
    services.submit_week(user=user, week_start=last_week)
    services.approve_week(week=week, manager=second_manager)
    week.refresh_from_db()
    assert week.state == WeekState.APPROVED
    assert week.decided_by == second_manager
    trail = Decision.objects.for_target(week).order_by("recorded_at")
    assert [decision.decision_type for decision in trail] == [
        services.SUBMIT_DECISION,
        services.REJECTION_DECISION,
        services.SUBMIT_DECISION,
        services.APPROVAL_DECISION,
    ]


def test_a_week_with_a_running_session_cannot_be_submitted(user, team, last_week):
    started = at(user, last_week + timedelta(days=2), 9)
    WorkSession.objects.create(user=user, started_at=started, effective_at=started)
    with pytest.raises(WeekStateError, match="Stop the running session"):
        services.submit_week(user=user, week_start=last_week)
    assert not TimesheetWeek.objects.filter(state=WeekState.SUBMITTED).exists()


def test_nobody_approves_their_own_week_not_even_a_superuser_manager(
    user, team, manager, last_week
):
    manager.is_superuser = True
    manager.save()
    team.members.add(manager)
    week = services.submit_week(user=manager, week_start=last_week)
    with pytest.raises(SelfApprovalError):
        services.approve_week(week=week, manager=manager)
    with pytest.raises(SelfApprovalError):
        services.reject_week(week=week, manager=manager, note="no")
    week.refresh_from_db()
    assert week.state == WeekState.SUBMITTED


def test_only_a_manager_of_the_users_team_decides(user, other_user, team, last_week):
    week = services.submit_week(user=user, week_start=last_week)
    with pytest.raises(NotTeamManagerError):
        services.approve_week(week=week, manager=other_user)


def test_a_rejection_needs_a_note(user, team, manager, last_week):
    week = services.submit_week(user=user, week_start=last_week)
    with pytest.raises(NoteRequiredError):
        services.reject_week(week=week, manager=manager, note="  ")


def test_a_week_is_approved_once(user, team, manager, second_manager, last_week):
    week = services.submit_week(user=user, week_start=last_week)
    services.approve_week(week=week, manager=manager)
    with pytest.raises(WeekStateError):
        services.approve_week(week=week, manager=second_manager)
    assert Decision.objects.filter(decision_type=services.APPROVAL_DECISION).count() == 1


def test_an_unlock_needs_an_administrator_and_a_reason_and_supersedes_the_approval(
    user, team, manager, approved_week
):
    with pytest.raises(NotTeamManagerError):
        services.unlock_week(week=approved_week, admin=manager, reason="why not")
    admin = type(user).objects.create_superuser("root", "root@example.com", "pw-pw-pw-pw")
    with pytest.raises(NoteRequiredError):
        services.unlock_week(week=approved_week, admin=admin, reason="")
    unlock = services.unlock_week(week=approved_week, admin=admin, reason="Payroll fix")
    approval = Decision.objects.get(decision_type=services.APPROVAL_DECISION)
    assert unlock.supersedes == approval
    assert unlock.reason == "Payroll fix"
    approved_week.refresh_from_db()
    assert approved_week.state == WeekState.OPEN
