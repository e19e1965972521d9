from datetime import timedelta

import pytest
from django.utils import timezone

from tests.testapp.models import Widget
from worklog import (
    NoActiveSessionError,
    WorkSession,
    get_total_time,
    get_user_sessions,
    start_session,
    stop_session,
    toggle_session,
)
from worklog.exceptions import InvalidSessionTimesError
from worklog.models import EndReason
from worklog.services import (
    correct_session,
    delete_session,
    restore_session,
    stop_running_session,
)

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


# start_session


def test_start_session_creates(user):
    session = start_session(user, session_type="development", notes="Feature X")
    assert WorkSession.objects.get() == session
    assert session.is_active
    assert session.session_type == "development"
    assert session.notes == "Feature X"
    assert session.target_id == ""


def test_start_session_with_target(user, widget):
    session = start_session(user, target=widget)
    session = WorkSession.objects.get(pk=session.pk)
    assert session.target == widget


def test_start_session_stops_existing(user):
    first = start_session(user)
    second = start_session(user)
    first.refresh_from_db()
    assert not first.is_active
    assert first.stopped_at == second.started_at
    assert first.end_reason == EndReason.SWITCHED
    assert list(WorkSession.objects.active()) == [second]


def test_start_session_no_stop_existing(user):
    first = start_session(user)
    second = start_session(user, stop_existing=False)
    first.refresh_from_db()
    assert first.is_active and second.is_active
    assert WorkSession.objects.active().count() == 2


def test_start_session_with_time(user):
    when = ago(hours=2)
    session = start_session(user, started_at=when)
    assert session.started_at == when
    assert session.effective_at == when


def test_start_session_with_metadata(user):
    session = start_session(user, metadata={"source": "hotkey", "n": 3})
    session.refresh_from_db()
    assert session.metadata == {"source": "hotkey", "n": 3}


# stop_session


def test_stop_session_stops(user):
    started = start_session(user, started_at=ago(minutes=10))
    stopped = stop_session(user)
    assert stopped.pk == started.pk
    stopped.refresh_from_db()
    assert not stopped.is_active
    assert stopped.end_reason == EndReason.STOPPED
    assert stopped.duration_seconds == int(
        (stopped.stopped_at - stopped.started_at).total_seconds()
    )


def test_stop_session_with_time(user):
    start_session(user, started_at=ago(hours=2))
    when = ago(hours=1)
    session = stop_session(user, stopped_at=when)
    assert session.stopped_at == when
    assert 3590 <= session.duration_seconds <= 3610


def test_stop_session_appends_notes(user):
    start_session(user, notes="Started the draft")
    session = stop_session(user, notes="Sent for review")
    session.refresh_from_db()
    assert session.notes == "Started the draft\nSent for review"
    start_session(user)
    assert stop_session(user, notes="Only note").notes == "Only note"


def test_stop_session_no_active_raises(user):
    with pytest.raises(NoActiveSessionError) as caught:
        stop_session(user)
    assert str(caught.value) == f"No active session for user {user}"


# toggle_session


def test_toggle_starts_when_none(user):
    session = toggle_session(user, session_type="review")
    assert session.is_active
    assert WorkSession.objects.active().get() == session


def test_toggle_stops_when_active(user):
    started = start_session(user)
    toggled = toggle_session(user)
    assert toggled.pk == started.pk
    assert not toggled.is_active
    assert not WorkSession.objects.active().exists()


def test_toggle_returns_session(user):
    assert isinstance(toggle_session(user), WorkSession)
    assert isinstance(toggle_session(user), WorkSession)


# Beyond the seed


def test_toggle_on_other_target_switches(user, widget):
    other = Widget.objects.create(name="other")
    first = start_session(user, target=widget)
    second = toggle_session(user, target=other)
    first.refresh_from_db()
    assert second.is_active and second.target == other
    assert first.end_reason == EndReason.SWITCHED
    assert first.stopped_at == second.started_at


def test_switch_stops_every_running_session(user):
    start_session(user, stop_existing=False)
    start_session(user, stop_existing=False)
    newest = start_session(user)
    assert list(WorkSession.objects.active()) == [newest]


def test_switch_refuses_new_start_before_running_start(user):
    start_session(user, started_at=ago(minutes=5))
    with pytest.raises(InvalidSessionTimesError):
        start_session(user, started_at=ago(hours=1))
    assert WorkSession.objects.count() == 1
    assert WorkSession.objects.active().count() == 1


