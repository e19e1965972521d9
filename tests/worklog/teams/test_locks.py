"""The lock: every write path refuses a change inside a locked week, leaves the database as it
was, and records the refusal."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.services import create_api_token
from decisioning.models import Decision
from tests.worklog.teams.conftest import at, worked
from worklog.procedures import services as procedures
from worklog.procedures.exceptions import TimeLockedError
from worklog.teams import services as teams
from worklog.teams.exceptions import WeekLockedError
from worklog.teams.locks import REFUSAL_DECISION
from worklog.teams.models import LockPeriod, TimesheetWeek, WeekState
from worklog.timer import services
from worklog.timer.models import (
    NoticeKind,
    TimerNotice,
    TimerPreferences,
    WorkSession,
)

pytestmark = pytest.mark.django_db


def snapshot() -> list[dict]:
    return list(WorkSession.all_objects.order_by("pk").values())


def refusals() -> int:
    return Decision.objects.filter(decision_type=REFUSAL_DECISION).count()


@pytest.fixture
def inside(user, approved_week):
    """A stopped session on the approved week's Wednesday."""
    return worked(user, approved_week.week_start + timedelta(days=2), 13, 14)


@pytest.fixture
def running_inside(user, approved_week):
    """A running session started inside the locked week (as one left from before a lock
    period would be)."""
    started = at(user, approved_week.week_start + timedelta(days=4), 16)
    return WorkSession.objects.create(
        user=user, started_at=started, effective_at=started, switch_policy=True
    )


@pytest.fixture
def running_now(user):
    return services.start_session(user)


def day_in(week, offset: int = 3):
    return week.week_start + timedelta(days=offset)


def _start_backdated(user, week, fixture):
    return lambda: services.start_session(user, started_at=at(user, day_in(week), 8))


def _stop(user, week, fixture):
    fixture("running_inside")
    return lambda: services.stop_session(user)


def _toggle(user, week, fixture):
    fixture("running_inside")
    return lambda: services.toggle_session(user)


def _stop_one(user, week, fixture):
    session = fixture("running_inside")
    return lambda: services.stop_running_session(session=session)


def _correct(user, week, fixture):
    session = fixture("inside")
    stop = session.stopped_at - timedelta(minutes=10)
    return lambda: services.correct_session(
        session=session, started_at=session.started_at, stopped_at=stop
    )


def _correct_into(user, week, fixture):
    session = worked(user, timezone.localdate(timezone=user.zone) - timedelta(days=30), 9, 10)
    start, stop = at(user, day_in(week), 9), at(user, day_in(week), 10)
    return lambda: services.correct_session(session=session, started_at=start, stopped_at=stop)


def _correct_running_into(user, week, fixture):
    session = fixture("running_now")
    start = at(user, day_in(week), 9)
    return lambda: services.correct_running_session(session=session, started_at=start)


def _move_start_into(user, week, fixture):
    session = fixture("running_now")
    start = at(user, day_in(week), 9)
    return lambda: services.move_running_start(session=session, started_at=start)


def _delete(user, week, fixture):
    session = fixture("inside")
    return lambda: services.delete_session(session=session)


def _restore(user, week, fixture):
    session = fixture("inside")
    # Deleted before the week was approved.
    WorkSession.objects.filter(pk=session.pk).delete()
    deleted = WorkSession.all_objects.get(pk=session.pk)
    return lambda: services.restore_session(session=deleted)


def _add(user, week, fixture):
    start, stop = at(user, day_in(week, 5), 9), at(user, day_in(week, 5), 10)
    return lambda: services.add_session(user=user, started_at=start, stopped_at=stop)


def _auto_stop(user, week, fixture):
    session = fixture("running_inside")
    TimerPreferences.objects.create(user=user, auto_stop_after_hours=1)
    return lambda: services.auto_stop_session(session=session)


