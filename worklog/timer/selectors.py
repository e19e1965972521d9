"""Reads the timer pages need. Days and weeks are the user's local ones; the sums are computed by
the database, over each session's part inside the period (a session across midnight counts on
both days)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from worklog.compiled import CompiledQuery, side_by_side_sql
from worklog.targets import Target, visible_targets
from worklog.timer.models import (
    EndReason,
    NoticeKind,
    TimerNotice,
    TimerPreferences,
    WorkSession,
)

DEFAULT_LONG_SESSION_HOURS = 10


def long_session_limit() -> timedelta:
    return timedelta(
        hours=getattr(settings, "WORKLOG_LONG_SESSION_HOURS", DEFAULT_LONG_SESSION_HOURS)
    )


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in `zone`, in UTC; 23 or 25 hours long across a DST change.
    (Python subtracts two datetimes of one zone as wall-clock times, hence the conversion.)"""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class DayTotal:
    day: date
    seconds: int
    is_today: bool


@dataclass(frozen=True)
class Totals:
    today_seconds: int
    week_seconds: int
    days: list[DayTotal]


def _seconds_within(start: datetime, end: datetime, now: datetime) -> Sum:
    """The seconds of each session inside [start, end), counting a running one up to `now`."""

    def at(value):
        return Value(value, output_field=DateTimeField())

    overlap = ExpressionWrapper(
        Least(Coalesce("stopped_at", at(now)), at(end)) - Greatest(F("started_at"), at(start)),
        output_field=DurationField(),
    )
    return Sum(
        overlap,
        filter=Q(started_at__lt=end)
        & Q(started_at__lt=now)
        & (Q(stopped_at__isnull=True) | Q(stopped_at__gt=start)),
    )


def _week_totals_queryset(user_id: int, moments: list[datetime]):
    """Seconds per day of a week: `moments` is now, then the eight boundaries of its days."""
    now, *boundaries = moments
    per_day = {
        f"day{index}": _seconds_within(boundaries[index], boundaries[index + 1], now)
        for index in range(7)
    }
    return (
        WorkSession.objects.filter(user_id=user_id)
        .in_range(boundaries[0], boundaries[-1])
        .values("user")
        .annotate(**per_day)
        .values_list(*per_day)
        .order_by()
    )


@cache
def _week_totals_query(vendor: str) -> CompiledQuery:
    return CompiledQuery.compile(_week_totals_queryset, moments=9)


def _summed_seconds(value) -> int:
    """A summed interval as the driver returns it: a timedelta (PostgreSQL) or a number of
    microseconds (SQLite). A day after now sums to a negative number: it has nothing yet."""
    if value is None:
        return 0
    seconds = value.total_seconds() if isinstance(value, timedelta) else value / 1_000_000
    return max(int(seconds), 0)


def _week_of(user, now: datetime) -> tuple[date, list[date], list[datetime]]:
    """Today, this week's days (Monday to Sunday) and the nine moments the totals query takes:
    now, then the eight boundaries of the days."""
    zone = user.zone
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    days = [monday + timedelta(days=offset) for offset in range(7)]
    boundaries = [local_day_bounds(day, zone)[0] for day in days]
    boundaries.append(local_day_bounds(days[-1], zone)[1])
    return today, days, [now, *boundaries]


def _totals(today: date, days: list[date], row: tuple | None) -> Totals:
    day_totals = [
        DayTotal(
            day=day, seconds=_summed_seconds(row[index] if row else None), is_today=day == today
        )
        for index, day in enumerate(days)
    ]
    return Totals(
        today_seconds=next(d.seconds for d in day_totals if d.is_today),
        week_seconds=sum(d.seconds for d in day_totals),
        days=day_totals,
    )


def timer_totals(user, *, now: datetime | None = None) -> Totals:
    """Today's and this week's (Monday to Sunday) totals, and each day's: one query."""
    today, days, moments = _week_of(user, now or timezone.now())
    return _totals(today, days, _week_totals_query(connection.vendor).fetchone(user.pk, moments))


@cache
def _totals_and_notice_sql(vendor: str) -> str:
    """The week's totals and the open auto-stop notice in one statement: one row, with NULLs
    for a week without sessions and for no notice."""
    return side_by_side_sql(_week_totals_query(vendor), _auto_stop_notice_row_query(vendor))