def test_get_user_sessions_filters(user, other_user, widget):
    old = start_session(user, started_at=ago(days=3), session_type="review")
    new = start_session(user, target=widget, session_type="dev")
    start_session(other_user)
    assert set(get_user_sessions(user)) == {old, new}
    assert list(get_user_sessions(user, start_date=ago(days=1))) == [new]
    assert list(get_user_sessions(user, end_date=ago(days=1))) == [old]
    assert list(get_user_sessions(user, target=widget)) == [new]
    assert list(get_user_sessions(user, session_type="review")) == [old]


def test_get_total_time_counts_completed_sessions_only(user):
    start_session(user, started_at=ago(hours=3))
    stop_session(user, stopped_at=ago(hours=2))
    start_session(user, started_at=ago(minutes=30))
    assert 3590 <= get_total_time(user) <= 3610


def test_correct_session_rewrites_times_and_records_reason(user, widget):
    session = start_session(user, started_at=ago(hours=3))
    stop_session(user, stopped_at=ago(hours=2))
    recorded = WorkSession.objects.get().recorded_at
    start, stop = ago(hours=4), ago(hours=3, minutes=30)
    corrected = correct_session(
        session=session,
        started_at=start,
        stopped_at=stop,
        target=widget,
        session_type="review",
        notes="fixed",
        effective_at=ago(days=1),
    )
    corrected.refresh_from_db()
    assert (corrected.started_at, corrected.stopped_at) == (start, stop)
    assert corrected.duration_seconds == 1800
    assert corrected.end_reason == EndReason.CORRECTED
    assert corrected.target == widget
    assert corrected.recorded_at == recorded


@pytest.mark.parametrize(
    ("start_hours_ago", "stop_hours_ago", "field"),
    [(2, 3, "stopped_at"), (2, -1, "stopped_at"), (6, 4.5, "started_at")],
    ids=["stop-before-start", "future-stop", "overlap"],
)
def test_correct_session_refuses_impossible_times(user, start_hours_ago, stop_hours_ago, field):
    neighbour = start_session(user, started_at=ago(hours=5))
    stop_session(user, stopped_at=ago(hours=4))
    session = start_session(user, started_at=ago(hours=3))
    stop_session(user, stopped_at=ago(hours=2))
    with pytest.raises(InvalidSessionTimesError) as caught:
        correct_session(
            session=session,
            started_at=ago(hours=start_hours_ago),
            stopped_at=ago(hours=stop_hours_ago),
        )
    assert caught.value.field == field
    session.refresh_from_db()
    neighbour.refresh_from_db()
    assert session.end_reason == EndReason.STOPPED


def test_correction_may_end_exactly_where_the_next_session_begins(user):
    first = start_session(user, started_at=ago(hours=5))
    stop_session(user, stopped_at=ago(hours=4))
    second = start_session(user, started_at=ago(hours=3))
    stop_session(user, stopped_at=ago(hours=2))
    second.refresh_from_db()
    corrected = correct_session(
        session=first, started_at=first.started_at, stopped_at=second.started_at
    )
    assert corrected.stopped_at == second.started_at


def test_stop_running_session_at_a_past_time_is_a_correction(user):
    session = start_session(user, started_at=ago(hours=12))
    stopped = stop_running_session(
        session=session, stopped_at=ago(hours=4), end_reason=EndReason.CORRECTED
    )
    assert stopped.end_reason == EndReason.CORRECTED
    assert stopped.duration_seconds == 8 * 3600
    with pytest.raises(InvalidSessionTimesError):
        stop_running_session(session=start_session(user), stopped_at=timezone.now() + timedelta(1))


def test_delete_and_restore_session(user):
    session = start_session(user, started_at=ago(hours=2))
    stop_session(user, stopped_at=ago(hours=1))
    delete_session(session=session)
    assert not WorkSession.objects.exists()
    restore_session(session=session)
    assert WorkSession.objects.get() == session


def test_restore_refuses_when_another_session_took_the_time(user):
    session = start_session(user, started_at=ago(hours=2))
    stop_session(user, stopped_at=ago(hours=1))
    delete_session(session=session)
    start_session(user, started_at=ago(hours=1, minutes=30))
    with pytest.raises(InvalidSessionTimesError):
        restore_session(session=session)
    assert WorkSession.all_objects.get(pk=session.pk).is_deleted


def test_lazy_exports():
    import worklog
    from worklog.timer import services as timer

    seed_names = {
        "WorkSession",
        "get_active_session",
        "start_session",
        "stop_session",
        "toggle_session",
        "get_user_sessions",
        "get_total_time",
        "WorklogError",
        "NoActiveSessionError",
        "SessionAlreadyStoppedError",
    }
    assert seed_names <= set(worklog.__all__)
    for name in worklog.__all__:
        assert getattr(worklog, name) is not None
    assert worklog.start_session is timer.start_session
    assert worklog.__version__
    with pytest.raises(AttributeError):
        worklog.NotAThing  # noqa: B018