def _answer_email(user, week, fixture):
    session = fixture("running_inside")
    notice = TimerNotice.objects.create(user=user, session=session, kind=NoticeKind.STILL_WORKING)
    return lambda: services.answer_still_working(notice=notice, keep_running=False)


SERVICE_PATHS = {
    "start backdated into the week": _start_backdated,
    "stop": _stop,
    "toggle (stops)": _toggle,
    "stop one session": _stop_one,
    "correct": _correct,
    "correct a session into the week": _correct_into,
    "correct a running session's start into the week": _correct_running_into,
    "move a running start into the week": _move_start_into,
    "delete": _delete,
    "restore": _restore,
    "add time": _add,
    "auto-stop": _auto_stop,
    "stop from the still-working email": _answer_email,
}


@pytest.mark.parametrize("path", SERVICE_PATHS)
def test_every_service_write_path_refuses_a_locked_week(request, user, approved_week, path):
    act = SERVICE_PATHS[path](user, approved_week, request.getfixturevalue)
    before, refused = snapshot(), refusals()
    with pytest.raises(WeekLockedError) as refusal:
        act()
    assert refusal.value.week_start == approved_week.week_start
    assert snapshot() == before
    assert refusals() == refused + 1
    decision = Decision.objects.filter(decision_type=REFUSAL_DECISION).latest("recorded_at")
    assert decision.target == approved_week
    assert decision.decided_by == user


def test_starting_or_continuing_now_inside_an_approved_current_week_is_refused(user, team, manager):
    today = timezone.localdate(timezone=user.zone)
    session = worked(user, today - timedelta(days=60), 9, 10)
    week = teams.submit_week(user=user, week_start=today - timedelta(days=today.weekday()))
    teams.approve_week(week=week, manager=manager)
    before = snapshot()
    with pytest.raises(WeekLockedError):
        services.continue_session(session=session)
    with pytest.raises(WeekLockedError):
        services.start_session(user)
    assert snapshot() == before
    assert refusals() == 2


def test_a_procedure_timer_is_not_stopped_inside_a_locked_week(user, approved_week, make_sop):
    sop = make_sop(user)
    session = procedures.start_procedure_session(worker=user, sop=sop)
    WorkSession.objects.filter(pk=session.timer_session_id).update(
        started_at=at(user, day_in(approved_week), 9)
    )
    before = snapshot()
    with pytest.raises(TimeLockedError):
        procedures.pause_procedure_session(session=session, user=user)
    assert snapshot() == before
    session.refresh_from_db()
    assert session.status == "in_progress"
    assert refusals() == 1


def test_the_admin_refuses_a_change_inside_a_locked_week(client, user, inside):
    admin = type(user).objects.create_superuser("root", "root@example.com", "pw-pw-pw-pw")
    client.force_login(admin)
    local = inside.started_at.astimezone(timezone.get_current_timezone())
    stop = local + timedelta(minutes=30)
    before = snapshot()
    response = client.post(
        reverse("admin:worklog_worksession_change", args=[inside.pk]),
        {
            "user": user.pk,
            "target_key": "",
            "session_type": "",
            "started_at_0": f"{local:%Y-%m-%d}",
            "started_at_1": f"{local:%H:%M:%S}",
            "stopped_at_0": f"{stop:%Y-%m-%d}",
            "stopped_at_1": f"{stop:%H:%M:%S}",
            "effective_at_0": f"{local:%Y-%m-%d}",
            "effective_at_1": f"{local:%H:%M:%S}",
            "notes": "",
            "metadata": "{}",
        },
    )
    assert response.status_code == 200
    assert "is locked" in response.content.decode()
    assert snapshot() == before
    assert Decision.objects.get(decision_type=REFUSAL_DECISION).decided_by == admin
    client.post(reverse("admin:worklog_worksession_delete", args=[inside.pk]), {"post": "yes"})
    assert snapshot() == before