def timer_totals_and_notice(
    user, *, now: datetime | None = None
) -> tuple[Totals, TimerNotice | None]:
    """`timer_totals` and `open_auto_stop_notice` in one query, for the dashboard, which shows
    both on every visit. A notice, when there is one, reads its session when first asked."""
    now = now or timezone.now()
    today, days, moments = _week_of(user, now)
    vendor = connection.vendor
    totals_query, notice_query = _week_totals_query(vendor), _auto_stop_notice_row_query(vendor)
    params = [
        *totals_query.params(user.pk, moments),
        *notice_query.params(user.pk, [now - AUTO_STOP_NOTICE_SHOWN_FOR]),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_totals_and_notice_sql(vendor), params)
        row = cursor.fetchone()
    width = len(days)
    notices = notice_query.instances([row[width:]] if row[width] is not None else [])
    return _totals(today, days, row[:width]), next(iter(notices), None)


def _active_session_queryset(user_id: int, moments: list[datetime]):
    return (
        WorkSession.objects.filter(user_id=user_id)
        .active()
        .with_targets()
        .order_by("-started_at")[:1]
    )


@cache
def _active_session_query(vendor: str) -> CompiledQuery:
    return CompiledQuery.compile(_active_session_queryset, moments=0)


def active_session(user) -> WorkSession | None:
    """The user's latest running session (every timer page and action reads it: compiled once)."""
    return next(iter(_active_session_query(connection.vendor).queryset(user.pk, [])), None)


# The columns the API's list of sessions writes, the target's two last.
LISTED_SESSION_COLUMNS = (
    "id",
    "started_at",
    "stopped_at",
    "duration_seconds",
    "end_reason",
    "session_type",
    "notes",
    "target_content_type_id",
    "target_id",
)


def listed_sessions(user, *, start: datetime, end: datetime, limit: int) -> QuerySet:
    """The first `limit` of the user's sessions overlapping [start, end), oldest first, as rows
    of LISTED_SESSION_COLUMNS (a list of sessions reads columns, not model instances)."""
    return (
        WorkSession.objects.for_user(user)
        .in_range(start, end)
        .order_by("started_at")
        .values_list(*LISTED_SESSION_COLUMNS)[:limit]
    )


TODAY_LIST_LIMIT = 10


def todays_sessions(
    user, *, now: datetime | None = None, limit: int | None = TODAY_LIST_LIMIT
) -> list[WorkSession]:
    """The latest `limit` (or all) sessions that overlap the user's local today, latest first, each
    annotated with `today_count`, the number of all of today's sessions (a day of many short
    sessions must not make every timer action render them all), and `running_today_count`,
    how many of them run."""
    now = now or timezone.now()
    start, end = local_day_bounds(now.astimezone(user.zone).date(), user.zone)
    return list(_todays_sessions_query(connection.vendor, limit).queryset(user.pk, [start, end]))


def active_session_among(user, todays: list[WorkSession]) -> WorkSession | None:
    """The user's latest running session, found in `todays_sessions`' list where it can be:
    every running session overlaps today and the list holds today's latest, so the latest
    running one is the first running one listed. Only a list cut short before the running
    one (sessions started after it run beside it: no switch policy) asks the database."""
    running = next((session for session in todays if session.stopped_at is None), None)
    if running is not None or not todays or not todays[0].running_today_count:
        return running
    return active_session(user)


def _todays_sessions_queryset(user_id: int, moments: list[datetime], *, limit: int | None):
    start, end = moments
    return (
        WorkSession.objects.filter(user_id=user_id)
        .in_range(start, end)
        .with_targets()
        .annotate(
            today_count=Window(Count("id")),
            running_today_count=Window(Count("id", filter=Q(stopped_at__isnull=True))),
        )
        .order_by("-started_at")[:limit]
    )


@cache
def _todays_sessions_query(vendor: str, limit: int | None) -> CompiledQuery:
    return CompiledQuery.compile(partial(_todays_sessions_queryset, limit=limit), moments=2)


def recent_targets(user, *, limit: int = 6) -> list[Target]:
    """The targets of the user's latest sessions, most recent first, that the user may still see."""
    rows = list(_recent_targets_query(connection.vendor, limit).queryset(user.pk, []))
    references = [(row["target_content_type"], row["target_id"]) for row in rows]
    found = visible_targets(user, references)
    return [found[ref] for ref in references if ref in found]


def _recent_targets_queryset(user_id: int, moments: list[datetime], *, limit: int):
    return (
        WorkSession.objects.filter(user_id=user_id)
        .exclude(target_content_type=None)
        .values("target_content_type", "target_id")
        .annotate(last_started=Max("started_at"))
        .order_by("-last_started")[:limit]
    )


