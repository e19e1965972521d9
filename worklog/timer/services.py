"""Writes to work sessions. Every function that can start or stop a session first locks the
user's row, so two requests for one user (two tabs, a double click, the hotkey and a click) run
one after the other: neither can miss the session the other just started or stopped."""

import logging
from collections.abc import Collection
from datetime import datetime, time
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from worklog.compiled import CompiledQuery
from worklog.teams.locks import ensure_not_locked, refuses_locked_weeks
from worklog.timer.emails import send_still_working_email
from worklog.timer.exceptions import (
    InvalidSessionTimesError,
    NoActiveSessionError,
    NoticeAlreadyAnsweredError,
    OverlappingSessionError,
)
from worklog.timer.models import (
    EndReason,
    NoticeAnswer,
    NoticeKind,
    TimerNotice,
    TimerPreferences,
    WorkSession,
)
from worklog.timer.reports import REPORT_COLUMNS
from worklog.timer.selectors import (
    auto_stop_deadline,
    is_long_running,
    sessions_due_to_stop,
    sessions_to_ask_about,
)

logger = logging.getLogger(__name__)


def _user_lock_queryset(user_id: int, moments: list[datetime]):
    return (
        get_user_model()
        ._default_manager.select_for_update()
        .filter(pk=user_id)
        .values_list("pk", flat=True)
    )


@cache
def _user_lock_query(vendor: str) -> CompiledQuery:
    return CompiledQuery.compile(_user_lock_queryset, moments=0)


def _lock_user(user) -> None:
    """Take the user's row lock until the transaction ends (every timer write: compiled once)."""
    list(_user_lock_query(connection.vendor).queryset(user.pk, []))


def _running_sessions_queryset(user_id: int, moments: list[datetime]):
    return WorkSession.objects.filter(user_id=user_id).active().order_by("-started_at")


@cache
def _running_sessions_query(vendor: str) -> CompiledQuery:
    return CompiledQuery.compile(_running_sessions_queryset, moments=0)


def _matches_target(session: WorkSession, target: models.Model | None) -> bool:
    if target is None:
        return True
    content_type = ContentType.objects.get_for_model(target)
    return session.target_content_type_id == content_type.pk and session.target_id == str(target.pk)


def get_active_session(user, target=None) -> WorkSession | None:
    """The user's most recently started running session (on `target`, if given), or None."""
    qs = WorkSession.objects.for_user(user).active()
    if target:
        qs = qs.for_target(target)
    return qs.order_by("-started_at").first()


def _start_locked(
    *,
    user,
    running: list[WorkSession],
    target,
    session_type: str,
    notes: str,
    metadata: dict | None,
    started_at: datetime | None,
    stop_existing: bool,
) -> WorkSession:
    started_at = started_at or timezone.now()
    spans = [(started_at, None)]
    if stop_existing:
        spans += [(existing.started_at, started_at) for existing in running]
    ensure_not_locked(user, spans, action="starting a session")
    if stop_existing:
        for existing in running:
            if started_at < existing.started_at:
                raise InvalidSessionTimesError(
                    "The new session cannot start before the running one started.",
                    field="started_at",
                )
            # Half-open intervals: the old session ends exactly where the new one begins.
            existing.stop(stopped_at=started_at, end_reason=EndReason.SWITCHED)
    return WorkSession.objects.create(
        user=user,
        target=target,
        session_type=session_type,
        notes=notes,
        metadata=metadata or {},
        started_at=started_at,
        effective_at=started_at,
        switch_policy=stop_existing,
    )


@refuses_locked_weeks
@transaction.atomic
def start_session(
    user,
    target=None,
    session_type: str = "",
    notes: str = "",
    metadata: dict | None = None,
    started_at=None,
    stop_existing: bool = True,
) -> WorkSession:
    """Start a new work session. With `stop_existing` (the switch policy), every session the
    user has running stops at the new one's start, with the end reason "switched"."""
    _lock_user(user)
    running = list(WorkSession.objects.for_user(user).active()) if stop_existing else []
    return _start_locked(
        user=user,
        running=running,
        target=target,
        session_type=session_type,
        notes=notes,
        metadata=metadata,
        started_at=started_at,
        stop_existing=stop_existing,
    )


