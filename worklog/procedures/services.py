"""Writes to SOPs and procedure sessions.

Locks, always in this order: the worker's user row (the timer's lock, which also serializes
starts), then the session row. A mutation refused because the session is locked still writes
its audit entry (a Decision "procedure_session.locked_mutation_refused"): the refusal is raised
only after the transaction that recorded it has finished."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.services import lock_users
from decisioning.models import Decision, DecisionOutcome
from decisioning.services import record_decision
from worklog.procedures.exceptions import (
    ActiveProcedureSessionExistsError,
    CannotCancelSessionError,
    NotSOPAuthorError,
    NotSOPOwnerError,
    NotSupervisorError,
    OwnSessionError,
    ProcedureError,
    ReasonRequiredError,
    SessionLockedError,
    SessionNotApprovableError,
    SessionNotCompletedError,
    SessionNotLockedError,
    SOPHasActiveSessionsError,
    SOPInvalidError,
    SOPNotConfirmedError,
    SOPNotEditableError,
    SOPNotFoundError,
    StepNotCurrentError,
    TimeLockedError,
)
from worklog.procedures.models import (
    SOP,
    CheckResult,
    ProcedureSession,
    SafetyCheck,
    SessionStatus,
    SOPStatus,
    SOPStep,
    SOPTask,
)
from worklog.procedures.selectors import (
    can_manage_sop,
    can_supervise,
    first_step,
    ordered_steps,
)
from worklog.procedures.signals import WorkSessionCompleted
from worklog.teams.exceptions import WeekLockedError
from worklog.teams.locks import ensure_not_locked, record_refusal
from worklog.timer.services import start_session

APPROVAL_DECISION = "procedure_session.approval"
OVERRIDE_DECISION = "procedure_session.override"
REFUSAL_DECISION = "procedure_session.locked_mutation_refused"
REOPEN_DECISION = "procedure_session.reopen"
CHECK_CORRECTION_DECISION = "procedure_session.check_correction"
CANCEL_DECISION = "procedure_session.cancelled_for_worker"


SUPERVISORS_GROUP = "Procedure supervisors"
AUTHORS_GROUP = "Procedure authors"


def ensure_supervisors_group(**kwargs) -> Group:
    """The group granting `worklog.approve_proceduresession`. Migration 0002 creates it; this
    post_migrate handler recreates it after a database flush (as test runs do)."""
    group, _ = Group.objects.get_or_create(name=SUPERVISORS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="worklog", codename="approve_proceduresession"
        )
    )
    return group


def ensure_authors_group(**kwargs) -> Group:
    """The group granting `worklog.manage_any_sop`: its members version, confirm and archive
    every author's SOPs. A migration creates it; this post_migrate handler recreates it after a
    database flush (as test runs do)."""
    group, _ = Group.objects.get_or_create(name=AUTHORS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="worklog", codename="manage_any_sop")
    )
    return group


# SOP authoring


def _locked_sop(sop: SOP) -> SOP:
    locked = SOP.objects.select_for_update().filter(pk=sop.pk).first()
    if locked is None:
        raise SOPNotFoundError()
    return locked


def _editable_sop(sop: SOP, user) -> SOP:
    sop = _locked_sop(sop)
    if sop.created_by_id != user.pk:
        raise NotSOPAuthorError(sop)
    if not sop.is_draft:
        raise SOPNotEditableError(sop)
    return sop


def _required_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise SOPInvalidError(f"{what} must not be empty.")
    return value


@transaction.atomic
def create_sop(*, user, title: str, description: str = "") -> SOP:
    return SOP.objects.create(
        title=_required_text(title, "The title"), description=description, created_by=user
    )


@transaction.atomic
def update_sop(*, sop: SOP, user, title: str, description: str = "") -> SOP:
    sop = _editable_sop(sop, user)
    sop.title = _required_text(title, "The title")
    sop.description = description
    sop.save(update_fields=["title", "description", "updated_at"])
    return sop


@transaction.atomic
def add_task(*, sop: SOP, user, title: str) -> SOPTask:
    sop = _editable_sop(sop, user)
    last = sop.tasks.aggregate(last=Max("position"))["last"]
    return SOPTask.objects.create(
        sop=sop, title=_required_text(title, "The task's title"), position=_after(last)
    )


@transaction.atomic
def rename_task(*, task: SOPTask, user, title: str) -> SOPTask:
    _editable_sop(task.sop, user)
    task.title = _required_text(title, "The task's title")
    task.save(update_fields=["title", "updated_at"])
    return task


@transaction.atomic
def delete_task(*, task: SOPTask, user) -> None:
    _editable_sop(task.sop, user)
    task.delete()


@transaction.atomic
def move_task(*, task: SOPTask, user, direction: str) -> None:
    sop = _editable_sop(task.sop, user)
    _move(list(sop.tasks.order_by("position", "created_at")), task, direction, SOPTask)


@transaction.atomic
def add_step(
    *,
    task: SOPTask,
    user,
    instruction: str,
    safety_check_required: bool = True,
    check_description: str = "",
) -> SOPStep:
    _editable_sop(task.sop, user)
    last = task.steps.aggregate(last=Max("position"))["last"]
    return SOPStep.objects.create(
        task=task,
        instruction=_required_text(instruction, "The instruction"),
        safety_check_required=safety_check_required,
        check_description=check_description,
        position=_after(last),
    )


@transaction.atomic
def update_step(
    *,
    step: SOPStep,
    user,
    instruction: str,
    safety_check_required: bool,
    check_description: str = "",
) -> SOPStep:
    _editable_sop(step.task.sop, user)
    step.instruction = _required_text(instruction, "The instruction")
    step.safety_check_required = safety_check_required
    step.check_description = check_description
    step.save()
    return step


@transaction.atomic
def delete_step(*, step: SOPStep, user) -> None:
    _editable_sop(step.task.sop, user)
    step.delete()


@transaction.atomic
def move_step(*, step: SOPStep, user, direction: str) -> None:
    _editable_sop(step.task.sop, user)
    _move(list(step.task.steps.order_by("position", "created_at")), step, direction, SOPStep)


def _after(last: int | None) -> int:
    return 0 if last is None else last + 1


def _move(siblings: list, item, direction: str, model) -> None:
    """Swap `item` with its neighbour and renumber the siblings 0, 1, 2, ..."""
    if direction not in ("up", "down"):
        raise SOPInvalidError("Move up or down.")
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    model.objects.bulk_update(siblings, ["position"])


@transaction.atomic
def confirm_sop(*, sop: SOP, user) -> SOP:
    """Freeze a draft: from now on it can be started, and changed only through a new version.
    Confirming a new version archives the version it replaces, so it takes someone who may
    manage that one (see selectors.can_manage_sop)."""
    sop = _editable_sop(sop, user)
    if sop.previous_version_id and not can_manage_sop(user, sop.previous_version):
        raise NotSOPOwnerError(sop.previous_version)
    tasks = list(sop.tasks.prefetch_related("steps"))
    if not tasks:
        raise SOPInvalidError("Add at least one task with a step before confirming.")
    empty = [task.title for task in tasks if not task.steps.all()]
    if empty:
        raise SOPInvalidError(f"Every task needs a step; these have none: {', '.join(empty)}.")
    now = timezone.now()
    sop.status = SOPStatus.CONFIRMED
    sop.confirmed_at = now
    sop.save(update_fields=["status", "confirmed_at", "updated_at"])
    if sop.previous_version_id:
        SOP.objects.filter(pk=sop.previous_version_id, status=SOPStatus.CONFIRMED).update(
            status=SOPStatus.ARCHIVED, updated_at=now
        )
    return sop


@transaction.atomic
def new_sop_version(*, sop: SOP, user) -> SOP:
    """A draft copy of a confirmed (or archived) SOP with `version + 1`, tasks and steps
    included. Each version has at most one successor; only someone who may manage `sop` makes
    it (see selectors.can_manage_sop)."""
    sop = _locked_sop(sop)
    if not can_manage_sop(user, sop):
        raise NotSOPOwnerError(sop)
    if sop.is_draft:
        raise SOPInvalidError(f"“{sop}” is still a draft: edit it instead.")
    successor = SOP.objects.filter(previous_version=sop).first()
    if successor is not None:
        raise SOPInvalidError(f"“{sop}” already has a newer version: {successor}.")
    copy = SOP(
        title=sop.title,
        description=sop.description,
        version=sop.version + 1,
        created_by=user,
        previous_version=sop,
    )
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError as error:
        raise SOPInvalidError(f"“{sop}” already has a newer version.") from error
    tasks = list(sop.tasks.prefetch_related("steps"))
    new_tasks = SOPTask.objects.bulk_create(
        SOPTask(sop=copy, title=task.title, position=task.position) for task in tasks
    )
    SOPStep.objects.bulk_create(
        SOPStep(
            task=new_task,
            position=step.position,
            instruction=step.instruction,
            safety_check_required=step.safety_check_required,
            check_description=step.check_description,
        )
        for task, new_task in zip(tasks, new_tasks, strict=True)
        for step in task.steps.all()
    )
    return copy


@transaction.atomic
def delete_sop(*, sop: SOP, user) -> None:
    """Soft delete, refused while sessions of the SOP are in progress or paused (the lock on
    the SOP's row keeps a start from slipping in meanwhile)."""
    sop = _locked_sop(sop)
    if sop.created_by_id != user.pk:
        raise NotSOPAuthorError(sop)
    _delete_unless_active(sop)


@transaction.atomic
def delete_sop_as_staff(*, sop: SOP) -> None:
    """The admin's delete: staff manage every author's SOPs, under the same refusal while
    sessions are active."""
    _delete_unless_active(_locked_sop(sop))


def _delete_unless_active(sop: SOP) -> None:
    active = list(sop.sessions.active().select_related("worker").order_by("started_at"))
    if active:
        raise SOPHasActiveSessionsError(sop, active)
    sop.delete()


# Procedure sessions: the seed's repository `save`


# Inside a caller's transaction (as in every service here) the caller's rollback already
# undoes both writes, so no savepoint is needed: it would cost two round trips per save.
@transaction.atomic(savepoint=False)
def save(session: ProcedureSession) -> ProcedureSession:
    """Persist the session and the checks added to it since it was loaded, all or nothing."""
    session.save()
    if session.pending_checks:
        SafetyCheck.objects.bulk_create(session.pending_checks)
        session.pending_checks.clear()
    return session


@dataclass(frozen=True)
class CheckOutcome:
    check: SafetyCheck
    session: ProcedureSession
    next_step: SOPStep | None
    # The SOP's steps in walking order, each with its task: what the check was judged against,
    # kept so that the answer can show the progress without reading them again.
    steps: list[SOPStep]

    @property
    def completed(self) -> bool:
        return self.session.is_completed


@transaction.atomic
def start_procedure_session(*, worker, sop: SOP) -> ProcedureSession:
    """Start `sop` (confirmed) for `worker`, on its first step, and start the timer on the new
    session (the switch policy stops whatever the worker was timing)."""
    lock_users(worker.pk)
    sop = _locked_sop(sop)
    if not sop.is_confirmed:
        raise SOPNotConfirmedError(sop)
    existing = ProcedureSession.objects.for_worker(worker).active().select_related("sop").first()
    if existing is not None:
        raise ActiveProcedureSessionExistsError(existing)
    session = ProcedureSession(
        worker=worker,
        sop=sop,
        status=SessionStatus.IN_PROGRESS,
        current_step=first_step(sop),
        started_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as error:
        # Only reachable by a writer that skipped the user lock: the index still says no.
        existing = ProcedureSession.objects.for_worker(worker).active().select_related("sop")
        raise ActiveProcedureSessionExistsError(existing.first() or session) from error
    _start_timer(session)
    return session


def _start_timer(session: ProcedureSession) -> None:
    # No session type: the target's kind already says it is a procedure session.
    session.timer_session = start_session(session.worker, target=session)
    session.save(update_fields=["timer_session", "updated_at"])


def _stop_timer(session: ProcedureSession) -> None:
    """Stop the timer session this procedure session started, unless the worker has already
    stopped it or switched away. Called under `_mutate`'s lock on the worker's row, which is
    also the timer's lock, so the timer is stopped here rather than through
    `stop_running_session`: that would take the same lock and read the timer again."""
    timer = session.timer_session
    # `_mutate` read the timer with the session, past the manager that hides deleted ones.
    if timer is not None and not timer.is_deleted and timer.is_active:
        now = timezone.now()
        ensure_not_locked(
            session.worker, [(timer.started_at, now)], action="stopping a procedure's timer"
        )
        timer.stop(stopped_at=now)


def _announce_completion(session: ProcedureSession) -> None:
    transaction.on_commit(
        partial(
            WorkSessionCompleted.send_robust,
            sender=ProcedureSession,
            session=session,
            completed_at=session.completed_at,
        )
    )


def _mutate[T](
    session: ProcedureSession, user, action: str, change: Callable[[ProcedureSession], T]
) -> T:
    """Run `change` on the freshly locked session, unless the session is locked: then record
    the refusal (committed) and raise SessionLockedError; likewise TimeLockedError when the
    change would stop the timer inside a locked week."""
    try:
        return _mutate_unless_locked(session, user, action, change)
    except WeekLockedError as error:
        record_refusal(error, actor=user)
        raise TimeLockedError(str(error)) from error


def _mutate_unless_locked[T](
    session: ProcedureSession, user, action: str, change: Callable[[ProcedureSession], T]
) -> T:
    with transaction.atomic():
        lock_users(session.worker_id)
        # With its timer session, which a change may stop: the worker's lock, held now, is
        # the timer's too, so only the session's row needs locking.
        current = (
            ProcedureSession.objects.select_for_update(of=("self",))
            .select_related("timer_session", "worker")
            .get(pk=session.pk)
        )
        if not current.locked:
            return change(current)
        record_decision(
            target=current,
            decision_type=REFUSAL_DECISION,
            outcome=DecisionOutcome.REJECTED,
            decided_by=user,
            reason=f"Refused to {action}: the session is approved and locked.",
            context={"action": action, "user_id": user.pk},
        )
    raise SessionLockedError(current)


def record_check(
    *, session: ProcedureSession, user, step_id, result: str, notes: str = ""
) -> CheckOutcome:
    """Record a safety check on the current step. Passed: the session advances and the next
    step is returned, or, after the last step, the session completes. Failed: the step stays
    current and the check stays in the history."""

    def change(current: ProcedureSession) -> CheckOutcome:
        current.ensure_owner(user)
        current.ensure_mutable("record a check")
        try:
            checked_id = uuid.UUID(str(step_id))
        except ValueError as error:
            raise StepNotCurrentError(current, step_id) from error
        steps = list(ordered_steps(current.sop_id).select_related("task"))
        index = next((i for i, step in enumerate(steps) if step.pk == checked_id), None)
        if index is None:
            raise StepNotCurrentError(current, step_id)
        step = steps[index]
        try:
            check = current.add_check(step=step, result=result, checked_by=user, notes=notes)
        except ValueError as error:
            raise ProcedureError(f"A check is passed or failed, not {result!r}.") from error
        following = None
        if check.passed:
            following = steps[index + 1] if index + 1 < len(steps) else None
            if following is not None:
                current.advance_to_next_step(following)
            else:
                current.complete(at=check.checked_at)
        save(current)
        if current.is_completed:
            _stop_timer(current)
            _announce_completion(current)
        return CheckOutcome(check=check, session=current, next_step=following, steps=steps)

    return _mutate(session, user, "record a check", change)


def complete_procedure_session(*, session: ProcedureSession, user) -> ProcedureSession:
    """Manual completion, by the session's owner only."""

    def change(current: ProcedureSession) -> ProcedureSession:
        current.ensure_owner(user)
        current.complete()
        save(current)
        _stop_timer(current)
        _announce_completion(current)
        return current

    return _mutate(session, user, "complete the session", change)


def cancel_procedure_session(
    *, session: ProcedureSession, user, reason: str = ""
) -> ProcedureSession:
    """Abandon the session: it stops being active, so the worker may start another, and its
    timer stops. It is not a completion: no event, no approval. Its worker cancels it as they
    like; the SOP's author or a procedure supervisor may cancel a session someone abandoned
    (it keeps the SOP from being deleted), giving a reason, recorded as a Decision."""

    def change(current: ProcedureSession) -> ProcedureSession:
        for_worker = user.pk != current.worker_id
        if for_worker:
            if current.sop.created_by_id != user.pk and not can_supervise(user):
                raise CannotCancelSessionError(current)
            given = _required_reason(reason, "cancelling another worker's session")
        current.cancel()
        save(current)
        _stop_timer(current)
        if for_worker:
            record_decision(
                target=current,
                decision_type=CANCEL_DECISION,
                outcome=DecisionOutcome.APPROVED,
                decided_by=user,
                reason=given,
                context={"sop": str(current.sop_id), "worker_id": current.worker_id},
            )
        return current

    return _mutate(session, user, "cancel the session", change)


def pause_procedure_session(*, session: ProcedureSession, user) -> ProcedureSession:
    """Pause: the current step stays; the timer stops, so paused time is not worked time."""

    def change(current: ProcedureSession) -> ProcedureSession:
        current.ensure_owner(user)
        current.pause()
        save(current)
        _stop_timer(current)
        return current

    return _mutate(session, user, "pause", change)


def resume_procedure_session(*, session: ProcedureSession, user) -> ProcedureSession:
    def change(current: ProcedureSession) -> ProcedureSession:
        current.ensure_owner(user)
        current.resume()
        save(current)
        _start_timer(current)
        return current

    return _mutate(session, user, "resume", change)


def approve_procedure_session(
    *, session: ProcedureSession, supervisor, reason: str = ""
) -> Decision:
    """A supervisor approves a completed session: a Decision is recorded and the session is
    locked against any further change."""
    if not can_supervise(supervisor):
        raise NotSupervisorError()

    def change(current: ProcedureSession) -> Decision:
        if current.worker_id == supervisor.pk:
            raise OwnSessionError("approve")
        if not current.is_completed:
            raise SessionNotApprovableError(
                "Only a completed session can be approved; this one is "
                f"{current.get_status_display().lower()}."
            )
        decision = record_decision(
            target=current,
            decision_type=APPROVAL_DECISION,
            outcome=DecisionOutcome.APPROVED,
            decided_by=supervisor,
            reason=reason,
            context={"sop": str(current.sop_id), "worker_id": current.worker_id},
        )
        current.lock(by=supervisor, at=decision.recorded_at)
        save(current)
        return decision

    return _mutate(session, supervisor, "approve", change)


@transaction.atomic
def override_procedure_lock(*, session: ProcedureSession, supervisor, reason: str) -> Decision:
    """A supervisor lifts the approval lock, with a reason, itself recorded as a Decision; the
    session goes back to the approval queue."""
    if not can_supervise(supervisor):
        raise NotSupervisorError()
    reason = _required_reason(reason, "overriding the lock")
    lock_users(session.worker_id)
    current = ProcedureSession.objects.select_for_update().get(pk=session.pk)
    if current.worker_id == supervisor.pk:
        raise OwnSessionError("override the lock of")
    if not current.locked:
        raise SessionNotLockedError(current)
    decision = record_decision(
        target=current,
        decision_type=OVERRIDE_DECISION,
        outcome=DecisionOutcome.APPROVED,
        decided_by=supervisor,
        reason=reason,
        context={"approved_by": current.approved_by_id},
    )
    current.unlock()
    save(current)
    return decision


def _required_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequiredError(what)
    return reason


def reopen_procedure_session(*, session: ProcedureSession, supervisor, reason: str) -> Decision:
    """A supervisor sends a completed session that is not yet approved back to its worker
    ("no changes after completion except by supervisor override"), with a reason recorded as a
    Decision. It reopens paused since its completion, on its first step without a passed
    check (its last step if every step passed); the worker resumes it from there. Refused while
    the worker has another open session, as a start would be."""
    if not can_supervise(supervisor):
        raise NotSupervisorError()
    reason = _required_reason(reason, "reopening the session")

    def change(current: ProcedureSession) -> Decision:
        if current.worker_id == supervisor.pk:
            raise OwnSessionError("approve")
        if not current.is_completed:
            raise SessionNotCompletedError(current, "reopened")
        # The worker's row is locked (by _mutate), so no start can slip in meanwhile.
        other = (
            ProcedureSession.objects.for_worker(current.worker_id)
            .active()
            .select_related("sop", "worker")
            .first()
        )
        if other is not None:
            raise ActiveProcedureSessionExistsError(other, worker=other.worker)
        steps = list(ordered_steps(current.sop_id))
        passed = set(
            current.checks.filter(result=CheckResult.PASSED).values_list("step_id", flat=True)
        )
        step = next((step for step in steps if step.pk not in passed), steps[-1])
        completed_at = current.completed_at
        current.reopen(at_step=step)
        save(current)
        return record_decision(
            target=current,
            decision_type=REOPEN_DECISION,
            outcome=DecisionOutcome.APPROVED,
            decided_by=supervisor,
            reason=reason,
            context={
                "completed_at": completed_at.isoformat(),
                "step": str(step.pk),
                "worker_id": current.worker_id,
            },
        )

    return _mutate(session, supervisor, "reopen", change)


def correct_check(
    *, check: SafetyCheck, supervisor, result: str, reason: str, notes: str | None = None
) -> Decision:
    """A supervisor corrects a recorded check's result (and notes, if given) on a session that
    is not approved, with a reason; the Decision keeps what the worker had recorded. Where the
    session stands does not move: to have a step done again, reopen the session."""
    if not can_supervise(supervisor):
        raise NotSupervisorError()
    reason = _required_reason(reason, "correcting the check")
    try:
        result = CheckResult(result)
    except ValueError as error:
        raise ProcedureError(f"A check is passed or failed, not {result!r}.") from error

    def change(current: ProcedureSession) -> Decision:
        locked = SafetyCheck.objects.select_for_update().get(pk=check.pk, session=current)
        new_notes = locked.notes if notes is None else notes
        if (locked.result, locked.notes) == (result, new_notes):
            raise ProcedureError("The correction changes nothing: give another result or notes.")
        context = {
            "check": str(locked.pk),
            "step": str(locked.step_id),
            "result": {"from": locked.result, "to": result.value},
            "notes": {"from": locked.notes, "to": new_notes},
        }
        locked.result, locked.notes = result, new_notes
        locked.corrected_by, locked.corrected_at = supervisor, timezone.now()
        locked.save(update_fields=["result", "notes", "corrected_by", "corrected_at"])
        return record_decision(
            target=current,
            decision_type=CHECK_CORRECTION_DECISION,
            outcome=DecisionOutcome.APPROVED,
            decided_by=supervisor,
            reason=reason,
            context=context,
        )

    return _mutate(check.session, supervisor, "correct a check", change)
