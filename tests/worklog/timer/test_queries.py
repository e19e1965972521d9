"""The timer's query counts are fixed: they do not grow with the number of sessions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.testapp.models import Widget
from worklog.models import WorkSession

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}

# Session and user (2); lock the user, read the running sessions, check the lock period and the
# locked weeks in one query (worklog.teams.locks), write (4). A start then renders
# the session it started, without reading anything (0); a stop reads the session still running,
# if any, and the totals (2). Neither reads today's list nor the recent targets: the answer swaps
# only the rows the toggle changed. Savepoints, which exist only inside the test's transaction,
# are not counted.
HTMX_TOGGLE_QUERIES = {"start": 6, "stop": 8}
# Session and user (2); the totals with the banner about a timer stopped automatically, which
# every full page shows when there is one (1); today's sessions, among which the running one,
# plus one per target type among them, and the recent targets plus one per target type among
# them (4).
DASHBOARD_QUERIES = 7


def make_history(user, count: int, widgets: list[Widget]) -> None:
    now = timezone.now()
    WorkSession.objects.bulk_create(
        WorkSession(
            user=user,
            target=widgets[index % len(widgets)],
            started_at=now - timedelta(minutes=10 * (index + 1)),
            stopped_at=now - timedelta(minutes=10 * (index + 1)) + timedelta(minutes=5),
            duration_seconds=300,
            end_reason="stopped",
        )
        for index in range(count)
    )


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as queries:
        func()
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


def test_dashboard_query_count_is_the_same_for_10_and_1000_sessions(
    user_client, user, widget_target_type
):
    widgets = [Widget.objects.create(name=f"w{i}") for i in range(12)]
    make_history(user, 10, widgets)
    url = reverse("worklog:dashboard")
    user_client.get(url)
    with_ten = count_queries(lambda: user_client.get(url))
    make_history(user, 990, widgets)
    assert WorkSession.objects.count() == 1000
    with_thousand = count_queries(lambda: user_client.get(url))
    assert with_ten == with_thousand == DASHBOARD_QUERIES


@pytest.mark.parametrize("history", [10, 1000])
@pytest.mark.parametrize("action", ["start", "stop"])
def test_htmx_toggle_query_count_is_fixed(user_client, user, action, history):
    make_history(user, history, [Widget.objects.create(name="w")])
    if action == "stop":
        WorkSession.objects.create(user=user, switch_policy=True)
    user_client.get(reverse("worklog:dashboard"))
    with CaptureQueriesContext(connection) as queries:
        response = user_client.post(reverse("worklog:timer-toggle"), headers=HTMX)
    assert response.status_code == 200
    real = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(real) == HTMX_TOGGLE_QUERIES[action], "\n".join(real)


# As HTMX_TOGGLE_QUERIES, plus claiming the key, locking it and completing it (3).
HTMX_TOGGLE_WITH_KEY_QUERIES = {action: count + 3 for action, count in HTMX_TOGGLE_QUERIES.items()}


@pytest.mark.parametrize("action", ["start", "stop"])
def test_htmx_toggle_with_an_idempotency_key_query_count_is_fixed(user_client, user, action):
    make_history(user, 50, [Widget.objects.create(name="w")])
    if action == "stop":
        WorkSession.objects.create(user=user, switch_policy=True)
    user_client.get(reverse("worklog:dashboard"))
    with CaptureQueriesContext(connection) as queries:
        response = user_client.post(
            reverse("worklog:timer-toggle"), headers={**HTMX, "Idempotency-Key": '"press-1"'}
        )
    assert response.status_code == 200
    real = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(real) == HTMX_TOGGLE_WITH_KEY_QUERIES[action], "\n".join(real)


# Session and user (2); the key's claim fails and its row is read (2). Nothing is rendered.
HTMX_TOGGLE_REPLAY_QUERIES = 4


def test_replayed_htmx_toggle_query_count_is_fixed(user_client, user):
    make_history(user, 50, [Widget.objects.create(name="w")])
    headers = {**HTMX, "Idempotency-Key": '"press-1"'}
    user_client.post(reverse("worklog:timer-toggle"), headers=headers)
    with CaptureQueriesContext(connection) as queries:
        response = user_client.post(reverse("worklog:timer-toggle"), headers=headers)
    assert response["Idempotent-Replayed"] == "true"
    real = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(real) == HTMX_TOGGLE_REPLAY_QUERIES, "\n".join(real)