@refuses_locked_weeks
@transaction.atomic
def stop_session(user, target=None, stopped_at=None, notes: str = "") -> WorkSession:
    """Stop the user's active session (on `target`, if given); NoActiveSessionError if none."""
    _lock_user(user)
    session = get_active_session(user, target)
    if not session:
        raise NoActiveSessionError(user, target)
    if notes:
        session.notes = f"{session.notes}\n{notes}".strip() if session.notes else notes
    _ensure_may_stop(session, stopped_at or timezone.now(), user)
    session.stop(stopped_at=stopped_at)
    return session


@refuses_locked_weeks
@transaction.atomic
def toggle_session(
    user,
    target=None,
    session_type: str = "",
    notes: str = "",
    metadata: dict | None = None,
) -> WorkSession:
    """Stop the active session (on `target`, if given) if there is one, else start one."""
    _lock_user(user)
    running = list(_running_sessions_query(connection.vendor).queryset(user.pk, []))
    existing = next((s for s in running if _matches_target(s, target)), None)
    if existing:
        _ensure_may_stop(existing, timezone.now(), user)
        existing.stop()
        return existing
    return _start_locked(
        user=user,
        running=running,
        target=target,
        session_type=session_type,
        notes=notes,
        metadata=metadata,
        started_at=None,
        stop_existing=True,
    )


def get_user_sessions(
    user, start_date=None, end_date=None, target=None, session_type: str | None = None
):
    """The user's sessions, optionally filtered by start date range, target and type."""
    qs = WorkSession.objects.for_user(user)
    if start_date:
        qs = qs.filter(started_at__gte=start_date)
    if end_date:
        qs = qs.filter(started_at__lt=end_date)
    if target:
        qs = qs.for_target(target)
    if session_type:
        qs = qs.filter(session_type=session_type)
    return qs


def get_total_time(
    user, start_date=None, end_date=None, target=None, session_type: str | None = None
) -> int:
    """Total seconds of the user's completed sessions matching the filters."""
    return (
        get_user_sessions(
            user,
            start_date=start_date,
            end_date=end_date,
            target=target,
            session_type=session_type,
        )
        .completed()
        .total_duration()
    )


def _check_no_overlap(
    session: WorkSession, started_at: datetime, stopped_at: datetime | None
) -> None:
    others = WorkSession.objects.for_user(session.user_id).exclude(pk=session.pk)
    others = others.filter(models.Q(stopped_at__isnull=True) | models.Q(stopped_at__gt=started_at))
    if stopped_at is not None:
        others = others.filter(started_at__lt=stopped_at)
    if others.exists():
        raise InvalidSessionTimesError(
            "This would overlap another of your sessions.", field="started_at"
        )


def _ensure_may_stop(session: WorkSession, stopped_at: datetime, user=None) -> None:
    ensure_not_locked(
        user or session.user, [(session.started_at, stopped_at)], action="stopping a session"
    )


@refuses_locked_weeks
@transaction.atomic
def stop_running_session(
    *, session: WorkSession, stopped_at: datetime | None = None, end_reason: str = EndReason.STOPPED
) -> WorkSession:
    """Stop one given session (the admin's action, the long-session correction)."""
    _lock_user(session.user)
    session = WorkSession.objects.get(pk=session.pk)
    if stopped_at is not None and stopped_at > timezone.now():
        raise InvalidSessionTimesError("A session cannot stop in the future.", field="stopped_at")
    _ensure_may_stop(session, stopped_at or timezone.now())
    session.stop(stopped_at=stopped_at, end_reason=end_reason)
    return session


