"""Adding forgotten time, moving a running start and continuing an entry (the timesheet's
writes): each keeps the timer's rules (half-open intervals, no overlap, nothing in the future)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.testapp.models import Widget
from worklog.timer import services
from worklog.timer.exceptions import InvalidSessionTimesError, OverlappingSessionError
from worklog.timer.models import EndReason, WorkSession

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int = 0, *, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def stopped(user):
    return services.add_session(
        user=user, started_at=at(9), stopped_at=at(10, 30), session_type="review", notes="PR 12"
    )


def test_add_session_records_a_stopped_session(user):
    widget = Widget.objects.create(name="Card form")
    session = services.add_session(
        user=user, started_at=at(9), stopped_at=at(10, 30), target=widget, notes="forgot"
    )
    session.refresh_from_db()
    assert session.target == widget
    assert session.stopped_at == at(10, 30)
    assert session.duration_seconds == 90 * 60
    assert session.end_reason == EndReason.STOPPED
    assert session.effective_at == at(9)
    assert session.notes == "forgot"


def test_add_session_refuses_zero_length_and_backwards(user):
    for stop in (at(9), at(8)):
        with pytest.raises(InvalidSessionTimesError) as error:
            services.add_session(user=user, started_at=at(9), stopped_at=stop)
        assert error.value.field == "stopped_at"
    assert not WorkSession.objects.exists()


def test_add_session_refuses_the_future(user):
    now = timezone.now()
    with pytest.raises(InvalidSessionTimesError, match="future"):
        services.add_session(
            user=user, started_at=now - timedelta(minutes=5), stopped_at=now + timedelta(minutes=5)
        )
    assert not WorkSession.objects.exists()


def test_add_session_overlap_names_the_other_session(user, stopped):
    widget = Widget.objects.create(name="Card form")
    stopped.target = widget
    stopped.save()
    with pytest.raises(OverlappingSessionError) as error:
        services.add_session(user=user, started_at=at(10), stopped_at=at(11))
    assert error.value.sessions == [stopped]
    assert "Mon 2 Mar 09:00–10:30" in str(error.value)
    assert f"({widget})" in str(error.value)
    assert WorkSession.objects.count() == 1


def test_add_session_touching_another_is_not_an_overlap(user, stopped):
    session = services.add_session(user=user, started_at=at(10, 30), stopped_at=at(11))
    assert session.started_at == stopped.stopped_at


def test_add_session_overlap_shows_times_in_the_users_zone(user, stopped):
    user.time_zone = "Europe/Berlin"
    user.save()
    with pytest.raises(OverlappingSessionError, match="10:00–11:30"):
        services.add_session(user=user, started_at=at(10), stopped_at=at(11))


def test_add_session_trims_the_end_of_an_earlier_session(user, stopped):
    services.add_session(user=user, started_at=at(10), stopped_at=at(11), trim_overlapping=True)
    stopped.refresh_from_db()
    assert stopped.stopped_at == at(10)
    assert stopped.duration_seconds == 3600
    assert stopped.end_reason == EndReason.CORRECTED


def test_add_session_trims_the_start_of_a_later_session(user, stopped):
    services.add_session(user=user, started_at=at(8), stopped_at=at(9, 30), trim_overlapping=True)
    stopped.refresh_from_db()
    assert stopped.started_at == at(9, 30)
    assert stopped.duration_seconds == 3600


def test_add_session_does_not_trim_away_or_split_a_session(user, stopped):
    for start, stop in ((at(8), at(11)), (at(9, 30), at(10))):
        with pytest.raises(OverlappingSessionError):
            services.add_session(
                user=user, started_at=start, stopped_at=stop, trim_overlapping=True
            )
    stopped.refresh_from_db()
    assert (stopped.started_at, stopped.stopped_at) == (at(9), at(10, 30))
    assert WorkSession.objects.count() == 1


def test_add_session_overlapping_the_running_timer_is_refused(user):
    running = services.start_session(user, started_at=timezone.now() - timedelta(hours=2))
    with pytest.raises(OverlappingSessionError) as error:
        services.add_session(
            user=user,
            started_at=timezone.now() - timedelta(hours=1),
            stopped_at=timezone.now() - timedelta(minutes=30),
            trim_overlapping=True,
        )
    assert error.value.sessions == [running]
    assert WorkSession.objects.count() == 1


def test_move_running_start_back_and_forth(user):
    now = timezone.now()
    running = services.start_session(user, started_at=now - timedelta(minutes=10))
    services.move_running_start(session=running, started_at=now - timedelta(minutes=40))
    running.refresh_from_db()
    assert running.started_at == now - timedelta(minutes=40)
    assert running.effective_at == running.started_at
    assert running.is_active


def test_move_running_start_refuses_the_future_and_a_stopped_session(user, stopped):
    running = services.start_session(user)
    with pytest.raises(InvalidSessionTimesError, match="future"):
        services.move_running_start(
            session=running, started_at=timezone.now() + timedelta(minutes=5)
        )
    with pytest.raises(InvalidSessionTimesError, match="running"):
        services.move_running_start(session=stopped, started_at=at(8))


def test_move_running_start_into_another_session_is_refused(user, stopped):
    running = services.start_session(user, started_at=at(11))
    with pytest.raises(OverlappingSessionError) as error:
        services.move_running_start(session=running, started_at=at(10))
    assert error.value.sessions == [stopped]
    running.refresh_from_db()
    assert running.started_at == at(11)


def test_move_running_start_cannot_take_time_from_the_session_it_switched_from(user):
    now = timezone.now()
    first = services.start_session(user, started_at=now - timedelta(hours=1))
    second = services.start_session(user, started_at=now - timedelta(minutes=20))
    with pytest.raises(OverlappingSessionError):
        services.move_running_start(session=second, started_at=now - timedelta(minutes=30))
    services.move_running_start(session=second, started_at=now - timedelta(minutes=10))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.stopped_at == now - timedelta(minutes=20)
    assert second.started_at == now - timedelta(minutes=10)


def test_continue_session_starts_the_same_work_now(user, stopped):
    widget = Widget.objects.create(name="Card form")
    stopped.target = widget
    stopped.save()
    before = timezone.now()
    continued = services.continue_session(session=stopped)
    assert continued.pk != stopped.pk
    assert continued.is_active
    assert continued.started_at >= before
    assert (continued.target, continued.session_type, continued.notes) == (
        widget,
        "review",
        "PR 12",
    )


def test_continue_session_switches_from_the_running_one(user, stopped):
    running = services.start_session(user)
    continued = services.continue_session(session=stopped)
    running.refresh_from_db()
    assert running.end_reason == EndReason.SWITCHED
    assert running.stopped_at == continued.started_at


def test_correct_session_refuses_zero_length(user, stopped):
    with pytest.raises(InvalidSessionTimesError) as error:
        services.correct_session(session=stopped, started_at=at(9), stopped_at=at(9))
    assert error.value.field == "stopped_at"
    stopped.refresh_from_db()
    assert stopped.stopped_at == at(10, 30)
