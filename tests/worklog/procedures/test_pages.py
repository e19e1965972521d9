"""The procedure pages: SOP list, detail and editor, the run page, history and approval queue."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from decisioning.models import Decision
from tests.conftest import HEADER_QUERIES, RUNNING_HEADER_QUERIES
from worklog.models import (
    SOP,
    ProcedureSession,
    SafetyCheck,
    SessionStatus,
    SOPStatus,
    WorkSession,
)
from worklog.procedures import services
from worklog.procedures.selectors import ordered_steps

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(name, *args):
    return reverse(f"worklog:{name}", args=args)


@pytest.fixture
def supervisor_client(supervisor):
    client = Client()
    client.force_login(supervisor)
    return client


@pytest.fixture
def running(user, sop):
    return services.start_procedure_session(worker=user, sop=sop)


def completed_session(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    return services.complete_procedure_session(session=session, user=user)


# SOP list, detail and editor


def test_list_shows_confirmed_sops_and_own_drafts_only(user_client, user, other_user, make_sop):
    make_sop(user, title="Confirmed one")
    make_sop(user, title="My draft", confirmed=False)
    make_sop(other_user, title="Their draft", confirmed=False)
    response = user_client.get(url("procedures"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Confirmed one" in body and "My draft" in body and "Their draft" not in body


def test_create_draft_then_edit_in_the_editor_with_htmx(user_client, user):
    response = user_client.post(url("sop-create"), {"title": "Forklift check"})
    sop = SOP.objects.get(title="Forklift check")
    assert response.status_code == 302 and response["Location"] == url("sop-editor", sop.pk)
    assert user_client.get(url("sop-editor", sop.pk)).status_code == 200

    added = user_client.post(url("task-add", sop.pk), {"title": "Before driving"}, headers=HTMX)
    assert added.status_code == 200
    assert 'id="sop-editor"' in added.content.decode() and "<html" not in added.content.decode()
    task = sop.tasks.get()
    for instruction in ("Check forks", "Check horn"):
        user_client.post(
            url("task-add-step", task.pk),
            {"instruction": instruction, "safety_check_required": "on", "check_description": "ok"},
            headers=HTMX,
        )
    horn = task.steps.get(instruction="Check horn")
    user_client.post(url("step-move-up", horn.pk), headers=HTMX)
    assert [s.instruction for s in task.steps.order_by("position")] == ["Check horn", "Check forks"]
    user_client.post(
        url("step-edit", horn.pk),
        {"instruction": "Sound the horn", "check_description": "audible"},
        headers=HTMX,
    )
    horn.refresh_from_db()
    assert horn.instruction == "Sound the horn" and not horn.safety_check_required
    user_client.post(url("task-rename", task.pk), {"title": "Pre-drive"}, headers=HTMX)
    user_client.post(url("step-delete", horn.pk), headers=HTMX)
    assert task.steps.count() == 1

    confirmed = user_client.post(url("sop-confirm", sop.pk))
    assert confirmed.status_code == 302
    sop.refresh_from_db()
    assert sop.status == SOPStatus.CONFIRMED


def test_editor_errors_are_clear_and_change_nothing(user_client, user, make_sop):
    draft = make_sop(user, confirmed=False)
    task = draft.tasks.first()
    empty = user_client.post(url("task-add-step", task.pk), {"instruction": ""}, headers=HTMX)
    assert empty.status_code == 422 and "Instruction" in empty.content.decode()
    assert task.steps.count() == 2
    confirmed = make_sop(user, title="Frozen")
    frozen_task = confirmed.tasks.first()
    refused = user_client.post(url("task-rename", frozen_task.pk), {"title": "x"}, headers=HTMX)
    assert refused.status_code == 409 and "new version" in refused.content.decode()
    frozen_task.refresh_from_db()
    assert frozen_task.title == "Task 1"
    empty_sop = services.create_sop(user=user, title="Empty")
    not_ready = user_client.post(url("sop-confirm", empty_sop.pk))
    assert not_ready.status_code == 409 and "at least one task" in not_ready.content.decode()


def test_another_users_sop_offers_no_new_version_and_refuses_one_with_403(client, other_user, sop):
    client.force_login(other_user)
    page = client.get(url("sop-detail", sop.pk)).content.decode()
    assert url("sop-new-version", sop.pk) not in page
    response = client.post(url("sop-new-version", sop.pk))
    assert response.status_code == 403
    assert "members of Procedure authors" in response.content.decode()
    assert not SOP.all_objects.filter(previous_version=sop).exists()


def test_new_version_opens_the_copy_in_the_editor(user_client, sop):
    response = user_client.post(url("sop-new-version", sop.pk))
    copy = SOP.objects.get(version=2)
    assert response.status_code == 302 and response["Location"] == url("sop-editor", copy.pk)
    assert copy.is_draft and copy.tasks.count() == sop.tasks.count()


def test_session_006_delete_refused_while_sessions_active_lists_them(user_client, running, sop):
    response = user_client.post(url("sop-delete", sop.pk))
    assert response.status_code == 400
    body = response.content.decode()
    assert str(running.pk) in body and "Complete or cancel them first" in body
    assert SOP.objects.filter(pk=sop.pk).exists()


def test_delete_when_no_session_is_active(user_client, user, sop):
    completed_session(user, sop)
    response = user_client.post(url("sop-delete", sop.pk))
    assert response.status_code == 302
    assert not SOP.objects.filter(pk=sop.pk).exists()


def test_sop_pages_hidden_from_other_users(user, make_sop, assert_hidden_from_other_user):
    draft = make_sop(user, confirmed=False)
    task = draft.tasks.first()
    step = task.steps.first()
    assert_hidden_from_other_user(url("sop-detail", draft.pk))
    assert_hidden_from_other_user(url("sop-editor", draft.pk))
    assert_hidden_from_other_user(url("task-add", draft.pk), method="post", data={"title": "x"})
    assert_hidden_from_other_user(url("sop-confirm", draft.pk), method="post")
    assert_hidden_from_other_user(url("task-delete", task.pk), method="post")
    assert_hidden_from_other_user(url("step-delete", step.pk), method="post")
    confirmed = make_sop(user, title="Shared")
    assert_hidden_from_other_user(url("sop-delete", confirmed.pk), method="post")
    assert SOP.objects.count() == 2 and step.task.steps.count() == 2


# Starting and running


def test_start_redirects_to_the_run_page_and_times_it(user_client, user, sop):
    response = user_client.post(url("sop-start", sop.pk))
    session = ProcedureSession.objects.get()
    assert response.status_code == 302 and response["Location"] == url("session-run", session.pk)
    page = user_client.get(response["Location"])
    assert page.status_code == 200
    assert "Step 1.1" in page.content.decode()
    assert session.timer_session.is_active


def test_session_009_second_start_refused_with_link_to_open_session(
    user_client, user, running, make_sop
):
    other_sop = make_sop(user, title="Other")
    response = user_client.post(url("sop-start", other_sop.pk), follow=True)
    # Back on the SOP's page, not left on the start URL; the open session is named, not its id.
    assert response.redirect_chain == [(url("sop-detail", other_sop.pk), 302)]
    body = response.content.decode()
    assert f'href="{url("session-run", running.pk)}"' in body
    assert "You already have an active procedure session: “Lockout procedure v1”" in body
    assert "Complete or cancel it" in body
    assert str(running.pk) not in re.sub(r"<[^>]+>", "", body)  # only in the link's href
    assert ProcedureSession.objects.count() == 1


def test_draft_cannot_be_started_from_the_page(user_client, user, make_sop):
    draft = make_sop(user, confirmed=False)
    response = user_client.post(url("sop-start", draft.pk), follow=True)
    assert response.redirect_chain == [(url("sop-detail", draft.pk), 302)]
    assert "not confirmed" in response.content.decode()
    assert not ProcedureSession.objects.exists()


def test_check_with_htmx_swaps_the_run_panel(user_client, running, sop):
    """A check that leaves the session running answers with the current step, and out of band
    the summary and the outline rows it changed; not the whole panel."""
    steps = list(ordered_steps(sop))
    failed = user_client.post(
        url("session-check", running.pk),
        {"step": steps[0].pk, "result": "failed", "notes": "loose"},
        headers=HTMX,
    )
    assert failed.status_code == 200 and "HX-Retarget" not in failed
    body = failed.content.decode()
    assert 'id="run-panel"' not in body and "<html" not in body and "Check failed" in body
    assert body.lstrip().startswith('<div id="current-step"')
    assert f'data-step-id="{steps[0].pk}"' in body
    assert (
        'id="run-summary" class="rounded-lg border border-slate-200 bg-white p-4" hx-swap-oob'
        in body
    )
    assert "0 of 3 steps done" in body
    assert body.count('data-testid="outline-step"') == 1
    assert f'id="outline-step-{steps[0].pk}"' in body and 'data-result="failed"' in body
    passed = user_client.post(
        url("session-check", running.pk), {"step": steps[0].pk, "result": "passed"}, headers=HTMX
    )
    body = passed.content.decode()
    assert f'data-step-id="{steps[1].pk}"' in body and "1 of 3 steps done" in body
    assert body.count('data-testid="outline-step"') == 2
    checked = body[body.index(f'id="outline-step-{steps[0].pk}"') :]
    assert 'data-state="done"' in checked.split("</li>")[0]
    assert checked.count('data-testid="step-check"') == 2  # the failed and the passed check
    assert f'id="outline-step-{steps[1].pk}"' in body and 'data-state="current"' in body
    assert list(SafetyCheck.objects.values_list("result", flat=True)) == ["failed", "passed"]


def test_check_that_completes_the_session_swaps_the_whole_run_panel(user_client, running, sop):
    for step in ordered_steps(sop):
        response = user_client.post(
            url("session-check", running.pk), {"step": step.pk, "result": "passed"}, headers=HTMX
        )
    assert response.status_code == 200 and response["HX-Retarget"] == "#run-panel"
    body = response.content.decode()
    assert 'id="run-panel"' in body and 'data-testid="completed-note"' in body
    assert "the session is complete" in body and body.count('data-state="done"') == 3


def test_refused_check_swaps_the_whole_run_panel(user_client, running, sop):
    last = list(ordered_steps(sop))[-1]
    response = user_client.post(
        url("session-check", running.pk), {"step": last.pk, "result": "passed"}, headers=HTMX
    )
    assert response.status_code == 409 and response["HX-Retarget"] == "#run-panel"
    assert 'id="run-panel"' in response.content.decode()


def test_check_without_htmx_redirects_to_the_run_page(user_client, running, sop):
    step = next(iter(ordered_steps(sop)))
    response = user_client.post(
        url("session-check", running.pk), {"step": step.pk, "result": "failed"}
    )
    assert response.status_code == 302 and response["Location"] == url("session-run", running.pk)


def test_check_on_a_step_that_is_not_current_is_refused(user_client, running, sop):
    last = list(ordered_steps(sop))[-1]
    response = user_client.post(
        url("session-check", running.pk), {"step": last.pk, "result": "passed"}, headers=HTMX
    )
    assert response.status_code == 409 and "not the session" in response.content.decode()
    bad = user_client.post(url("session-check", running.pk), {"result": "passed"}, headers=HTMX)
    assert bad.status_code == 422
    assert not SafetyCheck.objects.exists()


def test_pause_resume_and_complete_from_the_run_page(user_client, running):
    user_client.post(url("session-pause", running.pk), headers=HTMX)
    running.refresh_from_db()
    assert running.status == SessionStatus.PAUSED
    user_client.post(url("session-resume", running.pk), headers=HTMX)
    running.refresh_from_db()
    assert running.status == SessionStatus.IN_PROGRESS
    response = user_client.post(url("session-complete", running.pk))
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.status == SessionStatus.COMPLETED


def test_locked_session_refuses_changes_on_the_page(user_client, supervisor_client, user, sop):
    session = completed_session(user, sop)
    approved = supervisor_client.post(url("session-approve", session.pk), {"reason": "ok"})
    assert approved.status_code == 302
    # With an idempotency key, as the page's form sends: the view runs inside its transaction,
    # and the refusal's audit entry must still be kept.
    refused = user_client.post(
        url("session-pause", session.pk), {"idempotency_key": "pause-1"}, headers=HTMX
    )
    assert refused.status_code == 409 and "locked" in refused.content.decode()
    refusal = Decision.objects.for_target(session).filter(decision_type=services.REFUSAL_DECISION)
    assert refusal.count() == 1
    overridden = supervisor_client.post(
        url("session-override", session.pk), {"reason": "recheck"}, headers=HTMX
    )
    assert overridden.status_code == 200 and 'data-locked="false"' in overridden.content.decode()


def test_approval_queue_for_supervisors_only(user_client, supervisor_client, user, sop):
    session = completed_session(user, sop)
    assert user_client.get(url("approval-queue")).status_code == 403
    assert user_client.post(url("session-approve", session.pk)).status_code == 403
    page = supervisor_client.get(url("approval-queue"))
    assert page.status_code == 200 and str(session.sop) in page.content.decode()
    approved = supervisor_client.post(url("session-approve", session.pk), {"from": "queue"})
    assert approved.status_code == 302 and approved["Location"] == url("approval-queue")
    session.refresh_from_db()
    assert session.locked


def test_session_pages_hidden_from_other_users(running, sop, assert_hidden_from_other_user):
    step = list(ordered_steps(sop))[0]
    assert_hidden_from_other_user(url("session-run", running.pk))
    assert_hidden_from_other_user(
        url("session-check", running.pk), method="post", data={"step": step.pk, "result": "passed"}
    )
    for action in ("pause", "resume", "complete"):
        assert_hidden_from_other_user(url(f"session-{action}", running.pk), method="post")
    running.refresh_from_db()
    assert running.status == SessionStatus.IN_PROGRESS and not SafetyCheck.objects.exists()


def test_history_most_recent_first_with_status_filter(user_client, user, other_user, make_sop):
    old = completed_session(user, make_sop(user, title="Older SOP"))
    services.start_procedure_session(worker=user, sop=make_sop(user, title="Newer SOP"))
    services.start_procedure_session(worker=other_user, sop=make_sop(user, title="Not mine"))
    body = user_client.get(url("session-history")).content.decode()
    assert body.index("Newer SOP") < body.index("Older SOP") and "Not mine" not in body
    filtered = user_client.get(url("session-history"), {"status": "completed"}, headers=HTMX)
    text = filtered.content.decode()
    assert 'id="history-list"' in text and "Older SOP" in text and "Newer SOP" not in text
    assert old.sop.title in text


# Query counts

# Auth session and user (2); the session with SOP and current step (1); tasks, steps, checks,
# decisions (4); the supervisor permission check (1).
RUN_PAGE_QUERIES = 8
# Auth session and user (2); count and page of sessions with their SOPs (2).
HISTORY_PAGE_QUERIES = 4 + HEADER_QUERIES
# Auth session and user (2); the session (1); the service's transaction, a savepoint inside the
# test's (2), in which: lock the worker and the session (2), the SOP's steps (1), update the
# session and insert the check (2); the changed rows' checks (1).
CHECK_QUERIES = 11
# As a check, less the changed rows' checks (11 - 1); in the service's transaction, stop the
# timer session read with the locked session (1), after checking the lock period and the locked
# weeks of the worker read with it (one query); then the session's checks, its decisions (2)
# and the supervisor permission check (1).
COMPLETING_CHECK_QUERIES = 15


def test_run_page_queries_do_not_grow_with_steps_or_checks(
    user_client, user, make_sop, django_assert_num_queries
):
    for steps_per_task in ((1,), (6, 6, 6)):
        sop = make_sop(user, title=f"SOP {len(steps_per_task)}", steps_per_task=steps_per_task)
        session = services.start_procedure_session(worker=user, sop=sop)
        for result in ("failed", "passed", "failed"):
            session.refresh_from_db()
            if session.current_step_id is None:
                break
            services.record_check(
                session=session, user=user, step_id=session.current_step_id, result=result
            )
        # The header reads the running timer, and its target (the procedure session) if it runs.
        timing = WorkSession.objects.for_user(user).active().exists()
        header = RUNNING_HEADER_QUERIES if timing else HEADER_QUERIES
        with django_assert_num_queries(RUN_PAGE_QUERIES + header):
            assert user_client.get(url("session-run", session.pk)).status_code == 200
        session.refresh_from_db()
        if session.is_active:
            services.complete_procedure_session(session=session, user=user)


def test_check_queries_do_not_grow_with_steps_or_checks(
    user_client, user, make_sop, django_assert_num_queries
):
    for steps_per_task in ((2,), (6, 6, 6)):
        sop = make_sop(user, title=f"SOP {len(steps_per_task)}", steps_per_task=steps_per_task)
        session = services.start_procedure_session(worker=user, sop=sop)
        step = list(ordered_steps(sop))[0]
        for result in ("failed", "failed", "passed"):
            with django_assert_num_queries(CHECK_QUERIES):
                response = user_client.post(
                    url("session-check", session.pk),
                    {"step": step.pk, "result": result},
                    headers=HTMX,
                )
            assert response.status_code == 200
        services.complete_procedure_session(session=session, user=user)


def test_completing_check_queries_do_not_grow_with_steps(
    user_client, user, make_sop, django_assert_num_queries
):
    for steps_per_task in ((2,), (6, 6, 6)):
        sop = make_sop(user, title=f"SOP {len(steps_per_task)}", steps_per_task=steps_per_task)
        session = services.start_procedure_session(worker=user, sop=sop)
        *earlier, last = ordered_steps(sop)
        for step in earlier:
            services.record_check(session=session, user=user, step_id=step.pk, result="passed")
        with django_assert_num_queries(COMPLETING_CHECK_QUERIES):
            response = user_client.post(
                url("session-check", session.pk),
                {"step": last.pk, "result": "passed"},
                headers=HTMX,
            )
        assert response.status_code == 200 and response["HX-Retarget"] == "#run-panel"
        body = response.content.decode()
        assert 'data-testid="completed-note"' in body
        assert body.count('data-testid="outline-step"') == len(earlier) + 1
        assert body.count('data-testid="step-check"') == len(earlier) + 1
        session.refresh_from_db()
        assert session.is_completed and not session.timer_session.is_active


def test_history_page_queries_do_not_grow_with_sessions(
    user_client, user, make_sop, django_assert_num_queries
):
    sop = make_sop(user)
    for count in (1, 25):
        while ProcedureSession.objects.count() < count:
            completed_session(user, sop)
        with django_assert_num_queries(HISTORY_PAGE_QUERIES):
            assert user_client.get(url("session-history")).status_code == 200


def test_timer_dashboard_shows_the_running_procedure(user_client, running, sop):
    response = user_client.get(reverse("worklog:dashboard"))
    assert response.status_code == 200
    assert str(sop) in response.content.decode()


def test_cancel_from_the_run_page(user_client, running):
    response = user_client.post(url("session-cancel", running.pk), headers=HTMX)
    assert response.status_code == 200
    assert 'data-testid="cancelled-note"' in response.content.decode()
    running.refresh_from_db()
    assert running.status == SessionStatus.CANCELLED


def test_timer_dashboard_queries_do_not_grow_with_procedure_sessions(user_client, user, make_sop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for sessions in (1, 4):
        while ProcedureSession.objects.count() < sessions:
            session = services.start_procedure_session(worker=user, sop=make_sop(user))
            services.complete_procedure_session(session=session, user=user)
        with CaptureQueriesContext(connection) as captured:
            assert user_client.get(reverse("worklog:dashboard")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_every_editor_action_is_hidden_from_other_users(
    user, make_sop, assert_hidden_from_other_user
):
    draft = make_sop(user, confirmed=False)
    task = draft.tasks.first()
    step = task.steps.first()
    assert_hidden_from_other_user(url("sop-editor", draft.pk), method="post", data={"title": "x"})
    assert_hidden_from_other_user(url("sop-start", draft.pk), method="post")
    assert_hidden_from_other_user(url("sop-new-version", draft.pk), method="post")
    step_data = {"instruction": "x", "check_description": "y"}
    for action, data in (
        ("rename", {"title": "x"}),
        ("move-up", {}),
        ("move-down", {}),
        ("add-step", step_data),
    ):
        assert_hidden_from_other_user(url(f"task-{action}", task.pk), method="post", data=data)
    for action, data in (("edit", step_data), ("move-up", {}), ("move-down", {})):
        assert_hidden_from_other_user(url(f"step-{action}", step.pk), method="post", data=data)
    task.refresh_from_db()
    step.refresh_from_db()
    assert draft.title == SOP.objects.get(pk=draft.pk).title
    assert task.title == "Task 1" and step.instruction == "Step 1.1"
    assert draft.tasks.count() == 2 and task.steps.count() == 2


def test_cancel_approve_and_override_are_hidden_from_other_workers(
    running, assert_hidden_from_other_user
):
    assert_hidden_from_other_user(url("session-cancel", running.pk), method="post")
    for action in ("approve", "override"):
        assert_hidden_from_other_user(
            url(f"session-{action}", running.pk), method="post", data={"reason": "x"}
        )
    running.refresh_from_db()
    assert running.status == SessionStatus.IN_PROGRESS and not running.locked


# A supervisor's changes after completion, and cancelling an abandoned session


def test_supervisor_reopens_a_completed_session_from_the_run_page(
    user_client, supervisor_client, user, sop
):
    session = completed_session(user, sop)
    page = supervisor_client.get(url("session-run", session.pk)).content.decode()
    assert 'data-testid="reopen-form"' in page
    assert (
        'data-testid="reopen-form"'
        not in user_client.get(url("session-run", session.pk)).content.decode()
    )
    assert user_client.post(url("session-reopen", session.pk), {"reason": "x"}).status_code == 403
    missing = supervisor_client.post(
        url("session-reopen", session.pk), {"reason": ""}, headers=HTMX
    )
    assert missing.status_code == 422 and "Reason" in missing.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    response = supervisor_client.post(
        url("session-reopen", session.pk), {"reason": "Redo the first step"}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-status="paused"' in body and "Redo the first step" in body
    session.refresh_from_db()
    assert session.status == SessionStatus.PAUSED


def test_supervisor_corrects_a_check_from_the_run_page(
    user_client, supervisor_client, user, running, sop
):
    first = list(ordered_steps(sop))[0]
    services.record_check(session=running, user=user, step_id=first.pk, result="failed")
    recorded = SafetyCheck.objects.get()
    page = supervisor_client.get(url("session-run", running.pk)).content.decode()
    assert 'data-testid="correct-check-form"' in page and str(recorded.pk) in page
    data = {"check": recorded.pk, "result": "passed", "notes": "", "reason": "Seen on camera"}
    assert user_client.post(url("session-correct-check", running.pk), data).status_code == 403
    response = supervisor_client.post(url("session-correct-check", running.pk), data, headers=HTMX)
    assert response.status_code == 200
    assert 'data-testid="check-corrected"' in response.content.decode()
    recorded.refresh_from_db()
    assert recorded.result == "passed" and recorded.corrected_by.username == "sam"
    other = services.start_procedure_session(worker=_worker("carl"), sop=sop)
    foreign = {**data, "check": recorded.pk, "result": "failed"}
    refused = supervisor_client.post(url("session-correct-check", other.pk), foreign, headers=HTMX)
    assert refused.status_code == 422
    recorded.refresh_from_db()
    assert recorded.result == "passed"


def test_sop_author_cancels_an_abandoned_session_so_the_sop_can_be_deleted(
    user_client, user, other_user, sop
):
    abandoned = services.start_procedure_session(worker=other_user, sop=sop)
    page = user_client.get(url("sop-detail", sop.pk)).content.decode()
    assert 'data-testid="open-sessions"' in page and "bob" in page
    cancel_url = url("sop-session-cancel", sop.pk, abandoned.pk)
    missing = user_client.post(cancel_url, {"reason": ""})
    assert missing.status_code == 422 and "reason" in missing.content.decode()
    response = user_client.post(cancel_url, {"reason": "Bob left on Friday"})
    assert response.status_code == 302 and response["Location"] == url("sop-detail", sop.pk)
    abandoned.refresh_from_db()
    assert abandoned.status == SessionStatus.CANCELLED
    assert Decision.objects.for_target(abandoned).get().reason == "Bob left on Friday"
    assert user_client.post(url("sop-delete", sop.pk)).status_code == 302


def test_only_the_sop_author_or_a_supervisor_sees_and_cancels_its_open_sessions(
    client, user, other_user, supervisor_client, sop
):
    mine = services.start_procedure_session(worker=user, sop=sop)
    stranger = _worker("carl")
    client.force_login(stranger)
    page = client.get(url("sop-detail", sop.pk)).content.decode()
    assert 'data-testid="open-sessions"' not in page
    cancel_url = url("sop-session-cancel", sop.pk, mine.pk)
    assert client.post(cancel_url, {"reason": "x"}).status_code == 404
    mine.refresh_from_db()
    assert mine.is_active
    assert (
        'data-testid="open-sessions"'
        in supervisor_client.get(url("sop-detail", sop.pk)).content.decode()
    )
    assert supervisor_client.post(cancel_url, {"reason": "Stuck"}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == SessionStatus.CANCELLED


def test_supervisor_cancels_another_workers_session_from_the_run_page(supervisor_client, running):
    page = supervisor_client.get(url("session-run", running.pk)).content.decode()
    assert 'data-testid="cancel-for-worker-form"' in page
    missing = supervisor_client.post(
        url("session-cancel", running.pk), {"reason": ""}, headers=HTMX
    )
    assert missing.status_code == 422
    response = supervisor_client.post(
        url("session-cancel", running.pk), {"reason": "Abandoned"}, headers=HTMX
    )
    assert (
        response.status_code == 200 and 'data-testid="cancelled-note"' in response.content.decode()
    )


def test_reopen_and_correction_are_hidden_from_other_workers(
    user, sop, assert_hidden_from_other_user
):
    session = completed_session(user, sop)
    assert_hidden_from_other_user(
        url("session-reopen", session.pk), method="post", data={"reason": "x"}
    )
    assert_hidden_from_other_user(
        url("session-correct-check", session.pk),
        method="post",
        data={"check": "", "result": "passed", "reason": "x"},
    )
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED


def _worker(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=username, password="x")