@refuses_locked_weeks
@transaction.atomic
def correct_session(
    *,
    session: WorkSession,
    started_at: datetime,
    stopped_at: datetime,
    target: Any = None,
    session_type: str = "",
    notes: str = "",
    effective_at: datetime | None = None,
) -> WorkSession:
    """Rewrite a stopped session's facts; `recorded_at` never changes. A stop before the start,
    a stop in the future, or an overlap with the user's other sessions is refused."""
    _lock_user(session.user)
    session = WorkSession.objects.get(pk=session.pk)
    if session.is_active:
        raise InvalidSessionTimesError("Stop the session before correcting it.", field="stopped_at")
    if stopped_at <= started_at:
        raise InvalidSessionTimesError("The stop must be after the start.", field="stopped_at")
    if stopped_at > timezone.now():
        raise InvalidSessionTimesError("The stop must not be in the future.", field="stopped_at")
    ensure_not_locked(
        session.user,
        [(session.started_at, session.stopped_at), (started_at, stopped_at)],
        action="correcting a session",
    )
    _check_no_overlap(session, started_at, stopped_at)
    if stopped_at != session.stopped_at:
        session.end_reason = EndReason.CORRECTED
    session.started_at = started_at
    session.stopped_at = stopped_at
    session.duration_seconds = int((stopped_at - started_at).total_seconds())
    session.effective_at = effective_at or started_at
    session.target = target
    session.session_type = session_type
    session.notes = notes
    session.save()
    return session


@refuses_locked_weeks
@transaction.atomic
def delete_session(*, session: WorkSession) -> None:
    """Soft delete: the session disappears from lists and totals until restored."""
    _lock_user(session.user)
    session = WorkSession.objects.get(pk=session.pk)
    ensure_not_locked(
        session.user, [(session.started_at, session.stopped_at)], action="deleting a session"
    )
    session.delete()


@refuses_locked_weeks
@transaction.atomic
def restore_session(*, session: WorkSession) -> WorkSession:
    """Bring back a soft-deleted session, unless a session recorded since then took its time."""
    _lock_user(session.user)
    session = WorkSession.all_objects.get(pk=session.pk)
    ensure_not_locked(
        session.user, [(session.started_at, session.stopped_at)], action="restoring a session"
    )
    _check_no_overlap(session, session.started_at, session.stopped_at)
    session.restore()
    return session


def _overlapping(user, started_at: datetime, stopped_at: datetime, *, exclude=None) -> list:
    """The user's sessions that share time with [started_at, stopped_at), earliest first."""
    others = WorkSession.objects.for_user(user).in_range(started_at, stopped_at)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return list(others.with_targets().order_by("started_at"))


def _trims(session: WorkSession, started_at: datetime, stopped_at: datetime) -> str | None:
    """Which end of `session` gives way to [started_at, stopped_at): 'stop' or 'start', or None
    when neither can (it runs, lies wholly inside, or would be split in two)."""
    if session.is_active:
        return None
    if session.started_at < started_at and session.stopped_at <= stopped_at:
        return "stop"
    if session.started_at >= started_at and session.stopped_at > stopped_at:
        return "start"
    return None


def _trim(session: WorkSession, end: str, started_at: datetime, stopped_at: datetime) -> None:
    if end == "stop":
        session.stopped_at = started_at
        session.end_reason = EndReason.CORRECTED
    else:
        if session.effective_at == session.started_at:
            session.effective_at = stopped_at
        session.started_at = stopped_at
    session.duration_seconds = int((session.stopped_at - session.started_at).total_seconds())
    session.save()


@refuses_locked_weeks
@transaction.atomic
def add_session(
    *,
    user,
    started_at: datetime,
    stopped_at: datetime,
    target: Any = None,
    session_type: str = "",
    notes: str = "",
    trim_overlapping: bool = False,
) -> WorkSession:
    """Record time the user forgot to track, as a stopped session. An overlap with the user's
    other sessions is refused (OverlappingSessionError names them), unless `trim_overlapping`
    and each of them can give way at one end."""
    if stopped_at <= started_at:
        raise InvalidSessionTimesError("The stop must be after the start.", field="stopped_at")
    if stopped_at > timezone.now():
        raise InvalidSessionTimesError("The stop must not be in the future.", field="stopped_at")
    _lock_user(user)
    overlapping = _overlapping(user, started_at, stopped_at)
    ensure_not_locked(
        user,
        [
            (started_at, stopped_at),
            *((other.started_at, other.stopped_at) for other in overlapping),
        ],
        action="adding time",
    )
    trims = [_trims(other, started_at, stopped_at) for other in overlapping]
    if overlapping and not (trim_overlapping and all(trims)):
        raise OverlappingSessionError(overlapping, zone=user.zone, trimmable=all(trims))
    for other, end in zip(overlapping, trims, strict=True):
        _trim(other, end, started_at, stopped_at)
    return WorkSession.objects.create(
        user=user,
        target=target,
        session_type=session_type,
        notes=notes,
        started_at=started_at,
        effective_at=started_at,
        stopped_at=stopped_at,
        duration_seconds=int((stopped_at - started_at).total_seconds()),
        end_reason=EndReason.STOPPED,
        switch_policy=True,
    )


