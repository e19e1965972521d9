from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.services import create_api_token, revoke_api_token
from worklog import WorkSession, start_session, stop_session
from worklog.models import EndReason

pytestmark = pytest.mark.django_db

# Token and its user (1); lock the user, read the running sessions, write (3).
API_TOGGLE_QUERIES = 4


@pytest.fixture
def token(user):
    return create_api_token(user=user, name="hotkey")[1]


@pytest.fixture
def api(token):
    """A client that sends the token and no cookie, the way curl does."""
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def test_current_is_null_when_idle_and_the_session_when_running(api, user):
    response = api.get("/api/v1/timer")
    assert response.status_code == 200
    assert response.json() is None
    session = start_session(user, session_type="dev")
    body = api.get("/api/v1/timer").json()
    assert body["id"] == str(session.pk)
    assert body["is_active"] is True and body["session_type"] == "dev" and body["target"] is None


def test_toggle_starts_and_stops_without_csrf_or_body(api, user):
    first = api.generic("POST", "/api/v1/timer/toggle")
    assert first.status_code == 200, first.content
    assert first.json()["action"] == "started"
    second = api.generic("POST", "/api/v1/timer/toggle")
    assert second.json()["action"] == "stopped"
    assert second.json()["session"]["end_reason"] == EndReason.STOPPED
    session = WorkSession.objects.get()
    assert not session.is_active


def test_start_switches_and_accepts_a_target(api, user, widget, widget_target_type):
    running = start_session(user, started_at=ago(minutes=5))
    key = f"testapp.widget:{widget.pk}"
    response = api.post(
        "/api/v1/timer/start",
        {"target": key, "session_type": "review", "notes": "n"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["target"] == {
        "type": "testapp.widget",
        "id": str(widget.pk),
        "label": str(widget),
        "key": key,
    }
    running.refresh_from_db()
    assert running.end_reason == EndReason.SWITCHED
    assert (
        running.stopped_at.isoformat() == WorkSession.objects.active().get().started_at.isoformat()
    )


def test_start_on_target_the_user_may_not_time_is_404(api, widget, empty_target_registry):
    response = api.post(
        "/api/v1/timer/start",
        {"target": f"testapp.widget:{widget.pk}"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "target_not_found"
    assert not WorkSession.objects.exists()


def test_stop_without_running_session_is_409(api):
    response = api.generic("POST", "/api/v1/timer/stop")
    assert response.status_code == 409
    assert response.json() == {"code": "no_active_session", "message": "No session is running."}


def test_stop_stops_and_appends_notes(api, user):
    start_session(user, notes="a")
    response = api.post("/api/v1/timer/stop", {"notes": "b"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["notes"] == "a\nb"
    assert response.json()["is_active"] is False


def test_bad_input_is_422_with_code_and_message(api):
    response = api.post(
        "/api/v1/timer/start", {"session_type": "x" * 101}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert "session_type" in body["message"]
    bad_range = api.get("/api/v1/timer/sessions", {"from": "2026-11-02", "to": "2026-11-01"})
    assert bad_range.status_code == 422 and bad_range.json()["code"] == "invalid_range"
    not_a_date = api.get("/api/v1/timer/sessions", {"from": "yesterday"})
    assert not_a_date.status_code == 422 and not_a_date.json()["code"] == "invalid_input"


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wl_not-a-token", "Token abc", "Bearer "], ids=str
)
def test_missing_or_bad_token_is_401(authorization, user):
    headers = {"Authorization": authorization} if authorization else {}
    for method, path in [("get", "/api/v1/timer"), ("post", "/api/v1/timer/toggle")]:
        response = getattr(Client(headers=headers), method)(path)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
    assert not WorkSession.objects.exists()


def test_revoked_token_is_401(api, user, token):
    from core.models import ApiToken

    revoke_api_token(token=ApiToken.objects.get())
    assert api.generic("POST", "/api/v1/timer/toggle").status_code == 401


def test_session_cookie_alone_does_not_authenticate(user_client):
    assert user_client.get("/api/v1/timer").status_code == 401


def test_sessions_lists_own_sessions_overlapping_the_range(api, user, other_user):
    start_session(user, started_at=ago(days=3))
    stop_session(user, stopped_at=ago(days=3) + timedelta(hours=1))
    recent = start_session(user, started_at=ago(hours=2))
    start_session(other_user, started_at=ago(hours=1))
    body = api.get("/api/v1/timer/sessions").json()
    assert len(body) == 2
    since = (timezone.now() - timedelta(days=1)).isoformat()
    body = api.get("/api/v1/timer/sessions", {"from": since}).json()
    assert [item["id"] for item in body] == [str(recent.pk)]


def test_openapi_schema_and_docs_page_are_public(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/v1/timer",
        "/api/v1/timer/toggle",
        "/api/v1/timer/start",
        "/api/v1/timer/stop",
        "/api/v1/timer/sessions",
    } <= set(paths)
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.parametrize("running", [False, True], ids=["start", "stop"])
def test_api_toggle_query_count_is_fixed(api, user, running):
    for _ in range(20):
        start_session(user, started_at=ago(minutes=1))
        stop_session(user)
    if running:
        start_session(user)
    with CaptureQueriesContext(connection) as queries:
        response = api.generic("POST", "/api/v1/timer/toggle")
    assert response.status_code == 200
    real = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(real) == API_TOGGLE_QUERIES, "\n".join(real)
