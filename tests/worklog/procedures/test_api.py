"""/api/v1/sessions: one test per seed scenario (session_001 ... session_009), then errors."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.services import create_api_token
from decisioning.models import Decision
from worklog.models import SOP, ProcedureSession, SafetyCheck, SessionStatus, WorkSession
from worklog.procedures import services
from worklog.procedures.selectors import ordered_steps

pytestmark = pytest.mark.django_db

URL = "/api/v1/sessions"


def client_for(user) -> Client:
    token = create_api_token(user=user, name="tests")[1]
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def api(user):
    return client_for(user)


@pytest.fixture
def supervisor_api(supervisor):
    return client_for(supervisor)


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def start(api, sop):
    response = post(api, URL, {"sop_id": str(sop.pk)})
    assert response.status_code == 201, response.content
    return response.json()


def check(api, session_id, step_id, result="passed", notes=""):
    return post(
        api,
        f"{URL}/{session_id}/checks",
        {"step_id": str(step_id), "result": result, "notes": notes},
    )


def walk_all(api, body):
    while body["current_step"]:
        response = check(api, body["id"], body["current_step"]["id"])
        assert response.status_code == 201, response.content
        body = response.json()["session"]
    return body


def test_session_001_post_sessions_starts_from_sop(api, user, sop):
    body = start(api, sop)
    steps = list(ordered_steps(sop))
    assert body["status"] == "in_progress"
    assert body["current_step"]["id"] == str(steps[0].pk)
    assert body["sop_id"] == str(sop.pk) and body["sop"]["title"] == sop.title
    assert body["started_at"]
    session = ProcedureSession.objects.get(pk=body["id"])
    assert session.worker == user
    assert WorkSession.objects.active().get().target == session


def test_session_001_draft_sop_is_refused(api, user, make_sop):
    draft = make_sop(user, confirmed=False)
    response = post(api, URL, {"sop_id": str(draft.pk)})
    assert response.status_code == 409
    assert response.json()["code"] == "sop_not_confirmed"
    missing = post(api, URL, {"sop_id": "00000000-0000-0000-0000-000000000000"})
    assert missing.status_code == 404 and missing.json()["code"] == "sop_not_found"
    assert not ProcedureSession.objects.exists()


def test_session_002_passed_check_returns_next_step(api, sop):
    body = start(api, sop)
    steps = list(ordered_steps(sop))
    response = check(api, body["id"], steps[0].pk, notes="guard in place")
    assert response.status_code == 201
    data = response.json()
    assert data["check"]["result"] == "passed" and data["check"]["notes"] == "guard in place"
    assert data["next_step"]["id"] == str(steps[1].pk)
    assert data["session"]["status"] == "in_progress"
    assert data["session"]["current_step"]["id"] == str(steps[1].pk)


def test_session_002_final_passed_check_completes(api, sop):
    body = walk_all(api, start(api, sop))
    assert body["status"] == "completed"
    assert body["completed_at"] is not None
    assert body["current_step"] is None and body["current_step_id"] is None
    assert body["progress"] == {"done_steps": 3, "total_steps": 3}


def test_session_003_get_current_includes_checks_and_next_step(api, sop):
    assert api.get(f"{URL}/current").json() is None
    body = start(api, sop)
    steps = list(ordered_steps(sop))
    check(api, body["id"], steps[0].pk, "failed")
    check(api, body["id"], steps[0].pk, "passed")
    current = api.get(f"{URL}/current").json()
    assert current["id"] == body["id"]
    assert current["current_step"]["id"] == str(steps[1].pk)
    assert current["next_step"]["id"] == str(steps[2].pk)
    assert [c["result"] for c in current["checks"]] == ["failed", "passed"]
    assert [len(task["steps"]) for task in current["sop"]["tasks"]] == [2, 1]


def test_session_003_list_history_most_recent_first_with_filters(api, user, make_sop):
    first = start(api, make_sop(user, title="First"))
    post(api, f"{URL}/{first['id']}/complete")
    second = start(api, make_sop(user, title="Second"))
    body = api.get(URL).json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [second["id"], first["id"]]
    assert [item["sop_title"] for item in body["items"]] == ["Second", "First"]
    assert body["items"][0]["started_at"] and body["items"][1]["completed_at"]
    completed = api.get(URL, {"status": "completed"}).json()
    assert [item["id"] for item in completed["items"]] == [first["id"]]
    paged = api.get(URL, {"limit": 1, "offset": 1}).json()
    assert paged["count"] == 2 and [item["id"] for item in paged["items"]] == [first["id"]]
    assert api.get(URL, {"status": "nonsense"}).status_code == 422
    assert api.get(URL, {"limit": 0}).status_code == 422


def test_session_004_owner_completes_manually(api, other_user, sop):
    body = start(api, sop)
    other = post(client_for(other_user), f"{URL}/{body['id']}/complete")
    assert other.status_code == 404
    response = post(api, f"{URL}/{body['id']}/complete")
    assert response.status_code == 200
    assert response.json()["status"] == "completed" and response.json()["completed_at"]
    again = check(api, body["id"], body["current_step"]["id"])
    assert again.status_code == 409 and again.json()["code"] == "session_not_active"


def test_session_004_supervisor_cannot_complete_for_the_worker(api, supervisor_api, sop):
    body = start(api, sop)
    response = post(supervisor_api, f"{URL}/{body['id']}/complete")
    assert response.status_code == 403 and response.json()["code"] == "not_session_owner"
    assert ProcedureSession.objects.get().status == SessionStatus.IN_PROGRESS


def test_session_005_locked_session_mutations_409_and_audited(api, supervisor_api, sop):
    body = walk_all(api, start(api, sop))
    approved = post(supervisor_api, f"{URL}/{body['id']}/approve", {"reason": "fine"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["decision"]["outcome"] == "approved"
    assert approved.json()["session"]["locked"] is True
    first_step = str(next(iter(ordered_steps(sop))).pk)
    for url, data in [
        (f"{URL}/{body['id']}/checks", {"step_id": first_step, "result": "passed"}),
        (f"{URL}/{body['id']}/complete", None),
        (f"{URL}/{body['id']}/pause", None),
    ]:
        response = post(api, url, data)
        assert response.status_code == 409, url
        assert response.json()["code"] == "session_locked"
    assert SafetyCheck.objects.count() == 3
    session = ProcedureSession.objects.get()
    refusals = Decision.objects.for_target(session).filter(decision_type=services.REFUSAL_DECISION)
    assert refusals.count() == 3


def test_session_005_override_unlocks_with_reason(api, supervisor_api, sop):
    body = walk_all(api, start(api, sop))
    post(supervisor_api, f"{URL}/{body['id']}/approve")
    missing_reason = post(supervisor_api, f"{URL}/{body['id']}/override", {"reason": ""})
    assert missing_reason.status_code == 422
    response = post(supervisor_api, f"{URL}/{body['id']}/override", {"reason": "Redo photo"})
    assert response.status_code == 200
    assert response.json()["decision"]["decision_type"] == services.OVERRIDE_DECISION
    assert response.json()["session"]["locked"] is False
    again = post(supervisor_api, f"{URL}/{body['id']}/override", {"reason": "again"})
    assert again.status_code == 409 and again.json()["code"] == "session_not_locked"


def test_session_005_approval_needs_supervisor(api, user, sop):
    body = walk_all(api, start(api, sop))
    response = post(api, f"{URL}/{body['id']}/approve")
    assert response.status_code == 403 and response.json()["code"] == "not_supervisor"
    assert not ProcedureSession.objects.get().locked


def test_session_006_delete_sop_with_active_sessions_is_400_listing_them(api, user, sop):
    body = start(api, sop)
    response = api.delete(f"/api/v1/sops/{sop.pk}")
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "sop_has_active_sessions"
    assert error["sessions"] == [body["id"]]
    assert body["id"] in error["message"] and "Complete or cancel them first" in error["message"]
    assert SOP.objects.filter(pk=sop.pk).exists()
    post(api, f"{URL}/{body['id']}/complete")
    assert api.delete(f"/api/v1/sops/{sop.pk}").status_code == 204
    assert not SOP.objects.filter(pk=sop.pk).exists()
    # The session history still shows the deleted SOP's sessions.
    assert api.get(URL).json()["items"][0]["sop_title"] == sop.title


def test_sops_list_and_delete_only_own(api, user, other_user, make_sop):
    mine = make_sop(user, title="Mine")
    make_sop(other_user, title="Their draft", confirmed=False)
    listed = api.get("/api/v1/sops").json()
    assert [item["title"] for item in listed] == ["Mine"]
    theirs = make_sop(other_user, title="Theirs")
    assert api.delete(f"/api/v1/sops/{theirs.pk}").status_code == 404
    assert SOP.objects.filter(pk=theirs.pk).exists() and SOP.objects.filter(pk=mine.pk).exists()


def test_session_007_check_and_session_saved_together(api, sop):
    body = start(api, sop)
    response = check(api, body["id"], body["current_step"]["id"], "passed", "ok")
    data = response.json()
    session = ProcedureSession.objects.get()
    assert str(session.current_step_id) == data["next_step"]["id"]
    assert SafetyCheck.objects.get().pk.hex == data["check"]["id"].replace("-", "")
    detail = api.get(f"{URL}/{body['id']}").json()
    assert [c["id"] for c in detail["checks"]] == [data["check"]["id"]]


def test_session_008_pause_and_resume(api, sop):
    body = start(api, sop)
    paused = post(api, f"{URL}/{body['id']}/pause")
    assert paused.status_code == 200
    assert paused.json()["status"] == "paused" and paused.json()["paused_at"]
    assert paused.json()["current_step"]["id"] == body["current_step"]["id"]
    refused = check(api, body["id"], body["current_step"]["id"])
    assert refused.status_code == 409 and refused.json()["code"] == "session_not_active"
    assert api.get(f"{URL}/current").json() is None
    assert api.get(f"{URL}/current", {"include_paused": "true"}).json()["status"] == "paused"
    twice = post(api, f"{URL}/{body['id']}/pause")
    assert twice.status_code == 409
    resumed = post(api, f"{URL}/{body['id']}/resume")
    assert resumed.status_code == 200
    assert resumed.json()["status"] == "in_progress" and resumed.json()["paused_at"] is None
    assert resumed.json()["current_step"]["id"] == body["current_step"]["id"]


def test_session_009_second_start_409_with_open_session_id(api, user, make_sop):
    first = start(api, make_sop(user, title="A"))
    response = post(api, URL, {"sop_id": str(make_sop(user, title="B").pk)})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "active_session_exists"
    assert body["session_id"] == first["id"]
    assert first["id"] in body["message"] and "Complete or cancel" in body["message"]
    assert ProcedureSession.objects.count() == 1


def test_check_on_step_not_current_or_bad_input_changes_nothing(api, sop):
    body = start(api, sop)
    last = list(ordered_steps(sop))[-1]
    not_current = check(api, body["id"], last.pk)
    assert not_current.status_code == 409 and not_current.json()["code"] == "step_not_current"
    bad_result = check(api, body["id"], body["current_step"]["id"], "maybe")
    assert bad_result.status_code == 422 and bad_result.json()["code"] == "invalid_input"
    assert not SafetyCheck.objects.exists()


def test_another_workers_session_is_404(api, other_user, sop):
    body = start(api, sop)
    other = client_for(other_user)
    assert other.get(f"{URL}/{body['id']}").status_code == 404
    response = check(other, body["id"], body["current_step"]["id"])
    assert response.status_code == 404 and response.json()["code"] == "session_not_found"
    assert other.get(URL).json()["count"] == 0
    assert not SafetyCheck.objects.exists()


def test_requires_a_token(sop):
    response = Client().post(URL, {"sop_id": str(sop.pk)}, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_current_runs_a_fixed_number_of_queries(api, user, make_sop):
    small = make_sop(user, title="Small", steps_per_task=(1,))
    big = make_sop(user, title="Big", steps_per_task=(5, 5, 5))
    counts = []
    for sop in (small, big):
        body = start(api, sop)
        check(api, body["id"], body["current_step"]["id"], "failed")
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"{URL}/current").status_code == 200
        counts.append(len(queries))
        post(api, f"{URL}/{body['id']}/complete")
    assert counts[0] == counts[1]


def test_session_009_cancel_the_open_session_then_start_another(api, user, make_sop):
    first = start(api, make_sop(user, title="A"))
    response = post(api, f"{URL}/{first['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled" and response.json()["cancelled_at"]
    assert api.get(f"{URL}/current").json() is None
    second = start(api, make_sop(user, title="B"))
    assert second["status"] == "in_progress"
    cancelled = api.get(URL, {"status": "cancelled"}).json()
    assert [item["id"] for item in cancelled["items"]] == [first["id"]]


def test_every_action_on_another_workers_session_is_404(api, other_user, sop):
    body = start(api, sop)
    other = client_for(other_user)
    for action in ("complete", "pause", "resume", "cancel", "approve", "override"):
        response = post(other, f"{URL}/{body['id']}/{action}", {"reason": "x"})
        assert response.status_code == 404, action
        assert response.json()["code"] == "session_not_found"
    session = ProcedureSession.objects.get()
    assert session.status == SessionStatus.IN_PROGRESS and not session.locked
    assert not Decision.objects.for_target(session).exists()


def test_a_nul_character_in_check_notes_is_422_and_records_nothing(api, sop):
    from worklog.models import SafetyCheck

    body = start(api, sop)
    steps = list(ordered_steps(sop))
    response = check(api, body["id"], steps[0].pk, notes="bad\u0000note")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    assert not SafetyCheck.objects.exists()


def test_session_003_current_is_the_in_progress_session_and_a_paused_one_on_request(api, user, sop):
    body = start(api, sop)
    assert api.get(f"{URL}/current").json()["id"] == body["id"]
    assert api.get(f"{URL}/current", {"include_paused": "true"}).json()["id"] == body["id"]
    post(api, f"{URL}/{body['id']}/pause")
    # As the seed's query (status in progress): a paused session is not the current one...
    assert api.get(f"{URL}/current").json() is None
    # ...unless asked for: it is still the worker's open session, the one that blocks a start.
    paused = api.get(f"{URL}/current", {"include_paused": "true"}).json()
    assert (paused["id"], paused["status"]) == (body["id"], "paused")
    assert paused["current_step"]["id"] == body["current_step"]["id"]
    assert api.get(f"{URL}/current", {"include_paused": "maybe"}).status_code == 422


def test_current_says_in_the_schema_what_it_does_with_a_paused_session(api):
    operation = api.get("/api/v1/openapi.json").json()["paths"][f"{URL}/current"]["get"]
    described = operation["description"] + " ".join(
        parameter.get("description", "") for parameter in operation["parameters"]
    )
    assert "paused" in described and "include_paused" in described


def completed_session(api, sop) -> dict:
    body = start(api, sop)
    response = post(api, f"{URL}/{body['id']}/complete")
    assert response.status_code == 200
    return response.json()


def test_supervisor_reopens_a_completed_session_with_a_reason(api, supervisor_api, sop):
    body = completed_session(api, sop)
    refused = post(api, f"{URL}/{body['id']}/reopen", {"reason": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "not_supervisor"
    missing = post(supervisor_api, f"{URL}/{body['id']}/reopen", {"reason": ""})
    assert missing.status_code == 422
    response = post(supervisor_api, f"{URL}/{body['id']}/reopen", {"reason": "Redo step 1"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["decision"]["decision_type"] == services.REOPEN_DECISION
    assert data["decision"]["reason"] == "Redo step 1"
    assert data["session"]["status"] == "paused"
    assert data["session"]["current_step"]["id"] == body["sop"]["tasks"][0]["steps"][0]["id"]
    again = post(supervisor_api, f"{URL}/{body['id']}/reopen", {"reason": "Redo step 1"})
    assert again.status_code == 409 and again.json()["code"] == "session_not_completed"


def test_supervisor_corrects_a_check_with_a_reason(api, supervisor_api, sop):
    body = start(api, sop)
    recorded = check(api, body["id"], body["current_step"]["id"], "failed").json()["check"]
    url = f"{URL}/{body['id']}/checks/{recorded['id']}/correct"
    assert post(api, url, {"result": "passed", "reason": "x"}).status_code == 403
    response = post(
        supervisor_api, url, {"result": "passed", "notes": "Fine after all", "reason": "Photo"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["decision"]["decision_type"] == services.CHECK_CORRECTION_DECISION
    corrected = data["session"]["checks"][0]
    assert (corrected["result"], corrected["notes"], corrected["corrected_by"]) == (
        "passed",
        "Fine after all",
        "sam",
    )
    unchanged = post(supervisor_api, url, {"result": "passed", "reason": "again"})
    assert unchanged.status_code == 422
    assert post(supervisor_api, url, {"result": "maybe", "reason": "x"}).status_code == 422
    other_session = f"{URL}/{body['id']}/checks/{body['id']}/correct"
    missing = post(supervisor_api, other_session, {"result": "failed", "reason": "x"})
    assert missing.status_code == 404


def test_sop_author_cancels_another_workers_session_with_a_reason(api, other_user, sop):
    theirs = start(client_for(other_user), sop)
    url = f"{URL}/{theirs['id']}/cancel"
    assert post(api, url).status_code == 422
    response = post(api, url, {"reason": "Abandoned since Monday"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    decision = Decision.objects.get(decision_type=services.CANCEL_DECISION)
    assert decision.reason == "Abandoned since Monday"
    assert api.delete(f"/api/v1/sops/{sop.pk}").status_code == 204
    # Being able to cancel it does not make the session the author's to read.
    assert api.get(f"{URL}/{theirs['id']}").status_code == 404


@pytest.mark.parametrize("offset", ["1000001", "9223372036854775807", "9223372036854775808"])
def test_list_offset_beyond_its_bound_is_422_not_500(api, user, offset):
    response = api.get(URL, {"offset": offset})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert "offset" in response.json()["message"]
