"""Every answer under /api/v1/ is JSON with `code` and `message`, whatever went wrong, and the
OpenAPI schema lists the errors each operation answers with."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from core.services import create_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user):
    token = create_api_token(user=user, name="tests")[1]
    return Client(headers={"Authorization": f"Bearer {token}"}, raise_request_exception=False)


def assert_json_error(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["message"]


def test_a_body_over_the_upload_limit_is_a_json_400(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api.post(
        "/api/v1/timer/start", {"notes": "x" * 200}, content_type="application/json"
    )
    assert_json_error(response, 400, "bad_request")
    assert "larger than the 100 bytes allowed" in response.json()["message"]


def test_the_database_down_is_a_json_503(api):
    down = OperationalError("could not connect to server")
    with mock.patch("core.api_auth.user_for_api_token", side_effect=down):
        response = api.get("/api/v1/timer")
    assert_json_error(response, 503, "unavailable")
    assert response["Retry-After"] == "30"


def test_an_unexpected_failure_is_a_json_500(api):
    with mock.patch("worklog.timer.api.active_session", side_effect=RuntimeError("bug")):
        response = api.get("/api/v1/timer")
    assert_json_error(response, 500, "server_error")
    assert "bug" not in response.content.decode()


def test_a_bad_host_header_is_a_json_400():
    response = Client(raise_request_exception=False).get(
        "/api/v1/timer", headers={"Host": "bad host"}
    )
    assert_json_error(response, 400, "bad_request")


def test_web_pages_keep_their_html_errors(user_client):
    response = user_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_the_schema_lists_each_operations_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    listed = {name: set(op["responses"]) for name, op in operations(schema)}
    # 24, and the timesheet's add, correct, delete, continue, its report, and the procedures'
    # reopen and check correction, and a week's submit, approve and reject.
    assert len(listed) == 34
    for name, statuses in listed.items():
        assert {"401", "503"} <= statuses, name
    assert listed["GET /api/v1/timer"] == {"200", "401", "503"}
    assert listed["GET /api/v1/timer/sessions"] == {"200", "401", "422", "503"}
    assert listed["POST /api/v1/timer/start"] == {"201", "400", "401", "404", "409", "422", "503"}
    assert listed["GET /api/v1/sessions/{session_id}"] == {"200", "401", "404", "422", "503"}
    assert listed["POST /api/v1/journal/worklogs"] == {"201", "400", "401", "404", "422", "503"}
    error = {"$ref": "#/components/schemas/Error"}
    for name, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == error, name
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message"]


def test_each_request_body_has_a_schema_of_its_own(client):
    """Two routers' `StartIn` once shared one name: the timer's start was documented as the
    procedures' (`sop_id`)."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    body = paths["/api/v1/timer/start"]["post"]["requestBody"]["content"]["application/json"]
    assert {"$ref": "#/components/schemas/TimerStartIn"} in body["schema"]["anyOf"]
    body = paths["/api/v1/sessions"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/StartIn"


def test_the_schema_states_the_limits_the_api_refuses_beyond(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["TimerStartIn"]["properties"]["notes"]["pattern"] == "^[^\\x00]*$"
    occurred_on = schemas["WorkLogIn"]["properties"]["occurred_on"]
    assert occurred_on["format"] == "date" and occurred_on["pattern"].startswith("^(19")
    offset = schemas["ListQuery"]["properties"]["offset"]
    assert offset["maximum"] == 1_000_000


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/journal/worklogs?to=0",
        "/api/v1/journal/worklogs?from=1700000000",
        "/api/v1/timer/sessions?from=0",
        "/api/v1/timer/sessions?to=1700000000.5",
    ],
)
def test_dates_are_read_only_as_the_schema_writes_them(api, path):
    """Pydantic alone would read a number as seconds since 1970."""
    assert_json_error(api.get(path), 422, "invalid_input")


@pytest.mark.parametrize("body", ["[null, null]", '"AAA"', "[]", "3"])
def test_a_body_that_is_not_an_object_is_refused(api, user, body):
    from worklog.models import WorkSession

    for path in ("/api/v1/timer/start", "/api/v1/timer/toggle", "/api/v1/timer/stop"):
        response = api.post(path, body, content_type="application/json")
        assert_json_error(response, 400, "bad_request")
    assert not WorkSession.objects.exists()