@cache
def _recent_targets_query(vendor: str, limit: int) -> CompiledQuery:
    return CompiledQuery.compile(partial(_recent_targets_queryset, limit=limit), moments=0)


def is_long_running(session: WorkSession | None, *, now: datetime | None = None) -> bool:
    if session is None or not session.is_active:
        return False
    return (now or timezone.now()) - session.started_at > long_session_limit()


def timer_preferences(user) -> TimerPreferences:
    """The user's timer preferences; the defaults (nothing automatic), unsaved, if none yet."""
    return TimerPreferences.objects.filter(user=user).first() or TimerPreferences(user=user)


def next_local_time(after: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first moment strictly after `after` at which the clock in `zone` shows `at`. A time
    that a daylight-saving change skips falls the length of the gap later (02:30 becomes
    03:30); a time it repeats is its first occurrence."""
    day = after.astimezone(zone).date()
    while True:
        candidate = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if candidate > after:
            return candidate
        day += timedelta(days=1)


def auto_stop_deadline(
    session: WorkSession, preferences: TimerPreferences, zone: ZoneInfo
) -> datetime | None:
    """When the user's preferences stop `session`: N hours after its start or the first HH:MM
    after its start, whichever comes first; None when neither rule is set."""
    deadlines = []
    if preferences.auto_stop_after_hours:
        deadlines.append(session.started_at + timedelta(hours=preferences.auto_stop_after_hours))
    if preferences.auto_stop_at is not None:
        deadlines.append(next_local_time(session.started_at, preferences.auto_stop_at, zone))
    return min(deadlines, default=None)


def sessions_due_to_stop(*, now: datetime) -> list[WorkSession]:
    """The running sessions whose users' preferences say they should have stopped by `now`
    (one query)."""
    running = (
        WorkSession.objects.active()
        .filter(
            Q(user__timer_preferences__auto_stop_after_hours__isnull=False)
            | Q(user__timer_preferences__auto_stop_at__isnull=False)
        )
        .select_related("user__timer_preferences")
        .order_by("started_at")
    )
    due = []
    for session in running:
        deadline = auto_stop_deadline(session, session.user.timer_preferences, session.user.zone)
        if deadline is not None and deadline <= now:
            due.append(session)
    return due


def sessions_to_ask_about(*, now: datetime) -> list[WorkSession]:
    """The running sessions longer than the long-session limit whose users have an email address
    and have not been asked about them yet."""
    asked = TimerNotice.objects.filter(session=OuterRef("pk"), kind=NoticeKind.STILL_WORKING)
    return list(
        WorkSession.objects.active()
        .filter(started_at__lt=now - long_session_limit())
        .filter(user__is_active=True)
        .exclude(user__email="")
        .exclude(Exists(asked))
        .select_related("user")
        .order_by("started_at")
    )


AUTO_STOP_NOTICE_SHOWN_FOR = timedelta(days=7)


def open_auto_stop_notice(user, *, now: datetime | None = None) -> TimerNotice | None:
    """The latest notice that the timer stopped one of the user's sessions by itself, while it
    is unanswered, the session still stands as stopped automatically (a correction answers it
    too) and it is at most a week old (one query)."""
    now = now or timezone.now()
    notices = _auto_stop_notice_query(connection.vendor).queryset(
        user.pk, [now - AUTO_STOP_NOTICE_SHOWN_FOR]
    )
    return next(iter(notices), None)


def _auto_stop_notice_row_queryset(user_id: int, moments: list[datetime]):
    (shown_since,) = moments
    return TimerNotice.objects.filter(
        user_id=user_id,
        kind=NoticeKind.AUTO_STOPPED,
        answered_at=None,
        created_at__gte=shown_since,
        session__end_reason=EndReason.AUTO_STOPPED,
        session__deleted_at=None,
    ).order_by("-created_at")[:1]


def _auto_stop_notice_queryset(user_id: int, moments: list[datetime]):
    return _auto_stop_notice_row_queryset(user_id, moments).select_related("session")


@cache
def _auto_stop_notice_query(vendor: str) -> CompiledQuery:
    """Every page's banner asks this (the base template): compiled once."""
    return CompiledQuery.compile(_auto_stop_notice_queryset, moments=1)


@cache
def _auto_stop_notice_row_query(vendor: str) -> CompiledQuery:
    """The notice's own columns, for a statement that reads it beside something else."""
    return CompiledQuery.compile(_auto_stop_notice_row_queryset, moments=1)
