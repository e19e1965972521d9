import uuid
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from tests.testapp.models import Widget
from worklog.exceptions import SessionAlreadyStoppedError
from worklog.models import EndReason, WorkSession

pytestmark = pytest.mark.django_db


def make(user, **kwargs):
    return WorkSession.objects.create(user=user, **kwargs)


# WorkSession model


def test_session_creation(user):
    session = make(user, session_type="development", notes="Feature X")
    session.refresh_from_db()
    assert session.user == user
    assert session.session_type == "development"
    assert session.notes == "Feature X"
    assert session.started_at is not None
    assert session.recorded_at is not None
    assert session.stopped_at is None
    assert session.metadata == {}


def test_session_has_uuid_pk(user):
    assert isinstance(make(user).pk, uuid.UUID)


def test_session_user_fk(user):
    session = make(user)
    assert session.user_id == user.pk
    assert list(user.work_sessions.all()) == [session]


def test_session_target_generic_fk(user, widget):
    session = make(user, target=widget)
    session = WorkSession.objects.get(pk=session.pk)
    assert session.target == widget
    assert session.target_content_type == ContentType.objects.get_for_model(Widget)
    assert session.target_id == str(widget.pk)


def test_session_target_optional(user):
    session = make(user, target=None)
    session.refresh_from_db()
    assert session.target is None
    assert session.target_content_type is None
    assert session.target_id == ""


def test_session_is_active_property(user):
    assert make(user).is_active is True


def test_session_is_active_false(user):
    session = make(user)
    session.stop()
    assert session.is_active is False


def test_session_duration_property(user):
    start = timezone.now() - timedelta(hours=2)
    session = make(user, started_at=start, stopped_at=start + timedelta(minutes=90))
    assert session.duration == timedelta(minutes=90)
    session.duration_seconds = 60
    assert session.duration == timedelta(seconds=60)
    running = make(user, started_at=timezone.now() - timedelta(minutes=5))
    assert timedelta(minutes=5) <= running.duration < timedelta(minutes=6)


def test_session_duration_hours_property(user):
    start = timezone.now() - timedelta(hours=3)
    session = make(user, started_at=start)
    session.stop(stopped_at=start + timedelta(hours=1, minutes=30))
    assert session.duration_hours == 1.5


def test_session_stop_method(user):
    start = timezone.now() - timedelta(hours=1)
    session = make(user, started_at=start)
    stop = start + timedelta(minutes=45, seconds=30)
    session.stop(stopped_at=stop)
    session.refresh_from_db()
    assert session.stopped_at == stop
    assert session.duration_seconds == 45 * 60 + 30
    assert session.end_reason == EndReason.STOPPED


def test_session_stop_already_stopped(user):
    session = make(user)
    session.stop()
    with pytest.raises(SessionAlreadyStoppedError) as caught:
        session.stop()
    assert str(caught.value) == f"Session {session.pk} is already stopped"


def test_session_str_representation(user):
    start = timezone.now() - timedelta(hours=3)
    session = make(user, started_at=start)
    session.stop(stopped_at=start + timedelta(hours=2, minutes=15))
    assert str(session) == "Session (stopped) - 2.25h"
    assert str(make(user, started_at=timezone.now())) == "Session (active) - 0.00h"


# WorkSessionQuerySet


def test_for_user_filters(user, other_user):
    mine = make(user)
    make(other_user)
    assert list(WorkSession.objects.for_user(user)) == [mine]


def test_for_target_filters(user, widget):
    on_widget = make(user, target=widget)
    make(user, target=Widget.objects.create(name="other"))
    make(user)
    assert list(WorkSession.objects.for_target(widget)) == [on_widget]


def test_active_filters(user):
    running = make(user)
    make(user).stop()
    assert list(WorkSession.objects.active()) == [running]


def test_completed_filters(user):
    make(user)
    done = make(user)
    done.stop()
    assert list(WorkSession.objects.completed()) == [done]


def test_in_range_filters(user):
    base = timezone.now().replace(microsecond=0) - timedelta(days=1)
    hour = timedelta(hours=1)
    before = make(user, started_at=base, stopped_at=base + hour)  # ends where the range starts
    inside = make(user, started_at=base + hour, stopped_at=base + 2 * hour)
    straddling = make(user, started_at=base + 90 * timedelta(minutes=1), stopped_at=base + 4 * hour)
    after = make(user, started_at=base + 3 * hour, stopped_at=base + 4 * hour)  # starts at the end
    running = make(user, started_at=base + 2 * hour)
    found = set(WorkSession.objects.in_range(base + hour, base + 3 * hour))
    assert found == {inside, straddling, running}
    assert before not in found and after not in found


def test_total_duration_aggregates(user):
    start = timezone.now() - timedelta(hours=5)
    make(user, started_at=start).stop(stopped_at=start + timedelta(minutes=30))
    make(user, started_at=start).stop(stopped_at=start + timedelta(minutes=15))
    make(user)
    assert WorkSession.objects.total_duration() == 45 * 60
    assert WorkSession.objects.none().total_duration() == 0


# Beyond the seed


def test_soft_deleted_sessions_are_hidden_from_objects_but_kept(user):
    session = make(user)
    session.delete()
    assert not WorkSession.objects.exists()
    assert WorkSession.all_objects.get() == session
    assert WorkSession.objects.for_user(user).active().count() == 0


def test_database_refuses_two_running_switch_policy_sessions(user):
    make(user, switch_policy=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(user, switch_policy=True)


def test_database_allows_running_sessions_outside_the_switch_policy(user):
    make(user, switch_policy=True)
    make(user, switch_policy=False)
    assert WorkSession.objects.active().count() == 2


def test_database_refuses_stop_before_start(user):
    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        make(user, started_at=start, stopped_at=start - timedelta(seconds=1))


def test_recorded_at_cannot_change_through_queryset_update(user):
    """WorkSession opts into the database trigger that keeps system time (decisioning)."""
    session = WorkSession.objects.create(user=user, started_at=timezone.now())
    with pytest.raises(DatabaseError), transaction.atomic():
        WorkSession.objects.filter(pk=session.pk).update(
            recorded_at=timezone.now() - timedelta(days=1)
        )
    WorkSession.objects.filter(pk=session.pk).update(notes="still editable")
    assert WorkSession.objects.get(pk=session.pk).recorded_at == session.recorded_at
