"""The timesheet over the JSON API: add time, correct or move a start, delete, continue."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.services import create_api_token
from worklog.timer import services
from worklog.timer.models import WorkSession

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/timer/sessions"


@pytest.fixture
def api(user) -> Client:
    _, secret = create_api_token(user=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def iso(value) -> str:
    return value.isoformat()


def hours_ago(hours: float):
    return timezone.now().replace(microsecond=0) - timedelta(hours=hours)


@pytest.fixture
def earlier(user):
    return services.add_session(user=user, started_at=hours_ago(5), stopped_at=hours_ago(4))


def test_add_time_with_a_stop_or_a_duration(api, user, widget, widget_target_type):
    response = api.post(
        SESSIONS,
        {
            "started_at": iso(hours_ago(3)),
            "stopped_at": iso(hours_ago(2)),
            "target": f"testapp.widget:{widget.pk}",
            "notes": "forgot",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["duration_seconds"] == 3600 and body["notes"] == "forgot"
    assert body["target"]["key"] == f"testapp.widget:{widget.pk}"
    response = api.post(
        SESSIONS,
        {"started_at": iso(hours_ago(2)), "duration_seconds": 1800},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert WorkSession.objects.for_user(user).count() == 2


def test_an_overlap_is_409_with_the_other_sessions_id(api, user, earlier):
    start = hours_ago(4.5)
    data = {"started_at": iso(start), "stopped_at": iso(hours_ago(3))}
    response = api.post(SESSIONS, data, content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "overlap"
    assert body["session_ids"] == [str(earlier.pk)]
    assert body["trimmable"] is True
    assert WorkSession.objects.count() == 1
    response = api.post(
        SESSIONS, {**data, "trim_overlapping": True}, content_type="application/json"
    )
    assert response.status_code == 201
    earlier.refresh_from_db()
    assert earlier.stopped_at == start


@pytest.mark.parametrize(
    "body",
    [
        {"started_at": "yesterday", "duration_seconds": 60},
        {"started_at": "2026-01-01T10:00:00Z"},
        {
            "started_at": "2026-01-01T10:00:00Z",
            "stopped_at": "2026-01-01T11:00:00Z",
            "duration_seconds": 60,
        },
        {"started_at": "2026-01-01T10:00:00Z", "duration_seconds": 0},
        {"started_at": "2026-01-01T10:00:00Z", "stopped_at": "2026-01-01T10:00:00Z"},
        {"started_at": "0001-01-01T10:00:00Z", "duration_seconds": 60},
        {"started_at": "2026-01-01T10:00:00Z", "duration_seconds": 60, "notes": "a\x00b"},
    ],
)
def test_bad_input_is_422_and_adds_nothing(api, body):
    response = api.post(SESSIONS, body, content_type="application/json")
    assert response.status_code == 422
    assert {"code", "message"} <= set(response.json())
    assert not WorkSession.objects.exists()


def test_a_future_entry_is_422(api):
    response = api.post(
        SESSIONS,
        {"started_at": iso(hours_ago(-1)), "duration_seconds": 600},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_times"


def test_add_is_idempotent_with_a_key(api, user):
    data = {"started_at": iso(hours_ago(3)), "duration_seconds": 600}
    headers = {"Idempotency-Key": '"add-1"'}
    first = api.post(SESSIONS, data, content_type="application/json", headers=headers)
    again = api.post(SESSIONS, data, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert WorkSession.objects.count() == 1


def test_patch_corrects_a_stopped_session(api, earlier, widget, widget_target_type):
    url = f"{SESSIONS}/{earlier.pk}"
    stop = hours_ago(3.5)
    response = api.patch(
        url,
        {
            "stopped_at": iso(stop),
            "notes": "longer",
            "target": f"testapp.widget:{widget.pk}",
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    earlier.refresh_from_db()
    assert earlier.stopped_at == stop and earlier.notes == "longer"
    assert earlier.target == widget
    response = api.patch(url, {"target": ""}, content_type="application/json")
    earlier.refresh_from_db()
    assert earlier.target is None and earlier.notes == "longer"


def test_patch_with_null_fields_leaves_those_fields_as_they_were(api, earlier):
    earlier.notes, earlier.session_type = "kept", "review"
    earlier.save()
    url = f"{SESSIONS}/{earlier.pk}"
    response = api.patch(
        url,
        {"notes": "changed", "session_type": None, "target": None},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    earlier.refresh_from_db()
    assert (earlier.notes, earlier.session_type) == ("changed", "review")


@pytest.mark.parametrize(
    "body",
    ["null", "{}", '{"notes": null, "session_type": null, "started_at": null}'],
    ids=["null", "no fields", "only nulls"],
)
def test_patch_that_changes_nothing_is_422(api, earlier, body):
    before = WorkSession.objects.values().get(pk=earlier.pk)
    response = api.patch(f"{SESSIONS}/{earlier.pk}", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "nothing_to_change"
    assert WorkSession.objects.values().get(pk=earlier.pk) == before


@pytest.mark.parametrize("body", ["[]", '"notes"', "3"])
def test_patch_with_a_body_that_is_not_an_object_is_400(api, earlier, body):
    response = api.patch(f"{SESSIONS}/{earlier.pk}", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"]


def test_patch_moves_a_running_start_and_refuses_the_future(api, user, earlier):
    running = services.start_session(user, started_at=hours_ago(1))
    url = f"{SESSIONS}/{running.pk}"
    two_hours_ago = hours_ago(2)
    response = api.patch(url, {"started_at": iso(two_hours_ago)}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    running.refresh_from_db()
    assert running.started_at == two_hours_ago and running.is_active
    future = api.patch(url, {"started_at": iso(hours_ago(-1))}, content_type="application/json")
    assert future.status_code == 422
    overlap = api.patch(url, {"started_at": iso(hours_ago(4.5))}, content_type="application/json")
    assert overlap.status_code == 409
    assert overlap.json()["session_ids"] == [str(earlier.pk)]
    stop = api.patch(url, {"stopped_at": iso(hours_ago(0.5))}, content_type="application/json")
    assert stop.status_code == 422 and stop.json()["code"] == "session_running"
    running.refresh_from_db()
    assert running.started_at == two_hours_ago and running.is_active


def test_delete_is_soft_and_continue_starts_the_same_work(api, user, earlier):
    earlier.notes = "again"
    earlier.save()
    continued = api.post(f"{SESSIONS}/{earlier.pk}/continue")
    assert continued.status_code == 201
    assert continued.json()["is_active"] and continued.json()["notes"] == "again"
    assert api.delete(f"{SESSIONS}/{earlier.pk}").status_code == 204
    assert not WorkSession.objects.filter(pk=earlier.pk).exists()
    assert WorkSession.all_objects.filter(pk=earlier.pk).exists()


def test_another_users_session_is_404(api, other_user):
    theirs = services.add_session(user=other_user, started_at=hours_ago(3), stopped_at=hours_ago(2))
    url = f"{SESSIONS}/{theirs.pk}"
    assert api.patch(url, {"notes": "x"}, content_type="application/json").status_code == 404
    assert api.delete(url).status_code == 404
    assert api.post(f"{url}/continue").status_code == 404
    theirs.refresh_from_db()
    assert theirs.notes == "" and not theirs.is_deleted
    assert WorkSession.objects.count() == 1


def test_the_schema_lists_the_new_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/timer/sessions"])
    assert {"patch", "delete"} <= set(paths["/api/v1/timer/sessions/{session_id}"])
    assert "post" in paths["/api/v1/timer/sessions/{session_id}/continue"]


def test_token_is_required(client):
    assert client.post(SESSIONS, {}, content_type="application/json").status_code == 401
