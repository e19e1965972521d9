"""The procedure sessions' JSON API (/api/v1/sessions), token-authenticated like the timer's.
Each endpoint calls the service the run page uses; a refusal is `{"code", "message"}` with 409
for a conflict with the session's state (an open session also gives its `session_id`), 403 for
a missing role, 404 for what the caller may not see, 422 for bad input. /api/v1/sops lists the
SOPs a session can be started from, and deletes one (400 while sessions of it are active)."""

import functools
from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from config.api import ApiError, Error, PlainText, error_response
from worklog.procedures import selectors, services
from worklog.procedures.exceptions import (
    ActiveProcedureSessionExistsError,
    CannotCancelSessionError,
    NotSessionOwnerError,
    NotSOPOwnerError,
    NotSupervisorError,
    OwnSessionError,
    ProcedureError,
    SessionLockedError,
    SessionNotActiveError,
    SessionNotApprovableError,
    SessionNotCompletedError,
    SessionNotLockedError,
    SOPHasActiveSessionsError,
    SOPNotConfirmedError,
    SOPNotFoundError,
    StepNotCurrentError,
    TimeLockedError,
)
from worklog.procedures.models import SOP, ProcedureSession, SafetyCheck

router = Router(tags=["procedure sessions"])

MAX_LIMIT = 100
# Far more sessions than anyone runs, and well inside PostgreSQL's bigint OFFSET.
MAX_OFFSET = 1_000_000

ERROR_STATUS = {
    ActiveProcedureSessionExistsError: 409,
    SessionLockedError: 409,
    TimeLockedError: 409,
    SessionNotActiveError: 409,
    StepNotCurrentError: 409,
    SessionNotApprovableError: 409,
    SessionNotLockedError: 409,
    SessionNotCompletedError: 409,
    SOPNotConfirmedError: 409,
    NotSessionOwnerError: 403,
    CannotCancelSessionError: 403,
    NotSOPOwnerError: 403,
    NotSupervisorError: 403,
    OwnSessionError: 403,
    SOPNotFoundError: 404,
}


class StepOut(Schema):
    id: UUID
    task_id: UUID
    position: int
    instruction: str
    safety_check_required: bool
    check_description: str


class TaskOut(Schema):
    id: UUID
    title: str
    position: int
    steps: list[StepOut]


class SOPOut(Schema):
    id: UUID
    title: str
    version: int
    status: str
    tasks: list[TaskOut]


class CheckOut(Schema):
    id: UUID
    step_id: UUID
    result: Literal["passed", "failed"]
    notes: str
    checked_by: str
    checked_at: datetime
    corrected_by: str | None = Field(
        description="The supervisor who corrected the result or notes, if one did."
    )
    corrected_at: datetime | None

    @staticmethod
    def resolve_checked_by(check) -> str:
        return check.checked_by.get_username()

    @staticmethod
    def resolve_corrected_by(check) -> str | None:
        return check.corrected_by.get_username() if check.corrected_by_id else None


class SessionSummaryOut(Schema):
    id: UUID
    sop_id: UUID
    sop_title: str
    sop_version: int
    status: str
    started_at: datetime
    paused_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    locked: bool
    worked_seconds: int
    current_step_id: UUID | None


class ProgressOut(Schema):
    done_steps: int
    total_steps: int


class SessionDetailOut(SessionSummaryOut):
    sop: SOPOut
    checks: list[CheckOut]
    current_step: StepOut | None
    next_step: StepOut | None = Field(description="The step expected after the current one.")
    progress: ProgressOut


class SessionListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[SessionSummaryOut]


class StartIn(Schema):
    sop_id: UUID


class CheckIn(Schema):
    step_id: UUID = Field(description="Must be the session's current step.")
    result: Literal["passed", "failed"]
    notes: PlainText = Field("", max_length=2000)


class CheckOutcomeOut(Schema):
    check: CheckOut
    next_step: StepOut | None = Field(description="The new current step; null when completed.")
    session: SessionDetailOut


class ApproveIn(Schema):
    reason: PlainText = Field("", max_length=2000)


class OverrideIn(Schema):
    reason: PlainText = Field(..., min_length=1, max_length=2000)


class CancelIn(Schema):
    reason: PlainText = Field(
        "",
        max_length=2000,
        description="Required when cancelling another worker's session (its SOP's author or a "
        "supervisor); recorded as a decision.",
    )


class CorrectCheckIn(Schema):
    result: Literal["passed", "failed"]
    notes: PlainText | None = Field(None, max_length=2000, description="Unchanged when left out.")
    reason: PlainText = Field(..., min_length=1, max_length=2000)


class CurrentQuery(Schema):
    include_paused: bool = Field(
        False,
        description="Also return the worker's session when it is paused (it still blocks "
        "starting another).",
    )


