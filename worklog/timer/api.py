"""The timer's JSON API, for desktop hotkeys and integrations. Each endpoint calls the same
service the dashboard uses.

The POSTs honour an optional `Idempotency-Key` header (decisioning.http, scoped per user): a
retry with the same key and body gets the first response again (status and body, with
`Idempotent-Replayed: true`), errors such as 409 "no active session" included; while the
first is still running, 409 `request_in_flight`; the same key with a different body, 422
`idempotency_key_reused`; a malformed key, 400 `idempotency_key_malformed`."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from config.api import (
    ApiError,
    Error,
    PlainText,
    SupportedDate,
    SupportedDateTime,
    api,
    error_response,
    on_week_locked,
)
from core.display import display_name
from decisioning.http import handle_idempotently
from worklog.targets import resolve_target, target_names
from worklog.teams.exceptions import WeekLockedError
from worklog.timer import services
from worklog.timer.exceptions import (
    InvalidSessionTimesError,
    NoActiveSessionError,
    OverlappingSessionError,
)
from worklog.timer.models import WorkSession
from worklog.timer.reports import (
    ROUNDING_MINUTES,
    PeriodKind,
    Preset,
    Rounding,
    RoundingMode,
    RoundingScope,
    TimerReport,
    report_period,
    timer_report,
)
from worklog.timer.selectors import active_session, listed_sessions

router = Router(tags=["timer"])

MAX_LISTED_SESSIONS = 1000


class TargetOut(Schema):
    type: str = Field(description="app_label.model")
    id: str
    label: str
    key: str = Field(description="Pass this as `target` to start a session on it again.")


class SessionOut(Schema):
    id: UUID
    started_at: datetime
    stopped_at: datetime | None
    duration_seconds: int | None
    is_active: bool
    end_reason: str
    session_type: str
    notes: str
    target: TargetOut | None

    @staticmethod
    def resolve_target(session: WorkSession) -> dict | None:
        if not session.target_content_type_id or session.target is None:
            return None
        type_key = f"{session.target_content_type.app_label}.{session.target_content_type.model}"
        return {
            "type": type_key,
            "id": session.target_id,
            "label": display_name(session.target),
            "key": f"{type_key}:{session.target_id}",
        }


class TimerStartIn(Schema):
    target: PlainText = Field(
        "", max_length=300, description="A target key, `app_label.model:id`; empty for none."
    )
    session_type: PlainText = Field("", max_length=100)
    notes: PlainText = Field("", max_length=2000)


class TimerStopIn(Schema):
    notes: PlainText = Field("", max_length=2000)


class ToggleOut(Schema):
    action: Literal["started", "stopped"]
    session: SessionOut


class SessionsQuery(Schema):
    start: SupportedDateTime | None = Field(
        None, alias="from", description="Default: seven days ago."
    )
    end: SupportedDateTime | None = Field(None, alias="to", description="Default: now.")


def _target(request: HttpRequest, key: str):
    if not key:
        return None
    target = resolve_target(request.user, key)
    if target is None:
        raise ApiError(404, "target_not_found", f"No target {key!r} that you may time.")
    return target.object


def _aware(value: datetime | None, request: HttpRequest) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, request.user.zone)
    return value


@router.get("", response=SessionOut | None, summary="The running session, or null")
def current(request: HttpRequest):
    return active_session(request.user)


def _once(request: HttpRequest, schema: type[Schema], run: Callable[[], Any], status=200):
    """The response of `run()`, serialised with `schema`, at most once per Idempotency-Key."""

    def respond() -> HttpResponse:
        try:
            result = run()
        except ApiError as error:
            return error_response(
                request, error.status_code, error.code, error.message, **error.extra
            )
        except WeekLockedError as error:
            # Answered here, inside the key's transaction, which an error would roll back
            # together with the refusal's audit record.
            return on_week_locked(request, error)
        return api.create_response(
            request, schema.model_validate(result).model_dump(), status=status
        )

    return handle_idempotently(request, respond, problem=error_response)


# An Idempotency-Key's own errors: 400 malformed, 409 still running, 422 used for another request.
@router.post(
    "/toggle",
    response={200: ToggleOut, 404: Error, 409: Error},
    summary="Stop the running session, or start one",
)
def toggle(request: HttpRequest, payload: TimerStartIn | None = None):
    payload = payload or TimerStartIn()

    def run():
        session = services.toggle_session(
            request.user,
            target=_target(request, payload.target),
            session_type=payload.session_type,
            notes=payload.notes,
        )
        return {"action": "started" if session.is_active else "stopped", "session": session}

    return _once(request, ToggleOut, run)


@router.post(
    "/start",
    response={201: SessionOut, 404: Error, 409: Error},
    summary="Start a session (switches)",
)
def start(request: HttpRequest, payload: TimerStartIn | None = None):
    payload = payload or TimerStartIn()

    def run():
        try:
            return services.start_session(
                request.user,
                target=_target(request, payload.target),
                session_type=payload.session_type,
                notes=payload.notes,
            )
        except InvalidSessionTimesError as error:
            raise _refused(error) from error

    return _once(request, SessionOut, run, status=201)


@router.post("/stop", response={200: SessionOut, 409: Error}, summary="Stop the running session")
def stop(request: HttpRequest, payload: TimerStopIn | None = None):
    def run():
        try:
            return services.stop_session(request.user, notes=(payload or TimerStopIn()).notes)
        except NoActiveSessionError as error:
            raise ApiError(409, "no_active_session", "No session is running.") from error

    return _once(request, SessionOut, run)


@router.get("/sessions", response=list[SessionOut], summary="Sessions overlapping [from, to)")
def sessions(request: HttpRequest, filters: Query[SessionsQuery]):
    end = _aware(filters.end, request) or timezone.now()
    start = _aware(filters.start, request) or end - timedelta(days=7)
    if end <= start:
        raise ApiError(422, "invalid_range", "'to' must be after 'from'.")
    rows = list(listed_sessions(request.user, start=start, end=end, limit=MAX_LISTED_SESSIONS))
    return api.create_response(request, _sessions_out(rows), status=200)


def _sessions_out(rows: list[tuple]) -> list[dict]:
    """The rows as SessionOut writes sessions, built directly rather than validated one by one:
    every value comes from a typed column, and validating a week of rows cost more than reading
    them. tests/worklog/timer/test_session_list.py holds the two to the same output."""
    names = target_names((row[-2], row[-1]) for row in rows)
    listed = []
    for pk, started, stopped, duration, end_reason, session_type, notes, type_id, target_id in rows:
        name = names.get((type_id, target_id)) if type_id else None
        listed.append(
            {
                "id": pk,
                "started_at": started,
                "stopped_at": stopped,
                "duration_seconds": duration,
                "is_active": stopped is None,
                "end_reason": end_reason,
                "session_type": session_type,
                "notes": notes,
                "target": name
                and {"type": name.type, "id": name.id, "label": name.label, "key": name.key},
            }
        )
    return listed


class AddSessionIn(Schema):
    started_at: SupportedDateTime
    stopped_at: SupportedDateTime | None = Field(
        None, description="Give this or `duration_seconds`."
    )
    duration_seconds: int | None = Field(None, gt=0, le=7 * 24 * 3600)
    target: PlainText = Field(
        "", max_length=300, description="A target key, `app_label.model:id`; empty for none."
    )
    session_type: PlainText = Field("", max_length=100)
    notes: PlainText = Field("", max_length=2000)
    trim_overlapping: bool = Field(
        False, description="Shorten the sessions it overlaps instead of refusing (409)."
    )


class SessionPatch(Schema):
    """Only the fields given change. A running session takes a new start (not in the future,
    not over another session), target, type and notes; a stopped one any of them."""

    started_at: SupportedDateTime | None = None
    stopped_at: SupportedDateTime | None = None
    effective_at: SupportedDateTime | None = None
    target: PlainText | None = Field(None, max_length=300, description="'' for no target.")
    session_type: PlainText | None = Field(None, max_length=100)
    notes: PlainText | None = Field(None, max_length=2000)


def _refused(error: InvalidSessionTimesError) -> ApiError:
    if isinstance(error, WeekLockedError):
        return ApiError(409, "week_locked", str(error), week_start=error.week_start.isoformat())
    if isinstance(error, OverlappingSessionError):
        return ApiError(
            409,
            "overlap",
            str(error),
            session_ids=[str(session.pk) for session in error.sessions],
            trimmable=error.trimmable,
        )
    return ApiError(422, "invalid_times", str(error), field=error.field)


def _own_session(request: HttpRequest, session_id: UUID) -> WorkSession:
    return get_object_or_404(WorkSession.objects.for_user(request.user), pk=session_id)


@router.post(
    "/sessions",
    response={201: SessionOut, 404: Error, 409: Error, 422: Error},
    summary="Add time you forgot to track",
)
def add_session(request: HttpRequest, payload: AddSessionIn):
    def run():
        if (payload.stopped_at is None) == (payload.duration_seconds is None):
            raise ApiError(422, "invalid_input", "Give either 'stopped_at' or 'duration_seconds'.")
        started_at = _aware(payload.started_at, request)
        stopped_at = _aware(payload.stopped_at, request) or started_at + timedelta(
            seconds=payload.duration_seconds
        )
        target = _target(request, payload.target)
        try:
            return services.add_session(
                user=request.user,
                started_at=started_at,
                stopped_at=stopped_at,
                target=target,
                session_type=payload.session_type,
                notes=payload.notes,
                trim_overlapping=payload.trim_overlapping,
            )
        except InvalidSessionTimesError as error:
            raise _refused(error) from error

    return _once(request, SessionOut, run, status=201)


@router.patch(
    "/sessions/{session_id}",
    response={200: SessionOut, 409: Error, 422: Error},
    summary="Correct a session, or move a running one's start",
)
def patch_session(request: HttpRequest, session_id: UUID, payload: SessionPatch):
    session = _own_session(request, session_id)
    # A field sent as null is a field not sent: it stays as it is.
    given = payload.model_dump(exclude_none=True)
    if not given:
        raise ApiError(422, "nothing_to_change", "Give at least one field to change.")
    target = _target(request, given["target"] or "") if "target" in given else session.target
    facts = {
        "started_at": _aware(given.get("started_at"), request) or session.started_at,
        "target": target,
        "session_type": given.get("session_type", session.session_type),
        "notes": given.get("notes", session.notes),
    }
    try:
        if session.is_active:
            if "stopped_at" in given or "effective_at" in given:
                raise ApiError(
                    422,
                    "session_running",
                    "A running session takes no stop or effective time: stop it first.",
                )
            return services.correct_running_session(session=session, **facts)
        return services.correct_session(
            session=session,
            stopped_at=_aware(given.get("stopped_at"), request) or session.stopped_at,
            effective_at=_aware(given.get("effective_at"), request) or session.effective_at,
            **facts,
        )
    except InvalidSessionTimesError as error:
        raise _refused(error) from error


@router.delete(
    "/sessions/{session_id}",
    response={204: None},
    summary="Delete a session (it can be restored in the admin or from the page's undo)",
)
def delete_session(request: HttpRequest, session_id: UUID):
    services.delete_session(session=_own_session(request, session_id))
    return Status(204, None)


@router.post(
    "/sessions/{session_id}/continue",
    response={201: SessionOut},
    summary="Start the session's target, type and notes again now (switches)",
)
def continue_session(request: HttpRequest, session_id: UUID):
    session = _own_session(request, session_id)
    return _once(request, SessionOut, lambda: services.continue_session(session=session), 201)


# -- the report ----------------------------------------------------------------------------------


class TimerReportQuery(Schema):
    preset: Preset | None = Field(None, description="Overrides the other period filters.")
    period: PeriodKind | None = Field(
        None, description="Default: `custom` when `start` or `end` is given, else `week`."
    )
    date: SupportedDate | None = Field(
        None, description="A day in the day, week, month or year; default: today."
    )
    start: SupportedDate | None = Field(None, description="A custom range's first day.")
    end: SupportedDate | None = Field(None, description="A custom range's last day.")
    rounding: int = Field(0, description=f"Minutes, one of {ROUNDING_MINUTES}; 0 for none.")
    rounding_mode: RoundingMode = RoundingMode.NEAREST
    rounding_scope: RoundingScope = Field(
        RoundingScope.ENTRIES,
        description="Round each entry (a session's part of a day) or each total.",
    )

    @field_validator("rounding")
    @classmethod
    def known_rounding(cls, value: int) -> int:
        if value not in ROUNDING_MINUTES:
            raise ValueError(f"round to one of {ROUNDING_MINUTES} minutes")
        return value


class TimerReportPeriodOut(Schema):
    kind: PeriodKind
    first_day: date
    last_day: date
    label: str


class TimerRoundingOut(Schema):
    minutes: int
    mode: RoundingMode
    scope: RoundingScope
    description: str

    @staticmethod
    def resolve_description(rounding: Rounding) -> str:
        return str(rounding)


def _hours(seconds: int) -> float:
    return round(seconds / 3600, 2)


class TimerReportRowOut(Schema):
    key: str = Field(description="The target's key, the target type or the session type.")
    label: str
    seconds: int
    hours: float

    @staticmethod
    def resolve_hours(row) -> float:
        return _hours(row.seconds)


class TimerReportDayOut(Schema):
    day: date
    seconds: int
    hours: float

    @staticmethod
    def resolve_hours(row) -> float:
        return _hours(row.seconds)


class TimerReportOut(Schema):
    period: TimerReportPeriodOut
    rounding: TimerRoundingOut
    total_seconds: int
    total_hours: float
    session_count: int
    by_target: list[TimerReportRowOut]
    by_target_type: list[TimerReportRowOut]
    by_client: list[TimerReportRowOut]
    by_project: list[TimerReportRowOut]
    by_session_type: list[TimerReportRowOut]
    by_day: list[TimerReportDayOut]

    @staticmethod
    def resolve_total_hours(report: TimerReport) -> float:
        return _hours(report.total_seconds)


@router.get(
    "/report",
    response=TimerReportOut,
    summary="Tracked time in a period of your local days, grouped and optionally rounded",
)
def report(request: HttpRequest, filters: Query[TimerReportQuery]):
    """The timer report the page shows: totals by target, target type, client, project, session
    type and day. A session across midnight counts on each day for its part of it."""
    user = request.user
    try:
        period = report_period(
            today=timezone.now().astimezone(user.zone).date(),
            week_start=user.week_start,
            preset=filters.preset or "",
            kind=filters.period or "",
            anchor=filters.date,
            start=filters.start,
            end=filters.end,
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
        raise ApiError(422, "invalid_range", problems) from error
    rounding = Rounding(
        minutes=filters.rounding, mode=filters.rounding_mode, scope=filters.rounding_scope
    )
    return timer_report(user, period=period, rounding=rounding)
