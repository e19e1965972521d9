"""Races between requests of one user, with real threads on PostgreSQL."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from worklog import WorkSession, start_session, stop_session, toggle_session
from worklog.exceptions import NoActiveSessionError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(actions: list[Callable[[], object]]) -> list[BaseException]:
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action):
        try:
            barrier.wait()
            action()
        except BaseException as error:  # collected and inspected by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def assert_consistent(user):
    assert WorkSession.objects.for_user(user).active().count() <= 1
    for session in WorkSession.objects.for_user(user).completed():
        expected = int((session.stopped_at - session.started_at).total_seconds())
        assert session.duration_seconds == expected
        assert session.end_reason


def test_concurrent_starts_leave_one_running_session(user):
    assert connection.vendor == "postgresql"
    errors = run_at_once([lambda: start_session(user) for _ in range(8)])
    assert errors == []
    assert WorkSession.objects.count() == 8
    assert_consistent(user)
    assert WorkSession.objects.active().count() == 1


def test_concurrent_toggles_alternate_and_lose_no_stop(user):
    errors = run_at_once([lambda: toggle_session(user) for _ in range(8)])
    assert errors == []
    # Serialized toggles alternate start, stop, start, ...: eight leave four stopped sessions.
    assert WorkSession.objects.count() == 4
    assert WorkSession.objects.active().count() == 0
    assert_consistent(user)


def test_hotkey_toggle_and_click_start_and_stop_at_once(user):
    start_session(user)
    actions = [
        lambda: toggle_session(user),
        lambda: start_session(user),
        lambda: stop_session(user),
        lambda: toggle_session(user),
        lambda: start_session(user),
    ]
    errors = run_at_once(actions)
    assert all(isinstance(error, NoActiveSessionError) for error in errors)
    assert_consistent(user)


def test_sessions_outside_the_switch_policy_may_run_side_by_side(user):
    errors = run_at_once([lambda: start_session(user, stop_existing=False) for _ in range(4)])
    assert errors == []
    assert WorkSession.objects.active().count() == 4