def test_the_api_answers_409_week_locked(user, inside, approved_week):
    token = create_api_token(user=user, name="cli")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    before = snapshot()
    day = day_in(approved_week, 5)
    answers = [
        api.patch(
            f"/api/v1/timer/sessions/{inside.pk}",
            {"notes": "changed"},
            content_type="application/json",
        ),
        api.delete(f"/api/v1/timer/sessions/{inside.pk}"),
        api.post(
            "/api/v1/timer/sessions",
            {"started_at": f"{day}T09:00", "duration_seconds": 600},
            content_type="application/json",
        ),
        api.post(
            "/api/v1/timer/sessions",
            {"started_at": f"{day}T11:00", "duration_seconds": 600},
            content_type="application/json",
            headers={"Idempotency-Key": "add-once"},
        ),
    ]
    for response in answers:
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "week_locked"
    assert snapshot() == before
    assert refusals() == 4


def test_the_pages_refuse_with_a_clear_message(user_client, user, inside, approved_week):
    before = snapshot()
    local = inside.started_at.astimezone(user.zone)
    edit = user_client.post(
        reverse("worklog:session-edit", args=[inside.pk]),
        {
            "started_at": f"{local:%Y-%m-%dT%H:%M}",
            "stopped_at": f"{local + timedelta(minutes=20):%Y-%m-%dT%H:%M}",
            "effective_at": f"{local:%Y-%m-%dT%H:%M}",
            "target": "",
            "session_type": "",
            "notes": "",
        },
    )
    assert edit.status_code == 422
    assert "is locked" in edit.content.decode()
    delete = user_client.post(reverse("worklog:session-delete", args=[inside.pk]), follow=True)
    assert "is locked" in delete.content.decode()
    add = user_client.post(
        reverse("worklog:session-add"),
        {
            "started_at": f"{local + timedelta(hours=2):%Y-%m-%dT%H:%M}",
            "stopped_at": f"{local + timedelta(hours=3):%Y-%m-%dT%H:%M}",
            "target": "",
            "session_type": "",
            "notes": "",
        },
    )
    assert add.status_code == 422
    assert "is locked" in add.content.decode()
    assert snapshot() == before
    assert refusals() == 3


def test_a_lock_period_locks_everyone_up_to_its_date(user, last_week):
    session = worked(user, last_week, 9, 10)
    LockPeriod.objects.create(locked_through=last_week)
    with pytest.raises(WeekLockedError) as refusal:
        services.delete_session(session=session)
    assert not refusal.value.approved
    # The next day is not locked.
    services.add_session(
        user=user,
        started_at=at(user, last_week + timedelta(days=1), 9),
        stopped_at=at(user, last_week + timedelta(days=1), 10),
    )


def test_an_automatic_lock_locks_weeks_older_than_n_days(user, last_week):
    LockPeriod.objects.create(auto_lock_after_days=0)
    with pytest.raises(WeekLockedError):
        services.add_session(
            user=user, started_at=at(user, last_week, 9), stopped_at=at(user, last_week, 10)
        )
    LockPeriod.objects.create(auto_lock_after_days=8)
    services.add_session(
        user=user, started_at=at(user, last_week, 9), stopped_at=at(user, last_week, 10)
    )


def test_a_change_to_a_submitted_week_is_allowed_and_marked(user, team, last_week):
    session = worked(user, last_week + timedelta(days=1), 9, 10)
    teams.submit_week(user=user, week_start=last_week)
    services.correct_session(
        session=session,
        started_at=session.started_at,
        stopped_at=session.stopped_at - timedelta(minutes=5),
    )
    week = TimesheetWeek.objects.get(user=user, week_start=last_week)
    assert week.state == WeekState.SUBMITTED
    assert week.changed_since_submitted


def test_an_unlocked_week_can_be_changed_again(user, inside, approved_week):
    admin = type(user).objects.create_superuser("root", "root@example.com", "pw-pw-pw-pw")
    teams.unlock_week(week=approved_week, admin=admin, reason="Payroll correction")
    services.delete_session(session=inside)
    approved_week.refresh_from_db()
    assert approved_week.state == WeekState.OPEN
