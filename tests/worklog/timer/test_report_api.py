"""GET /api/v1/timer/report: the report page's figures as JSON, with the same filters."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from core.services import create_api_token
from tests.worklog.journal.helpers import make_tree
from worklog.models import WorkSession

pytestmark = pytest.mark.django_db

URL = "/api/v1/timer/report"


@pytest.fixture
def api(user):
    token = create_api_token(user=user, name="reports")[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def session(user, start, minutes, **kwargs) -> WorkSession:
    return WorkSession.objects.create(
        user=user, started_at=start, stopped_at=start + timedelta(minutes=minutes), **kwargs
    )


def test_the_report_as_json(api, user, other_user):
    tree = make_tree(user)
    session(user, datetime(2026, 12, 1, 9, tzinfo=UTC), 50, target=tree.task, session_type="dev")
    session(user, datetime(2026, 12, 1, 23, 30, tzinfo=UTC), 60)
    session(other_user, datetime(2026, 12, 1, 9, tzinfo=UTC), 600)
    response = api.get(
        URL,
        {"period": "week", "date": "2026-12-02", "rounding": "15", "rounding_mode": "up"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {
        "kind": "week",
        "first_day": "2026-11-30",
        "last_day": "2026-12-06",
        "label": "30 November – 6 December 2026",
    }
    assert body["rounding"]["minutes"] == 15
    assert "rounded up to 15" in body["rounding"]["description"]
    # 50 min -> 60; the late hour is 30 + 30 minutes on two days, each rounded to 30.
    assert (body["total_seconds"], body["total_hours"], body["session_count"]) == (7200, 2.0, 2)
    assert body["by_target"][0] == {
        "key": f"worklog.task:{tree.task.pk}",
        "label": "Card form",
        "seconds": 3600,
        "hours": 1.0,
    }
    assert {row["label"]: row["hours"] for row in body["by_project"]} == {
        "Acme / Acme site": 1.0,
        "No project": 1.0,
    }
    assert {row["key"]: row["seconds"] for row in body["by_session_type"]} == {
        "dev": 3600,
        "": 3600,
    }
    assert [(day["day"], day["hours"]) for day in body["by_day"][1:3]] == [
        ("2026-12-01", 1.5),
        ("2026-12-02", 0.5),
    ]


def test_a_preset_and_a_custom_range(api):
    assert api.get(URL, {"preset": "last_month"}).json()["period"]["kind"] == "month"
    custom = api.get(URL, {"start": "2026-12-01", "end": "2026-12-10"}).json()
    assert custom["period"]["kind"] == "custom" and len(custom["by_day"]) == 10


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2026-12-05", "end": "2026-12-01"}, "invalid_range"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "invalid_range"),
        ({"period": "custom", "start": "2026-12-01"}, "invalid_range"),
        ({"period": "fortnight"}, "invalid_input"),
        ({"preset": "someday"}, "invalid_input"),
        ({"rounding": "7"}, "invalid_input"),
        ({"rounding_mode": "sideways"}, "invalid_input"),
        ({"date": "3001-01-01"}, "invalid_input"),
        ({"date": "yesterday"}, "invalid_input"),
    ],
)
def test_bad_filters_answer_422_in_json(api, params, code):
    response = api.get(URL, params)
    assert response.status_code == 422
    assert response.json()["code"] == code and response.json()["message"]


def test_a_token_is_required(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_the_schema_describes_the_report(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/timer/report"]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert parameters == {
        "preset",
        "period",
        "date",
        "start",
        "end",
        "rounding",
        "rounding_mode",
        "rounding_scope",
    }
    assert "200" in operation["responses"]
    report = schema["components"]["schemas"]["TimerReportOut"]["properties"]
    assert {"by_target", "by_client", "by_project", "by_day", "total_hours"} <= set(report)