def _locked_running(session: WorkSession) -> WorkSession:
    _lock_user(session.user)
    session = WorkSession.objects.get(pk=session.pk)
    if not session.is_active:
        raise InvalidSessionTimesError(
            "Only a running session's start can be moved; correct a stopped one.",
            field="started_at",
        )
    return session


def _move_start(session: WorkSession, started_at: datetime) -> None:
    if started_at > timezone.now():
        raise InvalidSessionTimesError("The start must not be in the future.", field="started_at")
    ensure_not_locked(
        session.user,
        [(session.started_at, None), (started_at, None)],
        action="moving a running session's start",
    )
    if started_at < session.started_at:
        overlapping = _overlapping(session.user, started_at, session.started_at, exclude=session)
        if overlapping:
            raise OverlappingSessionError(overlapping, zone=session.user.zone, trimmable=False)
    if session.effective_at == session.started_at:
        session.effective_at = started_at
    session.started_at = started_at


@refuses_locked_weeks
@transaction.atomic
def move_running_start(*, session: WorkSession, started_at: datetime) -> WorkSession:
    """Move a running session's start, e.g. back to when the work really began: not into the
    future, and not over another of the user's sessions."""
    session = _locked_running(session)
    _move_start(session, started_at)
    session.save(update_fields=["started_at", "effective_at", "updated_at"])
    return session


@refuses_locked_weeks
@transaction.atomic
def correct_running_session(
    *,
    session: WorkSession,
    started_at: datetime,
    target: Any = None,
    session_type: str = "",
    notes: str = "",
) -> WorkSession:
    """Rewrite what a running session is about, and move its start as `move_running_start`
    does; it keeps running."""
    session = _locked_running(session)
    _move_start(session, started_at)
    session.target = target
    session.session_type = session_type
    session.notes = notes
    session.save()
    return session


@refuses_locked_weeks
def continue_session(*, session: WorkSession) -> WorkSession:
    """Start the same work again now: the session's target, type and notes (switching from
    whatever runs)."""
    return start_session(
        session.user,
        target=session.target,
        session_type=session.session_type,
        notes=session.notes,
    )


# Forgotten timers: automatic stops, and the "Still working?" email.


@transaction.atomic
def update_timer_preferences(
    *, user, auto_stop_after_hours: int | None, auto_stop_at: time | None
) -> TimerPreferences:
    """Set when the user's running timer stops by itself (None: never); the background worker
    applies the rules, to a timer running now as well."""
    TimerPreferences(
        user=user, auto_stop_after_hours=auto_stop_after_hours, auto_stop_at=auto_stop_at
    ).clean_fields(exclude=["user", "report_columns"])
    preferences, _ = TimerPreferences.objects.update_or_create(
        user=user,
        defaults={"auto_stop_after_hours": auto_stop_after_hours, "auto_stop_at": auto_stop_at},
    )
    return preferences


@refuses_locked_weeks
@transaction.atomic
def auto_stop_session(*, session: WorkSession, now: datetime | None = None) -> WorkSession | None:
    """Stop `session` at the moment its user's preferences give (not at `now`), with the end
    reason "auto_stopped", and leave the user a notice; None when it no longer runs or is not
    due. Under the user's lock the session and the preferences are read again, so a session the
    user stopped or switched meanwhile is left alone, and a second worker finds it stopped."""
    now = now or timezone.now()
    _lock_user(session.user)
    session = WorkSession.objects.active().select_related("user").filter(pk=session.pk).first()
    if session is None:
        return None
    preferences = TimerPreferences.objects.filter(user=session.user_id).first()
    deadline = auto_stop_deadline(session, preferences, session.user.zone) if preferences else None
    if deadline is None or deadline > now:
        return None
    ensure_not_locked(
        session.user,
        [(session.started_at, deadline)],
        action="stopping a forgotten session automatically",
        now=now,
    )
    session.stop(stopped_at=deadline, end_reason=EndReason.AUTO_STOPPED)
    TimerNotice.objects.create(user=session.user, session=session, kind=NoticeKind.AUTO_STOPPED)
    return session


