"""The timesheet weeks in the API: submit, approve, reject."""

import pytest
from django.test import Client

from core.services import create_api_token
from worklog.teams.models import TimesheetWeek, WeekState

pytestmark = pytest.mark.django_db


def api_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='t')[1]}"})


def label(day) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def test_submit_then_a_manager_rejects_and_another_approves(
    user, team, manager, second_manager, last_week
):
    response = api_for(user).post(f"/api/v1/timesheets/{label(last_week)}/submit")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    assert response.json()["week_start"] == f"{last_week:%Y-%m-%d}"
    again = api_for(user).post(f"/api/v1/timesheets/{label(last_week)}/submit")
    assert again.status_code == 409
    assert again.json()["code"] == "week_state"
    reject = api_for(manager).post(
        f"/api/v1/timesheets/{label(last_week)}/reject",
        {"user_id": user.pk, "note": ""},
        content_type="application/json",
    )
    assert reject.status_code == 422
    assert reject.json()["code"] == "note_required"
    reject = api_for(manager).post(
        f"/api/v1/timesheets/{label(last_week)}/reject",
        {"user_id": user.pk, "note": "Add Friday"},
        content_type="application/json",
    )
    assert reject.json()["state"] == "rejected"
    assert reject.json()["rejection_note"] == "Add Friday"
    api_for(user).post(f"/api/v1/timesheets/{label(last_week)}/submit")
    approve = api_for(second_manager).post(
        f"/api/v1/timesheets/{label(last_week)}/approve",
        {"user_id": user.pk},
        content_type="application/json",
    )
    assert approve.status_code == 200
    assert TimesheetWeek.objects.get(user=user).state == WeekState.APPROVED


def test_approving_ones_own_week_is_403_and_someone_elses_team_404(
    user, other_user, team, manager, last_week
):
    team.members.add(manager)
    api_for(manager).post(f"/api/v1/timesheets/{label(last_week)}/submit")
    own = api_for(manager).post(
        f"/api/v1/timesheets/{label(last_week)}/approve",
        {"user_id": manager.pk},
        content_type="application/json",
    )
    assert own.status_code == 403
    assert own.json()["code"] == "self_approval"
    stranger = api_for(other_user).post(
        f"/api/v1/timesheets/{label(last_week)}/approve",
        {"user_id": manager.pk},
        content_type="application/json",
    )
    assert stranger.status_code == 404
    assert TimesheetWeek.objects.get(user=manager).state == WeekState.SUBMITTED


@pytest.mark.parametrize(
    ("week", "code"),
    [
        # The schema's pattern refuses these before the view runs.
        ("2026-W60", "invalid_input"),
        ("0001-W01", "invalid_input"),
        ("9999-W01", "invalid_input"),
        ("2026-W1x", "invalid_input"),
        ("2026W01", "invalid_input"),
        # The pattern's shape, but 2027 has no week 53.
        ("2027-W53", "invalid_week"),
    ],
)
def test_a_badly_named_week_is_422(user, week, code):
    response = api_for(user).post(f"/api/v1/timesheets/{week}/submit")
    assert response.status_code == 422
    assert response.json()["code"] == code
