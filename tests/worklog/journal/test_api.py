"""The journal's JSON API: token-authenticated, the user's own objects only, 4xx with
`{"code", "message"}` for bad input, and nothing written then."""

from datetime import date

import pytest
from django.test import Client

from core.services import create_api_token
from worklog.journal.services import create_worklog
from worklog.models import EnrichmentStatus, WorkLog, WorkLogReport

from .helpers import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user):
    token = create_api_token(user=user, name="journal")[1]
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})


def test_create_list_and_enrich(api, user):
    tree = make_tree(user)
    response = api.post(
        "/api/v1/journal/worklogs",
        {
            "occurred_on": "2026-12-02",
            "content": "Tuned SQL queries",
            "task": str(tree.task.pk),
            "effort_minutes": 30,
            "tags": ["SQL"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client_id"] == str(tree.client.pk) and body["hours"] == 0.5
    assert body["tags"] == ["sql"]
    listed = api.get("/api/v1/journal/worklogs", {"from": "2026-12-01", "to": "2026-12-03"})
    assert [item["id"] for item in listed.json()] == [body["id"]]
    enriched = api.post(f"/api/v1/journal/worklogs/{body['id']}/enrich")
    assert enriched.status_code == 200
    assert WorkLog.objects.get().enrichment_status == EnrichmentStatus.ENRICHED


def test_another_users_ids_are_404_and_write_nothing(api, other_user):
    theirs = make_tree(other_user)
    response = api.post(
        "/api/v1/journal/worklogs",
        {"occurred_on": "2026-12-02", "content": "x", "client": str(theirs.client.pk)},
        content_type="application/json",
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    theirs_log = create_worklog(other_user, occurred_on=date(2026, 12, 2), content="theirs")
    assert api.get(f"/api/v1/journal/worklogs/{theirs_log.pk}").status_code == 404
    assert api.post(f"/api/v1/journal/worklogs/{theirs_log.pk}/enrich").status_code == 404
    assert WorkLog.objects.filter(user__username="alice").count() == 0


def test_inconsistent_hierarchy_is_422(api, user):
    tree = make_tree(user)
    other = make_tree(user, name="Globex")
    response = api.post(
        "/api/v1/journal/worklogs",
        {
            "occurred_on": "2026-12-02",
            "content": "x",
            "task": str(tree.task.pk),
            "client": str(other.client.pk),
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not WorkLog.objects.exists()


def test_reports_and_bad_ranges(api, user):
    create_worklog(user, occurred_on=date(2026, 12, 2), content="x", effort_minutes=60)
    response = api.post(
        "/api/v1/journal/reports",
        {"kind": "weekly", "anchor": "2026-12-02"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["metadata"]["minutes"] == 60
    assert WorkLogReport.objects.get().created_via == "api"
    bad = api.post(
        "/api/v1/journal/reports",
        {"kind": "custom", "period_start": "2026-12-05", "period_end": "2026-12-01"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"
    assert WorkLogReport.objects.count() == 1
    assert (
        api.get("/api/v1/journal/worklogs", {"from": "2026-12-05", "to": "2026-12-01"}).status_code
        == 422
    )


def test_api_needs_a_token(client):
    assert client.get("/api/v1/journal/worklogs").status_code == 401


def test_another_users_report_is_404(api, other_user):
    from worklog.journal.reports import generate_report

    theirs = generate_report(other_user, kind="weekly", anchor=date(2026, 12, 2))
    response = api.get(f"/api/v1/journal/reports/{theirs.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    scoped = api.post(
        "/api/v1/journal/reports",
        {"kind": "weekly", "client": str(make_tree(other_user, name="Theirs").client.pk)},
        content_type="application/json",
    )
    assert scoped.status_code == 404
    assert not WorkLogReport.objects.filter(user__username="alice").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"content": "a\u0000b"},
        {"title": "nul\u0000"},
        {"tags": ["ok", "bad\u0000"]},
        {"occurred_on": "0001-01-01"},
        {"occurred_on": "9999-12-31"},
    ],
    ids=["nul-content", "nul-title", "nul-tag", "year-1", "year-9999"],
)
def test_unstorable_text_or_dates_are_422_and_write_nothing(api, user, change):
    body = {"occurred_on": "2026-12-02", "content": "Tuned SQL queries", **change}
    response = api.post("/api/v1/journal/worklogs", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    assert not WorkLog.objects.exists()


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31"])
def test_unsupported_dates_in_the_list_filter_are_422(api, query):
    response = api.get(f"/api/v1/journal/worklogs?{query}")
    assert response.status_code == 422, response.content


def test_report_with_an_unsupported_anchor_is_422(api):
    response = api.post(
        "/api/v1/journal/reports",
        {"kind": "weekly", "anchor": "0001-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert not WorkLogReport.objects.exists()