class DecisionOut(Schema):
    id: UUID
    decision_type: str
    outcome: str
    reason: str
    recorded_at: datetime


class DecisionOutcomeOut(Schema):
    decision: DecisionOut
    session: SessionDetailOut


class ListQuery(Schema):
    status: Literal["in_progress", "paused", "completed", "cancelled"] | None = None
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def refusals(endpoint):
    """Turn a service's refusal into the JSON error the API documents."""

    @functools.wraps(endpoint)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            return endpoint(request, *args, **kwargs)
        except ProcedureError as error:
            status = ERROR_STATUS.get(type(error), 422)
            extra = {}
            if isinstance(error, ActiveProcedureSessionExistsError):
                extra["session_id"] = str(error.session.pk)
            return error_response(request, status, error.code, str(error), **extra)

    return wrapper


def _session(request: HttpRequest, session_id: UUID) -> ProcedureSession:
    session = selectors.get_by_id(session_id, user=request.user)
    if session is None:
        raise ApiError(404, "session_not_found", "No such procedure session.")
    return session


def summary(session: ProcedureSession) -> dict:
    return {
        "id": session.pk,
        "sop_id": session.sop_id,
        "sop_title": session.sop.title,
        "sop_version": session.sop.version,
        "status": session.status,
        "started_at": session.started_at,
        "paused_at": session.paused_at,
        "completed_at": session.completed_at,
        "cancelled_at": session.cancelled_at,
        "locked": session.locked,
        "worked_seconds": int(session.worked_duration().total_seconds()),
        "current_step_id": session.current_step_id,
    }


def detail(session: ProcedureSession) -> dict:
    """A session with its SOP, checks, current and next step: four queries after the session."""
    progress = selectors.session_progress(session)
    sop = session.sop
    return {
        **summary(session),
        "sop": {
            "id": sop.pk,
            "title": sop.title,
            "version": sop.version,
            "status": sop.status,
            "tasks": [
                {
                    "id": task.task.pk,
                    "title": task.task.title,
                    "position": task.task.position,
                    "steps": [step.step for step in task.steps],
                }
                for task in progress.tasks
            ],
        },
        "checks": progress.checks,
        "current_step": progress.current_step,
        "next_step": progress.next_step,
        "progress": {"done_steps": progress.done_steps, "total_steps": progress.total_steps},
    }


def _reloaded_detail(session: ProcedureSession) -> dict:
    return detail(selectors.get_by_id(session.pk))


@router.post(
    "",
    response={201: SessionDetailOut, 404: Error, 409: Error},
    summary="Start a session from a confirmed SOP (409 with `session_id` if one is open)",
)
@refusals
def start(request: HttpRequest, payload: StartIn):
    sop = selectors.visible_sops(request.user).filter(pk=payload.sop_id).first()
    if sop is None:
        raise ApiError(404, "sop_not_found", "No such SOP.")
    session = services.start_procedure_session(worker=request.user, sop=sop)
    return Status(201, _reloaded_detail(session))


@router.get(
    "/current",
    response=SessionDetailOut | None,
    summary="Your in-progress session, or null",
    description="The worker's session in progress, with its SOP, checks, current and next "
    "step; null when there is none. A paused session is not in progress, so it gives null "
    "unless `include_paused=true` is passed: then the worker's open session is returned "
    "whether in progress or paused (its `status` says which).",
)
def current(request: HttpRequest, filters: Query[CurrentQuery]):
    session = selectors.get_current_for_worker(
        request.user.pk, include_paused=filters.include_paused
    )
    return detail(session) if session else None


@router.get("", response=SessionListOut, summary="Your sessions, most recent first")
def session_list(request: HttpRequest, filters: Query[ListQuery]):
    sessions = selectors.list_by_worker(request.user.pk, status=filters.status)
    page = sessions[filters.offset : filters.offset + filters.limit]
    return {
        "count": sessions.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [summary(session) for session in page],
    }


@router.get("/{session_id}", response=SessionDetailOut, summary="One session")
def session_detail(request: HttpRequest, session_id: UUID):
    return detail(_session(request, session_id))


