"""`GET /api/v1/timer/sessions` writes its rows without validating each one through SessionOut:
its answer is the one SessionOut gives for the same sessions, byte for byte, whatever the
sessions are timed against, and its query count does not grow with the rows or their targets."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.services import complete_work_item
from config.api import api as worklog_api
from core.services import create_api_token
from tests.catalog.conftest import *  # noqa: F403 (the catalog's basket and work fixtures)
from tests.testapp.models import Widget
from tests.worklog.journal.helpers import make_tree
from worklog.procedures import services as procedures
from worklog.targets import TargetType, register_target_type, unregister_target_type
from worklog.timer.api import SessionOut
from worklog.timer.models import WorkSession

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/timer/sessions"
# The token and its user (1); the sessions (1).
LIST_QUERIES = 2


@pytest.fixture
def api(user):
    token = create_api_token(user=user, name="list")[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def widgets_too():
    """Widgets registered beside the project's own target types."""
    register_target_type(TargetType(Widget, "Widget", ("name",), lambda user: Widget.objects.all()))
    yield
    unregister_target_type(Widget)


def add(user, minutes_ago: int, target=None, **fields) -> WorkSession:
    started = timezone.now() - timedelta(minutes=minutes_ago)
    return WorkSession.objects.create(
        user=user,
        target=target,
        started_at=started,
        stopped_at=started + timedelta(minutes=5),
        duration_seconds=300,
        end_reason="stopped",
        **fields,
    )


def as_schema_writes_them(user) -> bytes:
    """The answer as it was written before: each session a model instance with its target
    prefetched, validated and dumped by SessionOut, then encoded by the API's renderer."""
    sessions = (
        WorkSession.objects.for_user(user)
        .in_range(timezone.now() - timedelta(days=7), timezone.now())
        .with_targets()
        .order_by("started_at")
    )
    dumped = [SessionOut.model_validate(session).model_dump() for session in sessions]
    return worklog_api.renderer.render(None, dumped, response_status=200).encode()


def test_the_list_is_what_the_schema_writes_for_every_kind_of_target(
    api, user, make_sop, committed_line, widgets_too
):
    tree = make_tree(user)
    widget = Widget.objects.create(name="Quarterly report")
    hidden = Widget.objects.create(name="Soft-deleted widget")
    gone = Widget.objects.create(name="Deleted widget")
    procedure = procedures.start_procedure_session(
        worker=user, sop=make_sop(user, steps_per_task=(1,))
    )
    work = committed_line.work_items.get(spawn_role="prepare")
    add(user, 300, notes="no target", session_type="dev")
    add(user, 290, widget)
    add(user, 280, widget, notes="the same widget again")
    add(user, 270, hidden)
    add(user, 260, gone)
    add(user, 250, tree.task)
    add(user, 240, tree.project)
    add(user, 230, procedure)
    add(user, 220, work)
    WorkSession.objects.create(user=user, target=widget, started_at=timezone.now())
    # Finished, hidden or gone: the history keeps a name while the row is there, and no target
    # once it is not.
    complete_work_item(work)
    hidden.delete()
    gone.hard_delete()
    assert Widget.all_objects.filter(pk=hidden.pk).exists()

    response = api.get(SESSIONS)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == as_schema_writes_them(user)
    labels = [row["target"] and row["target"]["label"] for row in response.json()]
    assert labels[:5] == [None, str(widget), str(widget), str(hidden), None]
    assert labels[-1] == str(widget) and response.json()[-1]["is_active"] is True
    assert all(labels[5:9]), labels


def test_the_list_is_empty_when_nothing_was_tracked(api):
    response = api.get(SESSIONS)
    assert response.status_code == 200 and response.json() == []


def test_a_target_id_that_names_no_row_is_no_target(api, user, widgets_too):
    add(user, 60, Widget.objects.create(name="w"))
    WorkSession.objects.create(
        user=user,
        target_content_type=ContentType.objects.get_for_model(Widget),
        target_id="not-a-uuid",
        started_at=timezone.now() - timedelta(minutes=30),
        stopped_at=timezone.now() - timedelta(minutes=20),
        duration_seconds=600,
    )
    rows = api.get(SESSIONS).json()
    assert [row["target"] is None for row in rows] == [False, True]


def make_sessions(user, count: int, targets: list) -> None:
    now = timezone.now()
    WorkSession.objects.bulk_create(
        WorkSession(
            user=user,
            **({"target": targets[index % len(targets)]} if targets else {}),
            started_at=now - timedelta(minutes=5 * (index + 1)),
            stopped_at=now - timedelta(minutes=5 * (index + 1)) + timedelta(minutes=4),
            duration_seconds=240,
            end_reason="stopped",
        )
        for index in range(count)
    )


def count_queries(api) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(SESSIONS)
    assert response.status_code == 200
    return len(response.json()), len(queries.captured_queries)


def test_the_query_count_does_not_grow_with_the_rows(api, user):
    make_sessions(user, 10, [])
    assert count_queries(api) == (10, LIST_QUERIES)
    make_sessions(user, 990, [])
    assert count_queries(api) == (1000, LIST_QUERIES)


def test_targets_cost_one_query_per_type_whatever_their_number(
    api, user, make_sop, committed_line, widgets_too
):
    """Work items and procedure sessions are named from related rows: those come in the same
    query as the objects, not one more per object."""
    widgets = [Widget.objects.create(name=f"w{index}") for index in range(3)]
    procedure = procedures.start_procedure_session(worker=user, sop=make_sop(user))
    work = committed_line.work_items.get(spawn_role="prepare")
    make_sessions(user, 12, [*widgets, procedure, work])
    few = count_queries(api)
    more_widgets = [Widget.objects.create(name=f"more {index}") for index in range(20)]
    make_sessions(user, 600, [*widgets, *more_widgets, procedure, work])
    many = count_queries(api)
    # Starting the procedure session started its timer too.
    assert few == (12 + 1, LIST_QUERIES + 3)
    assert many == (612 + 1, LIST_QUERIES + 3)
