"""The timer's JSON API, for desktop hotkeys and integrations. Each endpoint calls the same
service the dashboard uses.

The POSTs honour an optional `Idempotency-Key` header (decisioning.http, scoped per user): a
retry with the same key and body gets the first response again (status and body, with
`Idempotent-Replayed: true`), errors such as 409 "no active session" included; while the
first is still running, 409 `request_in_flight`; the same key with a different body, 422
`idempotency_key_reused`; a malformed key, 400 `idempotency_key_malformed`."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from config.api import ApiError, Error, PlainText, SupportedDateTime, api, error_response
from core.display import display_name
from decisioning.http import handle_idempotently
from worklog.targets import resolve_target
from worklog.timer import services
from worklog.timer.exceptions import InvalidSessionTimesError, NoActiveSessionError
from worklog.timer.models import WorkSession
from worklog.timer.selectors import active_session

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
            return error_response(request, error.status_code, error.code, error.message)
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
            raise ApiError(422, "invalid_times", str(error)) from error

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
    return list(
        WorkSession.objects.for_user(request.user)
        .in_range(start, end)
        .with_targets()
        .order_by("started_at")[:MAX_LISTED_SESSIONS]
    )