def stop_forgotten_sessions(*, now: datetime | None = None) -> list[WorkSession]:
    """Every automatic stop that is due; one session's failure does not hold up the others."""
    now = now or timezone.now()
    stopped = []
    for session in sessions_due_to_stop(now=now):
        try:
            if auto_stopped := auto_stop_session(session=session, now=now):
                stopped.append(auto_stopped)
        except Exception:
            logger.exception("Could not stop forgotten session %s", session.pk)
    return stopped


def ask_whether_still_working(
    *, session: WorkSession, now: datetime | None = None
) -> TimerNotice | None:
    """Email the user of a session running longer than the long-session limit, once per
    session; None when it no longer runs, is not that long, or was already asked about. The
    notice row and the email go together: a second worker's insert of the same row waits for
    the first's transaction and then finds it (the unique constraint), and a failed send rolls
    the row back so that the next run tries again."""
    now = now or timezone.now()
    with transaction.atomic():
        session = WorkSession.objects.active().select_related("user").filter(pk=session.pk).first()
        if session is None or not session.user.email or not is_long_running(session, now=now):
            return None
        notice, created = TimerNotice.objects.get_or_create(
            session=session, kind=NoticeKind.STILL_WORKING, defaults={"user": session.user}
        )
        if not created:
            return None
        send_still_working_email(notice)
    return notice


def ask_about_long_sessions(*, now: datetime | None = None) -> list[TimerNotice]:
    """Every "Still working?" email that is due; one failure does not hold up the others."""
    now = now or timezone.now()
    asked = []
    for session in sessions_to_ask_about(now=now):
        try:
            if notice := ask_whether_still_working(session=session, now=now):
                asked.append(notice)
        except Exception:
            logger.exception("Could not ask about long session %s", session.pk)
    return asked


def _answer(notice: TimerNotice, answer: NoticeAnswer, now: datetime) -> None:
    answered = TimerNotice.objects.filter(pk=notice.pk, answered_at=None).update(
        answered_at=now, answer=answer
    )
    if not answered:
        raise NoticeAlreadyAnsweredError(notice.pk)


@refuses_locked_weeks
@transaction.atomic
def answer_still_working(*, notice: TimerNotice, keep_running: bool) -> WorkSession | None:
    """The answer to the "Still working?" email, once per email: stop the session now, or keep it
    running. Returns the session if this stopped it (None if it had stopped already, or kept
    running); NoticeAlreadyAnsweredError for a second answer."""
    now = timezone.now()
    _lock_user(notice.user)
    _answer(notice, NoticeAnswer.KEPT if keep_running else NoticeAnswer.STOPPED, now)
    if keep_running:
        return None
    session = WorkSession.objects.active().filter(pk=notice.session_id).first()
    if session is None:
        return None
    _ensure_may_stop(session, now, notice.user)
    session.stop(stopped_at=now)
    return session


def answer_auto_stop_notice(*, notice: TimerNotice, answer: NoticeAnswer) -> None:
    """Take down the banner about an automatic stop: dismissed, or the user went to correct the
    session. Answering it again changes nothing."""
    TimerNotice.objects.filter(pk=notice.pk, answered_at=None).update(
        answered_at=timezone.now(), answer=answer
    )


@transaction.atomic
def set_report_columns(*, user, columns: Collection[str]) -> TimerPreferences:
    """Remember the columns `user` chose for exports of the timer report, in the report's own
    order; refused unless they name at least one known column and nothing else."""
    unknown = sorted(set(columns) - set(REPORT_COLUMNS))
    if unknown:
        raise ValidationError({"columns": f"Unknown columns: {', '.join(unknown)}."})
    if not columns:
        raise ValidationError({"columns": "Choose at least one column."})
    preferences, _ = TimerPreferences.objects.update_or_create(
        user=user, defaults={"report_columns": [key for key in REPORT_COLUMNS if key in columns]}
    )
    return preferences
