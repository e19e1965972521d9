from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.services import create_api_token, revoke_api_token
from decisioning.http import request_fingerprint
from decisioning.idempotency import claim_key
from worklog import WorkSession, start_session, stop_session
from worklog.models import EndReason

pytestmark = pytest.mark.django_db

# Token and its user (1); lock the user, read the running sessions, check the lock period and
# the locked weeks in one query, write (4).
API_TOGGLE_QUERIES = 5


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


@pytest.mark.parametrize("path", ["/api/v1/timer/start", "/api/v1/timer/toggle"])
@pytest.mark.parametrize("field", ["notes", "session_type", "target"])
def test_nul_character_in_text_is_422_not_500(api, user, path, field):
    """PostgreSQL cannot store NUL in text; JSON can carry one (\\u0000)."""
    response = api.post(path, {field: "a\x00b"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert field in response.json()["message"]
    assert not WorkSession.objects.exists()


def test_nul_character_in_stop_notes_is_422_and_the_session_keeps_running(api, user):
    start_session(user)
    response = api.post("/api/v1/timer/stop", {"notes": "\x00"}, content_type="application/json")
    assert response.status_code == 422
    assert WorkSession.objects.get().is_active


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize(
    "params", [{"from": "0001-01-01T00:00"}, {"to": "0001-01-01"}, {"to": "9999-12-31T23:59"}]
)
def test_sessions_range_at_the_ends_of_the_calendar_is_422(api, user, params, zone):
    user.time_zone = zone
    user.save()
    response = api.get("/api/v1/timer/sessions", params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert "between the years" in response.json()["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"to": "2026-01-01T00:00:00+22:01"},
        {"from": "2026-01-01T00:00:00-16:00"},
        {"from": "2026-01-01T00:00:00+14:01"},
    ],
)
def test_sessions_range_with_an_offset_beyond_fourteen_hours_is_422_not_500(api, user, params):
    response = api.get("/api/v1/timer/sessions", params)
    assert response.status_code == 422
    assert "time-zone offset between -14:00 and +14:00" in response.json()["message"]


def test_sessions_range_with_an_offset_of_fourteen_hours_is_answered(api, user):
    response = api.get("/api/v1/timer/sessions", {"from": "2026-01-01T00:00:00+14:00"})
    assert response.status_code == 200


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


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_endpoint_is_a_json_404(api, method):
    response = getattr(api, method)("/api/v1/timer/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "/api/v1/timer/nope" in response.json()["message"]


def test_wrong_method_is_a_json_405_naming_the_allowed_ones(api):
    response = api.put("/api/v1/timer/toggle")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "POST" in response.json()["message"]
    assert response["Allow"] == "POST"


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


# Idempotency-Key on the POSTs


def with_key(key: str) -> dict:
    return {"Idempotency-Key": f'"{key}"'}


@pytest.mark.parametrize("path, status", [("toggle", 200), ("start", 201)], ids=["toggle", "start"])
def test_post_retried_with_one_key_acts_once_and_replays(api, user, path, status):
    headers = with_key("hotkey-press-1")
    first = api.generic("POST", f"/api/v1/timer/{path}", headers=headers)
    second = api.generic("POST", f"/api/v1/timer/{path}", headers=headers)
    assert first.status_code == second.status_code == status
    assert "Idempotent-Replayed" not in first
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert WorkSession.objects.get().is_active


def test_stop_retried_with_one_key_replays_the_stop(api, user):
    start_session(user, started_at=ago(minutes=5))
    first, second = (
        api.post("/api/v1/timer/stop", {"notes": "done"}, "application/json", headers=with_key("k"))
        for _ in range(2)
    )
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"


def test_an_error_answer_is_replayed_too(api):
    first = api.generic("POST", "/api/v1/timer/stop", headers=with_key("k"))
    start_session_after = api.generic("POST", "/api/v1/timer/start")
    assert start_session_after.status_code == 201
    second = api.generic("POST", "/api/v1/timer/stop", headers=with_key("k"))
    assert first.status_code == second.status_code == 409
    assert second.json()["code"] == "no_active_session"
    assert second["Idempotent-Replayed"] == "true"
    assert WorkSession.objects.get().is_active


def test_a_new_key_per_press_toggles_each_time(api, user):
    api.generic("POST", "/api/v1/timer/toggle", headers=with_key("press-1"))
    response = api.generic("POST", "/api/v1/timer/toggle", headers=with_key("press-2"))
    assert response.json()["action"] == "stopped"


def test_same_key_with_another_body_is_422(api):
    api.post("/api/v1/timer/start", {"notes": "a"}, "application/json", headers=with_key("k"))
    response = api.post(
        "/api/v1/timer/start", {"notes": "b"}, "application/json", headers=with_key("k")
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert WorkSession.objects.get().notes == "a"


@pytest.mark.parametrize("key", ['""', '"a" "b"', "é", "x" * 256])
def test_malformed_key_is_400(api, key):
    response = api.generic("POST", "/api/v1/timer/toggle", headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_malformed"
    assert not WorkSession.objects.exists()


def test_key_still_in_flight_is_409(api, user):
    request = RequestFactory().generic("POST", "/api/v1/timer/toggle")
    claim_key(key="k", scope=f"http:user:{user.pk}", fingerprint=request_fingerprint(request))
    response = api.generic("POST", "/api/v1/timer/toggle", headers=with_key("k"))
    assert response.status_code == 409
    assert response.json()["code"] == "request_in_flight"
    assert not WorkSession.objects.exists()


def test_keys_are_scoped_per_user(api, user, other_user):
    other_api = Client(
        headers={"Authorization": f"Bearer {create_api_token(user=other_user, name='x')[1]}"}
    )
    api.generic("POST", "/api/v1/timer/toggle", headers=with_key("k"))
    response = other_api.generic("POST", "/api/v1/timer/toggle", headers=with_key("k"))
    assert "Idempotent-Replayed" not in response
    assert WorkSession.objects.filter(user=other_user, stopped_at=None).exists()


# Token and user (1); claim the key (1); lock it (1); the toggle (4); complete the key (1).
API_TOGGLE_WITH_KEY_QUERIES = 8
# Token and user (1); read the completed key (after its insert fails: 2).
API_REPLAY_QUERIES = 3


def test_api_toggle_with_a_key_query_count_is_fixed(api, user):
    def toggle():
        with CaptureQueriesContext(connection) as queries:
            response = api.generic("POST", "/api/v1/timer/toggle", headers=with_key("k"))
        real = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
        return response, real

    response, real = toggle()
    assert response.status_code == 200
    assert len(real) == API_TOGGLE_WITH_KEY_QUERIES, "\n".join(real)
    response, real = toggle()
    assert response["Idempotent-Replayed"] == "true"
    assert len(real) == API_REPLAY_QUERIES, "\n".join(real)
