"""Bad input on every procedures and journal page and API endpoint answers 4xx with a message,
never a 500, and changes nothing."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.services import create_api_token
from worklog.journal.services import create_worklog
from worklog.models import ProcedureSession, SafetyCheck, WorkLog, WorkLogReport

from .journal.helpers import make_tree

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
NOT_A_UUID = "not-a-uuid"
UNKNOWN_UUID = "00000000-0000-0000-0000-000000000000"
REVERSED_PERIOD = {"period_start": "2026-12-05", "period_end": "2026-12-01"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worklog(user):
    tree = make_tree(user)
    return create_worklog(
        user,
        occurred_on=date(2026, 12, 2),
        title="Card form with Django",
        content="Built the card form and its tests.",
        outcome="payments work",
        task=tree.task,
    )


@pytest.fixture
def api(user):
    token = create_api_token(user=user, name="tests")[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def assert_refused(response, *statuses):
    assert 400 <= response.status_code < 500, response.status_code
    if statuses:
        assert response.status_code in statuses, response.status_code
    assert response.content.strip(), "a refusal says why"


@pytest.mark.parametrize(
    "name,query",
    [
        ("worklog:journal", "status=bogus"),
        ("worklog:journal", "work_type=bogus"),
        ("worklog:journal", f"client={NOT_A_UUID}"),
        ("worklog:journal", f"project={UNKNOWN_UUID}"),
        ("worklog:journal", f"sprint={NOT_A_UUID}"),
        ("worklog:session-history", "status=bogus"),
    ],
)
def test_unknown_list_filter_is_a_400_with_the_form_error(user_client, name, query):
    for headers in ({}, HTMX):
        response = user_client.get(f"{reverse(name)}?{query}", headers=headers)
        assert_refused(response, 400)
        assert b"Select a valid choice" in response.content


@pytest.mark.parametrize(
    "query,problem",
    [
        ("date=2026-13-45", b"is not a date: use YYYY-MM-DD"),
        ("date=yesterday&view=day", b"is not a date"),
        ("view=month", b"is not a view: show a day or a week"),
    ],
)
def test_a_bad_day_or_view_on_the_journal_is_a_400_that_says_why(user_client, query, problem):
    for headers in ({}, HTMX):
        response = user_client.get(f"{reverse('worklog:journal')}?{query}", headers=headers)
        assert_refused(response, 400)
        assert problem in response.content


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("view", ["day", "week"])
def test_a_day_at_the_ends_of_the_calendar_on_the_journal_is_a_400(user_client, day, view):
    for headers in ({}, HTMX):
        response = user_client.get(
            reverse("worklog:journal"), {"date": day, "view": view}, headers=headers
        )
        assert_refused(response, 400)
        assert b"between the years 1900 and 2999" in response.content


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_work_log_and_report_forms_keep_to_the_supported_years(user_client, worklog, day):
    entry = {"content": "x", "occurred_on": day, "effort_minutes": "5", "work_type": "delivery"}
    for headers in ({}, HTMX):
        response = user_client.post(reverse("worklog:journal-entry"), entry, headers=headers)
        assert_refused(response, 422)
        assert b"between the years 1900 and 2999" in response.content
    response = user_client.post(
        reverse("worklog:journal-edit", args=[worklog.pk]), {**entry, "status": "draft"}
    )
    assert_refused(response, 422)
    for data in (
        {"kind": "weekly", "anchor": day},
        {"kind": "monthly", "anchor": day},
        {"kind": "custom", "period_start": day, "period_end": "2026-03-01"},
    ):
        response = user_client.post(reverse("worklog:journal-reports"), data)
        assert_refused(response, 422)
        assert b"between the years 1900 and 2999" in response.content
    project = worklog.project
    response = user_client.post(
        reverse("worklog:journal-node-edit", args=["project", project.pk]),
        {"name": project.name, "started_on": day, "is_active": "on"},
    )
    assert_refused(response)
    project.refresh_from_db()
    assert project.started_on is None
    assert WorkLog.objects.get() == worklog and worklog.occurred_on == date(2026, 12, 2)
    assert not WorkLogReport.objects.exists()


@pytest.mark.parametrize(
    "name,query",
    [
        ("worklog:journal", f"undo={NOT_A_UUID}"),
        ("worklog:journal-pickers", f"client={NOT_A_UUID}&changed=bogus"),
        ("worklog:journal-pickers", f"task={UNKNOWN_UUID}&changed=task"),
        ("worklog:session-history", "page=abc"),
    ],
)
def test_malformed_query_values_are_ignored_not_500(user_client, name, query):
    assert user_client.get(f"{reverse(name)}?{query}").status_code == 200


@pytest.mark.parametrize("query", [f"preset={NOT_A_UUID}", f"session={UNKNOWN_UUID}"])
def test_entry_from_an_unknown_preset_or_session_is_404(user_client, query):
    assert user_client.get(f"{reverse('worklog:journal-entry')}?{query}").status_code == 404


def test_entry_with_bad_fields_is_422_and_saves_nothing(user_client, other_user):
    other_tree = make_tree(other_user, name="Other")
    response = user_client.post(
        reverse("worklog:journal-entry"),
        {
            "content": "x",
            "occurred_on": "2026-02-30",
            "effort_minutes": "-5",
            "work_type": "bogus",
            "status": "bogus",
            "client": str(other_tree.client.pk),
            "task": NOT_A_UUID,
            "preset": NOT_A_UUID,
        },
    )
    assert_refused(response, 422)
    assert not WorkLog.objects.filter(user__username="alice").exists()


def test_hierarchy_form_with_a_forged_parent_is_422(user_client, other_user):
    other_tree = make_tree(other_user, name="Other")
    for parent in (f"client:{other_tree.client.pk}", f"client:{NOT_A_UUID}", "bogus"):
        response = user_client.post(
            reverse("worklog:journal-hierarchy"),
            {"level": "project", "parent": parent, "name": "Stolen"},
        )
        assert_refused(response, 422)


def test_report_with_bad_dates_or_kind_is_422(user_client):
    for data in (
        {"kind": "custom", "period_start": "2026-02-30", "period_end": "2026-03-01"},
        {"kind": "custom"},
        {"kind": "bogus"},
        {"kind": "sprint"},
    ):
        assert_refused(user_client.post(reverse("worklog:journal-reports"), data), 422)
    assert not WorkLogReport.objects.exists()


def test_oversized_and_disallowed_uploads_are_422(user_client, worklog, settings):
    settings.JOURNAL_ATTACHMENT_MAX_BYTES = 10
    url = reverse("worklog:journal-attachment-add", args=[worklog.pk])
    for upload in (
        SimpleUploadedFile("big.txt", b"x" * 11, content_type="text/plain"),
        SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream"),
    ):
        for headers in ({}, HTMX):
            upload.seek(0)
            response = user_client.post(url, {"file": upload}, headers=headers)
            assert_refused(response, 422)
    assert not worklog.attachments.exists()


def test_review_with_an_unknown_decision_is_400(user_client, worklog):
    from worklog.journal.enrichment import run_enrichment

    run_enrichment(worklog.pk)
    signal, bullet = worklog.skill_signals.first(), worklog.bullets.first()
    for url in (
        reverse("worklog:journal-signal-review", args=[signal.pk]),
        reverse("worklog:journal-bullet-review", args=[bullet.pk]),
    ):
        assert_refused(user_client.post(url, {"decision": "bogus"}), 400)


def test_procedure_forms_with_bad_input_are_refused(user_client, user, sop):
    from worklog.procedures.services import start_procedure_session

    session = start_procedure_session(worker=user, sop=sop)
    for data in ({"step": NOT_A_UUID, "result": "passed"}, {"step": UNKNOWN_UUID, "result": "x"}):
        response = user_client.post(reverse("worklog:session-check", args=[session.pk]), data)
        assert_refused(response, 409, 422)
    response = user_client.post(
        reverse("worklog:session-check", args=[session.pk]),
        {"step": UNKNOWN_UUID, "result": "passed"},
    )
    assert_refused(response, 409, 422)
    assert not SafetyCheck.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sessions?status=bogus",
        "/api/v1/sessions?limit=0",
        "/api/v1/sessions?limit=abc",
        "/api/v1/sessions?offset=-1",
        f"/api/v1/sessions/{NOT_A_UUID}",
        f"/api/v1/sessions/{UNKNOWN_UUID}",
        "/api/v1/journal/worklogs?from=2026-13-45",
        "/api/v1/journal/worklogs?from=2026-12-05&to=2026-12-01",
        f"/api/v1/journal/worklogs/{NOT_A_UUID}",
        f"/api/v1/journal/reports/{UNKNOWN_UUID}",
    ],
)
def test_api_bad_query_or_path_is_a_json_4xx(api, path):
    response = api.get(path)
    assert_refused(response)
    assert {"code", "message"} <= set(response.json())


@pytest.mark.parametrize(
    "path,body",
    [
        ("/api/v1/sessions", {"sop_id": NOT_A_UUID}),
        ("/api/v1/sessions", "not json"),
        ("/api/v1/sessions", []),
        (f"/api/v1/sessions/{NOT_A_UUID}/complete", {}),
        (f"/api/v1/sessions/{UNKNOWN_UUID}/checks", {"step_id": UNKNOWN_UUID, "result": "passed"}),
        ("/api/v1/journal/worklogs", {"occurred_on": "2026-02-30", "content": "x"}),
        ("/api/v1/journal/worklogs", {"occurred_on": "2026-12-01", "content": "x", "task": 5}),
        ("/api/v1/journal/worklogs", {"occurred_on": "2026-12-01", "content": "", "task": 5}),
        ("/api/v1/journal/reports", {"kind": "custom", **REVERSED_PERIOD}),
        ("/api/v1/journal/reports", {"kind": "bogus"}),
    ],
)
def test_api_bad_body_is_a_json_4xx(api, path, body):
    import json

    data = body if isinstance(body, str) else json.dumps(body)
    response = api.post(path, data, content_type="application/json")
    assert_refused(response)
    assert {"code", "message"} <= set(response.json())
    assert not ProcedureSession.objects.exists() and not WorkLog.objects.exists()