@router.post(
    "/{session_id}/checks",
    response={201: CheckOutcomeOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Record a safety check on the current step",
)
@refusals
def record_check(request: HttpRequest, session_id: UUID, payload: CheckIn):
    outcome = services.record_check(
        session=_session(request, session_id),
        user=request.user,
        step_id=payload.step_id,
        result=payload.result,
        notes=payload.notes,
    )
    return Status(
        201,
        {
            "check": outcome.check,
            "next_step": outcome.next_step,
            "session": _reloaded_detail(outcome.session),
        },
    )


def _session_action(service):
    def endpoint(request: HttpRequest, session_id: UUID):
        session = service(session=_session(request, session_id), user=request.user)
        return _reloaded_detail(session)

    return refusals(endpoint)


router.post(
    "/{session_id}/complete",
    response={200: SessionDetailOut, 403: Error, 404: Error, 409: Error},
    summary="Complete the session (its owner only)",
    operation_id="complete_session",
)(_session_action(services.complete_procedure_session))


@router.post(
    "/{session_id}/cancel",
    response={200: SessionDetailOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Cancel the session; another can then be started",
    description="Its worker cancels it; the SOP's author or a supervisor may cancel a session "
    "its worker abandoned, with a `reason`, recorded as a decision.",
    operation_id="cancel_session",
)
@refusals
def cancel(request: HttpRequest, session_id: UUID, payload: CancelIn | None = None):
    session = selectors.get_for_cancel(session_id, user=request.user)
    if session is None:
        raise ApiError(404, "session_not_found", "No such procedure session.")
    services.cancel_procedure_session(
        session=session, user=request.user, reason=(payload or CancelIn()).reason
    )
    return _reloaded_detail(session)


router.post(
    "/{session_id}/pause",
    response={200: SessionDetailOut, 403: Error, 404: Error, 409: Error},
    summary="Pause the session; the current step stays",
    operation_id="pause_session",
)(_session_action(services.pause_procedure_session))
router.post(
    "/{session_id}/resume",
    response={200: SessionDetailOut, 403: Error, 404: Error, 409: Error},
    summary="Resume a paused session",
    operation_id="resume_session",
)(_session_action(services.resume_procedure_session))


@router.post(
    "/{session_id}/approve",
    response={200: DecisionOutcomeOut, 403: Error, 404: Error, 409: Error},
    summary="Approve a completed session and lock it (supervisors)",
)
@refusals
def approve(request: HttpRequest, session_id: UUID, payload: ApproveIn | None = None):
    session = _session(request, session_id)
    decision = services.approve_procedure_session(
        session=session, supervisor=request.user, reason=(payload or ApproveIn()).reason
    )
    return {"decision": decision, "session": _reloaded_detail(session)}


@router.post(
    "/{session_id}/override",
    response={200: DecisionOutcomeOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Lift an approval lock, with a reason (supervisors)",
)
@refusals
def override(request: HttpRequest, session_id: UUID, payload: OverrideIn):
    session = _session(request, session_id)
    decision = services.override_procedure_lock(
        session=session, supervisor=request.user, reason=payload.reason
    )
    return {"decision": decision, "session": _reloaded_detail(session)}


sops_router = Router(tags=["SOPs"])


class SOPSummaryOut(Schema):
    id: UUID
    title: str
    version: int
    status: str


@sops_router.get("", response=list[SOPSummaryOut], summary="The SOPs you may see, by title")
def sop_list(request: HttpRequest):
    return list(selectors.visible_sops(request.user).order_by("title", "-version")[:MAX_LIMIT])


@sops_router.delete(
    "/{sop_id}",
    response={204: None, 400: Error, 404: Error},
    summary="Delete your SOP; 400 listing its active sessions while any are open",
)
def sop_delete(request: HttpRequest, sop_id: UUID):
    sop = SOP.objects.filter(created_by=request.user, pk=sop_id).first()
    if sop is None:
        raise ApiError(404, "sop_not_found", "No such SOP of yours.")
    try:
        services.delete_sop(sop=sop, user=request.user)
    except SOPHasActiveSessionsError as error:
        return error_response(
            request,
            400,
            error.code,
            str(error),
            sessions=[str(session.pk) for session in error.sessions],
        )
    return Status(204, None)


@router.post(
    "/{session_id}/reopen",
    response={200: DecisionOutcomeOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Reopen a completed session that is not approved, with a reason (supervisors)",
    description="The session goes back to its worker paused, on its first step without a "
    "passed check; the reason is recorded as a decision.",
)
@refusals
def reopen(request: HttpRequest, session_id: UUID, payload: OverrideIn):
    session = _session(request, session_id)
    decision = services.reopen_procedure_session(
        session=session, supervisor=request.user, reason=payload.reason
    )
    return {"decision": decision, "session": _reloaded_detail(session)}


@router.post(
    "/{session_id}/checks/{check_id}/correct",
    response={200: DecisionOutcomeOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Correct a recorded check's result or notes, with a reason (supervisors)",
)
@refusals
def correct_check(request: HttpRequest, session_id: UUID, check_id: UUID, payload: CorrectCheckIn):
    session = _session(request, session_id)
    recorded = SafetyCheck.objects.filter(session=session, pk=check_id).first()
    if recorded is None:
        raise ApiError(404, "check_not_found", "No such check in this session.")
    decision = services.correct_check(
        check=recorded,
        supervisor=request.user,
        result=payload.result,
        notes=payload.notes,
        reason=payload.reason,
    )
    return {"decision": decision, "session": _reloaded_detail(session)}
