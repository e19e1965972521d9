"""Procedure sessions at the service level: one test per seed scenario (session_001 ...
session_009, named so), then the rules around them."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from decisioning.models import Decision
from worklog.exceptions import (
    ActiveProcedureSessionExistsError,
    CannotCancelSessionError,
    NotSessionOwnerError,
    NotSOPAuthorError,
    NotSOPOwnerError,
    NotSupervisorError,
    ProcedureError,
    SessionLockedError,
    SessionNotActiveError,
    SessionNotApprovableError,
    SessionNotCompletedError,
    SOPHasActiveSessionsError,
    SOPInvalidError,
    SOPNotConfirmedError,
    SOPNotEditableError,
    StepNotCurrentError,
)
from worklog.models import (
    SOP,
    CheckResult,
    EndReason,
    ProcedureSession,
    SafetyCheck,
    SessionStatus,
    SOPStatus,
    WorkSession,
)
from worklog.procedures import selectors, services
from worklog.procedures.exceptions import OwnSessionError
from worklog.procedures.selectors import ordered_steps, session_progress
from worklog.procedures.signals import WorkSessionCompleted

pytestmark = pytest.mark.django_db


def steps_of(sop):
    return list(ordered_steps(sop))


def walk(session, user, results):
    """Record one check per result on whatever step is current; returns the outcomes."""
    outcomes = []
    for result in results:
        session.refresh_from_db()
        outcomes.append(
            services.record_check(
                session=session, user=user, step_id=session.current_step_id, result=result
            )
        )
    return outcomes


# Seed scenarios


def test_session_001_start_work_session_from_confirmed_sop(user, sop):
    before = timezone.now()
    session = services.start_procedure_session(worker=user, sop=sop)
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS
    assert session.current_step == steps_of(sop)[0]
    assert session.current_step.task.position == 0
    assert session.sop == sop and session.worker == user
    assert before <= session.started_at <= timezone.now()


def test_session_002_passed_check_advances_and_returns_next_step(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    steps = steps_of(sop)
    outcome = services.record_check(
        session=session, user=user, step_id=steps[0].pk, result="passed", notes="ok"
    )
    assert outcome.next_step == steps[1]
    session.refresh_from_db()
    assert session.current_step == steps[1]
    assert session.status == SessionStatus.IN_PROGRESS
    check = SafetyCheck.objects.get(session=session)
    assert (check.step, check.result, check.notes, check.checked_by) == (
        steps[0],
        CheckResult.PASSED,
        "ok",
        user,
    )


def test_session_002_last_passed_check_completes_session(
    user, sop, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, session, completed_at, **kwargs):
        received.append((session.pk, completed_at))

    WorkSessionCompleted.connect(receiver)
    try:
        session = services.start_procedure_session(worker=user, sop=sop)
        with django_capture_on_commit_callbacks(execute=True):
            outcomes = walk(session, user, ["passed", "passed", "passed"])
    finally:
        WorkSessionCompleted.disconnect(receiver)
    assert outcomes[-1].next_step is None and outcomes[-1].completed
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    assert session.completed_at is not None
    assert session.current_step is None
    assert received == [(session.pk, session.completed_at)]


def test_session_003_get_active_session_for_worker(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    walk(session, user, ["passed", "failed"])
    current = selectors.get_current_for_worker(user.pk)
    assert current == session
    progress = session_progress(current)
    steps = steps_of(sop)
    assert progress.current_step == steps[1]
    assert progress.next_step == steps[2]
    assert [(c.step_id, c.result) for c in progress.checks] == [
        (steps[0].pk, "passed"),
        (steps[1].pk, "failed"),
    ]


def test_session_003_list_worker_session_history_most_recent_first(user, other_user, make_sop):
    first_sop = make_sop(user, title="First")
    second_sop = make_sop(user, title="Second")
    older = services.start_procedure_session(worker=user, sop=first_sop)
    services.complete_procedure_session(session=older, user=user)
    newer = services.start_procedure_session(worker=user, sop=second_sop)
    services.start_procedure_session(worker=other_user, sop=first_sop)
    history = list(selectors.list_by_worker(user.pk))
    assert history == [newer, older]
    assert [s.sop.title for s in history] == ["Second", "First"]
    assert list(selectors.list_by_worker(user.pk, status="completed")) == [older]


def test_session_004_worker_completes_session_manually(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    services.complete_procedure_session(session=session, user=user)
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    assert session.completed_at is not None
    with pytest.raises(SessionNotActiveError):
        walk(session, user, ["passed"])


def test_session_004_only_the_owner_completes(user, other_user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    with pytest.raises(NotSessionOwnerError):
        services.complete_procedure_session(session=session, user=other_user)
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS


def test_session_005_modifying_locked_session_is_refused_and_audited(user, supervisor, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    walk(session, user, ["passed", "passed", "passed"])
    services.approve_procedure_session(session=session, supervisor=supervisor)
    session.refresh_from_db()
    assert session.locked and session.approved_by == supervisor
    attempts = [
        lambda: services.record_check(
            session=session, user=user, step_id=steps_of(sop)[0].pk, result="passed"
        ),
        lambda: services.complete_procedure_session(session=session, user=user),
        lambda: services.pause_procedure_session(session=session, user=user),
        lambda: services.resume_procedure_session(session=session, user=user),
        lambda: services.approve_procedure_session(session=session, supervisor=supervisor),
    ]
    for attempt in attempts:
        with pytest.raises(SessionLockedError):
            attempt()
    assert SafetyCheck.objects.filter(session=session).count() == 3
    audit = Decision.objects.for_target(session).filter(decision_type=services.REFUSAL_DECISION)
    assert audit.count() == len(attempts)
    assert set(audit.values_list("outcome", flat=True)) == {"rejected"}
    assert {d.context["action"] for d in audit} == {
        "record a check",
        "complete the session",
        "pause",
        "resume",
        "approve",
    }


def test_session_006_sop_deletion_blocked_while_sessions_active(user, other_user, sop):
    mine = services.start_procedure_session(worker=user, sop=sop)
    theirs = services.start_procedure_session(worker=other_user, sop=sop)
    services.pause_procedure_session(session=theirs, user=other_user)
    with pytest.raises(SOPHasActiveSessionsError) as refused:
        services.delete_sop(sop=sop, user=user)
    message = str(refused.value)
    assert str(mine.pk) in message and str(theirs.pk) in message
    assert "Complete or cancel them first" in message
    assert SOP.objects.filter(pk=sop.pk).exists()
    services.complete_procedure_session(session=mine, user=user)
    services.complete_procedure_session(session=theirs, user=other_user)
    services.delete_sop(sop=sop, user=user)
    assert not SOP.objects.filter(pk=sop.pk).exists()
    assert SOP.all_objects.get(pk=sop.pk).is_deleted


def test_session_007_save_persists_session_and_checks_atomically(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    steps = steps_of(sop)
    session.add_check(step=steps[0], result="failed", checked_by=user, notes="guard loose")
    session.add_check(step=steps[0], result="passed", checked_by=user)
    session.advance_to_next_step(steps[1])
    services.save(session)
    loaded = selectors.get_by_id(session.pk)
    assert loaded.current_step == steps[1]
    assert [(c.step, c.result) for c in loaded.checks.all()] == [
        (steps[0], "failed"),
        (steps[0], "passed"),
    ]
    assert session.pending_checks == []


def test_session_007_save_writes_nothing_when_a_check_fails(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    steps = steps_of(sop)
    session.add_check(step=steps[0], result="passed", checked_by=user)
    session.pending_checks.append(SafetyCheck(session=session, step=steps[0], result="passed"))
    session.advance_to_next_step(steps[1])
    with pytest.raises(IntegrityError), transaction.atomic():
        services.save(session)
    loaded = selectors.get_by_id(session.pk)
    assert loaded.current_step == steps[0]
    assert not loaded.checks.exists()


def test_session_007_repository_reads(user, other_user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    assert selectors.get_by_id(session.pk) == session
    assert selectors.get_by_id(session.pk, user=other_user) is None
    assert selectors.get_current_for_worker(user.pk) == session
    assert selectors.get_current_for_worker(other_user.pk) is None
    assert list(selectors.list_by_worker(user.pk)) == [session]


def test_session_008_worker_pauses_and_resumes_session(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    walk(session, user, ["passed"])
    services.pause_procedure_session(session=session, user=user)
    session.refresh_from_db()
    assert session.status == SessionStatus.PAUSED
    assert session.paused_at is not None
    assert session.current_step == steps_of(sop)[1]
    with pytest.raises(SessionNotActiveError):
        walk(session, user, ["passed"])
    services.resume_procedure_session(session=session, user=user)
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS
    assert session.paused_at is None
    assert session.current_step == steps_of(sop)[1]


def test_current_session_is_the_one_in_progress_or_with_include_paused_a_paused_one(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    services.pause_procedure_session(session=session, user=user)
    assert selectors.get_current_for_worker(user.pk) is None
    assert selectors.get_current_for_worker(user.pk, include_paused=True) == session


def test_session_008_paused_time_is_not_worked_time(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    start = timezone.now() - timedelta(hours=2)
    ProcedureSession.objects.filter(pk=session.pk).update(started_at=start)
    session.refresh_from_db()
    session.pause(at=start + timedelta(minutes=30))
    session.resume(at=start + timedelta(minutes=90))
    session.complete(at=start + timedelta(minutes=120))
    services.save(session)
    session.refresh_from_db()
    assert session.paused_seconds == 3600
    assert session.worked_duration() == timedelta(hours=1)


def test_session_009_second_start_refused_references_open_session(user, make_sop):
    first = services.start_procedure_session(worker=user, sop=make_sop(user, title="A"))
    with pytest.raises(ActiveProcedureSessionExistsError) as refused:
        services.start_procedure_session(worker=user, sop=make_sop(user, title="B"))
    assert refused.value.session == first
    assert str(first.pk) in str(refused.value)
    assert "Complete or cancel it" in str(refused.value)
    assert ProcedureSession.objects.count() == 1


def test_session_009_database_refuses_a_second_active_session(user, sop):
    services.start_procedure_session(worker=user, sop=sop)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureSession.objects.create(
            worker=user, sop=sop, status=SessionStatus.PAUSED, paused_at=timezone.now()
        )


# Bad input on checks


def test_check_on_a_step_that_is_not_current_changes_nothing(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    with pytest.raises(StepNotCurrentError):
        services.record_check(
            session=session, user=user, step_id=steps_of(sop)[2].pk, result="passed"
        )
    with pytest.raises(StepNotCurrentError):
        services.record_check(session=session, user=user, step_id="not-a-uuid", result="passed")
    session.refresh_from_db()
    assert session.current_step == steps_of(sop)[0]
    assert not SafetyCheck.objects.exists()


def test_check_by_another_worker_changes_nothing(user, other_user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    with pytest.raises(NotSessionOwnerError):
        services.record_check(
            session=session, user=other_user, step_id=steps_of(sop)[0].pk, result="passed"
        )
    assert not SafetyCheck.objects.exists()


def test_failed_check_keeps_the_step_and_the_history(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    outcome = walk(session, user, ["failed"])[0]
    assert outcome.next_step is None and not outcome.completed
    session.refresh_from_db()
    assert session.current_step == steps_of(sop)[0]
    walk(session, user, ["passed"])
    assert list(SafetyCheck.objects.values_list("result", flat=True)) == ["failed", "passed"]


def test_check_result_must_be_passed_or_failed(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    with pytest.raises(services.ProcedureError):
        services.record_check(
            session=session, user=user, step_id=steps_of(sop)[0].pk, result="maybe"
        )
    assert not SafetyCheck.objects.exists()


# Timer


def test_start_times_the_session_and_completion_stops_the_timer(user, sop):
    running = WorkSession.objects.create(user=user, switch_policy=True)
    session = services.start_procedure_session(worker=user, sop=sop)
    running.refresh_from_db()
    assert running.end_reason == EndReason.SWITCHED
    timer = session.timer_session
    assert timer.is_active and timer.target == session and timer.session_type == ""
    walk(session, user, ["passed", "passed", "passed"])
    timer.refresh_from_db()
    assert not timer.is_active
    assert WorkSession.objects.active().count() == 0


def test_pause_stops_the_timer_and_resume_starts_a_new_one(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    first_timer = session.timer_session
    services.pause_procedure_session(session=session, user=user)
    first_timer.refresh_from_db()
    assert not first_timer.is_active
    resumed = services.resume_procedure_session(session=session, user=user)
    assert resumed.timer_session != first_timer and resumed.timer_session.is_active
    assert WorkSession.objects.for_target(session).count() == 2


# Approval


def test_approval_needs_supervisor_and_completed_session(user, other_user, supervisor, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    with pytest.raises(NotSupervisorError):
        services.approve_procedure_session(session=session, supervisor=other_user)
    with pytest.raises(SessionNotApprovableError):
        services.approve_procedure_session(session=session, supervisor=supervisor)
    services.complete_procedure_session(session=session, user=user)
    decision = services.approve_procedure_session(
        session=session, supervisor=supervisor, reason="All checks in order"
    )
    assert decision.target == session
    assert (decision.decision_type, decision.outcome, decision.decided_by) == (
        services.APPROVAL_DECISION,
        "approved",
        supervisor,
    )
    assert list(selectors.approval_queue()) == []


def test_nobody_approves_or_overrides_their_own_session_not_even_a_superuser(
    user, supervisor, sop, django_user_model
):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw-pw-pw-pw")
    for worker in (supervisor, root):
        session = services.start_procedure_session(worker=worker, sop=sop)
        services.complete_procedure_session(session=session, user=worker)
        with pytest.raises(OwnSessionError):
            services.approve_procedure_session(session=session, supervisor=worker)
        session.refresh_from_db()
        assert not session.locked
        other = root if worker == supervisor else supervisor
        services.approve_procedure_session(session=session, supervisor=other)
        with pytest.raises(OwnSessionError):
            services.override_procedure_lock(session=session, supervisor=worker, reason="mine")
        session.refresh_from_db()
        assert session.locked


def test_override_unlocks_with_reason_recorded_as_decision(user, supervisor, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    services.complete_procedure_session(session=session, user=user)
    services.approve_procedure_session(session=session, supervisor=supervisor)
    with pytest.raises(services.ProcedureError):
        services.override_procedure_lock(session=session, supervisor=supervisor, reason=" ")
    decision = services.override_procedure_lock(
        session=session, supervisor=supervisor, reason="Step 2 photo missing"
    )
    session.refresh_from_db()
    assert not session.locked and session.approved_by is None
    assert decision.decision_type == services.OVERRIDE_DECISION
    assert decision.reason == "Step 2 photo missing"
    assert list(selectors.approval_queue()) == [session]


# SOP authoring


def test_draft_cannot_be_started_and_confirmed_cannot_be_edited(user, make_sop):
    draft = make_sop(user, confirmed=False)
    with pytest.raises(SOPNotConfirmedError):
        services.start_procedure_session(worker=user, sop=draft)
    confirmed = services.confirm_sop(sop=draft, user=user)
    with pytest.raises(SOPNotEditableError):
        services.add_task(sop=confirmed, user=user, title="More")
    with pytest.raises(SOPNotEditableError):
        services.update_step(
            step=steps_of(confirmed)[0], user=user, instruction="x", safety_check_required=False
        )


def test_only_the_author_edits_a_draft(user, other_user, make_sop):
    draft = make_sop(user, confirmed=False)
    with pytest.raises(NotSOPAuthorError):
        services.add_task(sop=draft, user=other_user, title="Mine now")
    with pytest.raises(NotSOPAuthorError):
        services.delete_sop(sop=draft, user=other_user)


def test_confirm_needs_a_step_in_every_task(user):
    sop = services.create_sop(user=user, title="Empty")
    with pytest.raises(SOPInvalidError):
        services.confirm_sop(sop=sop, user=user)
    services.add_task(sop=sop, user=user, title="No steps yet")
    with pytest.raises(SOPInvalidError, match="No steps yet"):
        services.confirm_sop(sop=sop, user=user)


def test_move_reorders_tasks_and_steps(user, make_sop):
    sop = make_sop(user, steps_per_task=(3, 1), confirmed=False)
    first, second = list(sop.tasks.order_by("position"))
    services.move_task(task=second, user=user, direction="up")
    assert [t.title for t in sop.tasks.order_by("position")] == ["Task 2", "Task 1"]
    step = first.steps.order_by("position")[2]
    services.move_step(step=step, user=user, direction="up")
    services.move_step(step=step, user=user, direction="up")
    services.move_step(step=step, user=user, direction="up")
    assert [s.instruction for s in first.steps.order_by("position")] == [
        "Step 1.3",
        "Step 1.1",
        "Step 1.2",
    ]


def test_new_version_copies_into_a_draft_and_confirming_archives_the_old(user, other_user, sop):
    other_user.groups.add(services.ensure_authors_group())
    copy = services.new_sop_version(sop=sop, user=other_user)
    assert (copy.version, copy.status, copy.created_by) == (2, SOPStatus.DRAFT, other_user)
    assert [s.instruction for s in steps_of(copy)] == [s.instruction for s in steps_of(sop)]
    with pytest.raises(SOPInvalidError):
        services.new_sop_version(sop=sop, user=user)
    services.add_task(sop=copy, user=other_user, title="Extra")
    services.add_step(task=copy.tasks.get(title="Extra"), user=other_user, instruction="New")
    services.confirm_sop(sop=copy, user=other_user)
    sop.refresh_from_db()
    assert sop.status == SOPStatus.ARCHIVED
    assert len(steps_of(copy)) == len(steps_of(sop)) + 1


def test_demo_sop_is_confirmed_and_loaded_once(user):
    from worklog.demo import load_demo_data
    from worklog.procedures.demo import DEMO_SOP_TITLE

    load_demo_data(user)
    load_demo_data(user)
    sop = SOP.objects.get(title=DEMO_SOP_TITLE)
    assert sop.status == SOPStatus.CONFIRMED
    assert len(steps_of(sop)) == 6
    session = services.start_procedure_session(worker=user, sop=sop)
    assert session.current_step == steps_of(sop)[0]


def test_only_its_author_or_procedure_authors_may_make_a_new_version_of_an_sop(
    user, other_user, sop
):
    with pytest.raises(NotSOPOwnerError, match="members of Procedure authors"):
        services.new_sop_version(sop=sop, user=other_user)
    assert not SOP.all_objects.filter(previous_version=sop).exists()
    assert services.new_sop_version(sop=sop, user=user).created_by == user


def test_a_version_someone_else_drafted_cannot_be_confirmed_to_archive_the_original(
    user, other_user, sop
):
    """The takeover: a draft of v2 by another user, "Skip the lockout", confirmed, archived v1."""
    takeover = SOP.objects.create(
        title=sop.title, version=2, created_by=other_user, previous_version=sop
    )
    task = services.add_task(sop=takeover, user=other_user, title="Lockout")
    services.add_step(task=task, user=other_user, instruction="Skip the lockout")
    with pytest.raises(NotSOPOwnerError):
        services.confirm_sop(sop=takeover, user=other_user)
    sop.refresh_from_db()
    takeover.refresh_from_db()
    assert (sop.status, takeover.status) == (SOPStatus.CONFIRMED, SOPStatus.DRAFT)
    other_user.groups.add(services.ensure_authors_group())
    other_user = type(other_user).objects.get(pk=other_user.pk)  # permissions are cached
    services.confirm_sop(sop=takeover, user=other_user)
    sop.refresh_from_db()
    assert sop.status == SOPStatus.ARCHIVED


def test_migration_creates_the_procedure_authors_group_with_its_permission(django_user_model):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=services.AUTHORS_GROUP)
    assert list(group.permissions.values_list("codename", flat=True)) == ["manage_any_sop"]


def test_migration_creates_the_supervisors_group_with_the_approve_permission(django_user_model):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=services.SUPERVISORS_GROUP)
    assert list(group.permissions.values_list("codename", flat=True)) == [
        "approve_proceduresession"
    ]
    member = django_user_model.objects.create_user(username="vera")
    member.groups.add(group)
    assert selectors.can_supervise(member)


def test_time_per_procedure_shows_in_the_timer_totals(user, sop):
    from worklog.services import get_total_time

    session = services.start_procedure_session(worker=user, sop=sop)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    WorkSession.objects.filter(pk=session.timer_session_id).update(
        started_at=an_hour_ago, effective_at=an_hour_ago
    )
    services.complete_procedure_session(session=session, user=user)
    assert 3590 <= get_total_time(user, target=session) <= 3610


def test_manual_completion_sends_work_session_completed(
    user, sop, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, session, **kwargs):
        received.append(session.pk)

    WorkSessionCompleted.connect(receiver)
    try:
        session = services.start_procedure_session(worker=user, sop=sop)
        with django_capture_on_commit_callbacks(execute=True):
            services.complete_procedure_session(session=session, user=user)
    finally:
        WorkSessionCompleted.disconnect(receiver)
    assert received == [session.pk]


def test_cancel_ends_the_session_so_another_can_start(user, other_user, make_sop):
    first = services.start_procedure_session(worker=user, sop=make_sop(user, title="A"))
    walk(first, user, ["passed"])
    with pytest.raises(NotSessionOwnerError):
        services.cancel_procedure_session(session=first, user=other_user)
    services.pause_procedure_session(session=first, user=user)
    services.cancel_procedure_session(session=first, user=user)
    first.refresh_from_db()
    assert first.status == SessionStatus.CANCELLED and first.cancelled_at is not None
    assert first.current_step is not None and first.paused_at is None
    assert not first.timer_session.is_active
    with pytest.raises(SessionNotActiveError):
        services.complete_procedure_session(session=first, user=user)
    with pytest.raises(SessionNotApprovableError):
        services.approve_procedure_session(session=first, supervisor=_supervisor(other_user))
    second = services.start_procedure_session(worker=user, sop=make_sop(user, title="B"))
    assert second.is_active


def _supervisor(user):
    user.groups.add(services.ensure_supervisors_group())
    return type(user).objects.get(pk=user.pk)


# After completion: a supervisor's reopening and corrections (seed 002, session-004)


def test_supervisor_reopens_a_completed_session_at_its_first_unpassed_step(user, supervisor, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    walk(session, user, ["passed"])
    services.complete_procedure_session(session=session, user=user)
    session.refresh_from_db()
    completed_at = session.completed_at
    decision = services.reopen_procedure_session(
        session=session, supervisor=supervisor, reason="Step 2 was never checked"
    )
    session.refresh_from_db()
    # Back among the worker's open sessions, paused since its completion, so the time until
    # the worker resumes it is not worked time.
    assert session.status == SessionStatus.PAUSED and session.is_active
    assert session.paused_at == completed_at and session.completed_at is None
    assert session.current_step == steps_of(sop)[1]
    assert (decision.target, decision.decision_type, decision.decided_by, decision.reason) == (
        session,
        services.REOPEN_DECISION,
        supervisor,
        "Step 2 was never checked",
    )
    assert decision.context["completed_at"] == completed_at.isoformat()
    services.resume_procedure_session(session=session, user=user)
    walk(session, user, ["passed", "passed"])
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    assert list(selectors.approval_queue()) == [session]


def test_reopening_a_fully_checked_session_goes_back_to_its_last_step(user, supervisor, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    walk(session, user, ["passed", "passed", "passed"])
    services.reopen_procedure_session(session=session, supervisor=supervisor, reason="Redo")
    session.refresh_from_db()
    assert session.current_step == steps_of(sop)[-1]


def test_reopen_needs_a_supervisor_a_reason_and_an_unapproved_completed_session(
    user, other_user, supervisor, sop
):
    session = services.start_procedure_session(worker=user, sop=sop)
    with pytest.raises(SessionNotCompletedError):
        services.reopen_procedure_session(session=session, supervisor=supervisor, reason="x")
    walk(session, user, ["passed", "passed", "passed"])
    with pytest.raises(NotSupervisorError):
        services.reopen_procedure_session(session=session, supervisor=other_user, reason="x")
    with pytest.raises(ProcedureError, match="reason"):
        services.reopen_procedure_session(session=session, supervisor=supervisor, reason=" ")
    services.approve_procedure_session(session=session, supervisor=supervisor)
    with pytest.raises(SessionLockedError):
        services.reopen_procedure_session(session=session, supervisor=supervisor, reason="x")
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED and session.locked
    decisions = Decision.objects.for_target(session)
    assert not decisions.filter(decision_type=services.REOPEN_DECISION).exists()
    assert decisions.filter(decision_type=services.REFUSAL_DECISION).count() == 1


def test_reopen_is_refused_while_the_worker_has_another_open_session(user, supervisor, make_sop):
    first = services.start_procedure_session(worker=user, sop=make_sop(user, title="A"))
    services.complete_procedure_session(session=first, user=user)
    services.start_procedure_session(worker=user, sop=make_sop(user, title="B"))
    with pytest.raises(ActiveProcedureSessionExistsError, match="alice already has"):
        services.reopen_procedure_session(session=first, supervisor=supervisor, reason="x")
    first.refresh_from_db()
    assert first.status == SessionStatus.COMPLETED


def test_supervisor_corrects_a_recorded_check_with_a_reason(user, supervisor, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    walk(session, user, ["failed", "passed", "passed", "passed"])
    failed = SafetyCheck.objects.get(session=session, result=CheckResult.FAILED)
    decision = services.correct_check(
        check=failed,
        supervisor=supervisor,
        result=CheckResult.PASSED,
        notes="Gauge was misread",
        reason="The photo shows it passed",
    )
    failed.refresh_from_db()
    assert (failed.result, failed.notes, failed.corrected_by) == (
        CheckResult.PASSED,
        "Gauge was misread",
        supervisor,
    )
    assert failed.checked_by == user and failed.corrected_at is not None
    assert (decision.target, decision.decision_type, decision.reason) == (
        session,
        services.CHECK_CORRECTION_DECISION,
        "The photo shows it passed",
    )
    assert decision.context == {
        "check": str(failed.pk),
        "step": str(failed.step_id),
        "result": {"from": "failed", "to": "passed"},
        "notes": {"from": "", "to": "Gauge was misread"},
    }
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED


def test_check_correction_rules(user, other_user, supervisor, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    walk(session, user, ["passed", "passed", "passed"])
    check = SafetyCheck.objects.filter(session=session).first()
    with pytest.raises(NotSupervisorError):
        services.correct_check(check=check, supervisor=other_user, result="failed", reason="x")
    with pytest.raises(ProcedureError, match="reason"):
        services.correct_check(check=check, supervisor=supervisor, result="failed", reason="")
    with pytest.raises(ProcedureError, match="changes nothing"):
        services.correct_check(check=check, supervisor=supervisor, result="passed", reason="x")
    with pytest.raises(ProcedureError, match="passed or failed"):
        services.correct_check(check=check, supervisor=supervisor, result="maybe", reason="x")
    services.approve_procedure_session(session=session, supervisor=supervisor)
    with pytest.raises(SessionLockedError):
        services.correct_check(check=check, supervisor=supervisor, result="failed", reason="x")
    check.refresh_from_db()
    assert check.result == CheckResult.PASSED and check.corrected_by is None


# Cancelling another worker's abandoned session (seed 002, session-006)


def test_sop_author_cancels_an_abandoned_session_so_the_sop_can_be_deleted(user, other_user, sop):
    abandoned = services.start_procedure_session(worker=other_user, sop=sop)
    with pytest.raises(ProcedureError, match="reason"):
        services.cancel_procedure_session(session=abandoned, user=user)
    services.cancel_procedure_session(
        session=abandoned, user=user, reason="Left the company mid-procedure"
    )
    abandoned.refresh_from_db()
    assert abandoned.status == SessionStatus.CANCELLED
    assert not abandoned.timer_session.is_active
    decision = Decision.objects.for_target(abandoned).get()
    assert (decision.decision_type, decision.decided_by, decision.reason) == (
        services.CANCEL_DECISION,
        user,
        "Left the company mid-procedure",
    )
    assert decision.context["worker_id"] == other_user.pk
    services.delete_sop(sop=sop, user=user)
    assert SOP.all_objects.get(pk=sop.pk).is_deleted


def test_supervisor_cancels_someone_elses_session_and_strangers_may_not(
    user, other_user, supervisor, make_sop
):
    session = services.start_procedure_session(worker=user, sop=make_sop(user))
    with pytest.raises(CannotCancelSessionError):
        services.cancel_procedure_session(session=session, user=other_user, reason="x")
    session.refresh_from_db()
    assert session.is_active
    services.cancel_procedure_session(session=session, user=supervisor, reason="Abandoned")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert Decision.objects.for_target(session).get().decided_by == supervisor


def test_the_worker_cancels_their_own_session_without_a_reason(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    services.cancel_procedure_session(session=session, user=user)
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert not Decision.objects.for_target(session).exists()
