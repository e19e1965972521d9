"""The one check every change to a user's time goes through: `ensure_not_locked` refuses a
change to time inside a locked week (approved, or before the lock period's cutoff) with
WeekLockedError, and marks a submitted week it lets through as changed since submitted. Call it
under the user's row lock (the timer's), which approving a week also takes: a change and an
approval of the same week run one after the other, never interleaved.

A refused change leaves an audit Decision ("timesheet_week.locked_change_refused").
`refuses_locked_weeks` records it after the service's transaction has rolled back, so it stays
while the change does not."""

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from functools import cache, wraps

from django.db import connection, transaction
from django.utils import timezone

from core.services import lock_users
from decisioning.models import Decision, DecisionOutcome
from decisioning.services import record_decision
from worklog.compiled import PLACEHOLDER_USER_ID, CompiledQuery, side_by_side_sql
from worklog.teams.exceptions import WeekLockedError
from worklog.teams.models import LockPeriod, TimesheetWeek, WeekState
from worklog.teams.selectors import week_start

REFUSAL_DECISION = "timesheet_week.locked_change_refused"

Span = tuple[datetime, datetime | None]


def hold_users(*users) -> None:
    """Take the users' row locks (the timer's) until the caller's transaction ends, in one
    order, for a change made outside the timer's services (the admin's form)."""
    lock_users(*(user.pk for user in users))


def _current_lock_period_queryset(user_id: int, moments: list[datetime]):
    return LockPeriod.objects.order_by("-set_at", "-pk")[:1]


@cache
def _current_lock_period_query(vendor: str) -> CompiledQuery:
    return CompiledQuery.compile(_current_lock_period_queryset, moments=0, per_user=False)


def current_lock_period() -> LockPeriod | None:
    """The lock period in force (every change to time asks: compiled once)."""
    return next(
        iter(_current_lock_period_query(connection.vendor).queryset(PLACEHOLDER_USER_ID, [])), None
    )


def _locking_weeks_queryset(user_id: int, moments: list[datetime], days: list[date]):
    """The user's approved and submitted weeks starting in (days[0], days[1]]."""
    after, through = days
    return TimesheetWeek.objects.filter(
        user_id=user_id,
        week_start__gt=after,
        week_start__lte=through,
        state__in=(WeekState.APPROVED, WeekState.SUBMITTED),
    )


@cache
def _locking_weeks_query(vendor: str) -> CompiledQuery:
    return CompiledQuery.compile(_locking_weeks_queryset, moments=0, days=2)


@cache
def _lock_state_sql(vendor: str) -> str:
    """The lock period in force and the user's locking weeks in one statement: every row has
    the period's columns (NULLs without one) and a week's (NULLs without any)."""
    return side_by_side_sql(_current_lock_period_query(vendor), _locking_weeks_query(vendor))


def _lock_state(user, after: date, through: date) -> tuple[LockPeriod | None, list[TimesheetWeek]]:
    """The lock period in force and `user`'s approved and submitted weeks starting in
    (after, through], latest first: one query."""
    vendor = connection.vendor
    period_query, weeks_query = _current_lock_period_query(vendor), _locking_weeks_query(vendor)
    params = [
        *period_query.params(PLACEHOLDER_USER_ID, []),
        *weeks_query.params(user.pk, [after, through]),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_lock_state_sql(vendor), params)
        rows = cursor.fetchall()
    width = period_query.compiler.col_count
    periods = period_query.instances([row[:width] for row in rows[:1] if row[0] is not None])
    weeks = weeks_query.instances([row[width:] for row in rows if row[width] is not None])
    weeks.sort(key=lambda week: week.week_start, reverse=True)
    return (periods[0] if periods else None), weeks


def _cutoff(period: LockPeriod | None, user, now: datetime) -> datetime | None:
    if period is None:
        return None
    return period.cutoff(user.zone, user.week_start, now.astimezone(user.zone).date())


def lock_cutoff(user, *, now: datetime | None = None) -> datetime | None:
    """The moment before which the lock period leaves `user` no change, or None."""
    return _cutoff(current_lock_period(), user, now or timezone.now())


def ensure_not_locked(user, spans: Iterable[Span], *, action: str, now=None) -> None:
    """Refuse (WeekLockedError) a change to `user`'s time that touches any of `spans` (a
    session's times before and after the change; an open end is now) where the time is locked.
    Submitted weeks the change touches are marked as changed since submitted."""
    now = now or timezone.now()
    zone = user.zone
    spans = [(start, stop or max(now, start)) for start, stop in spans]
    if not spans:
        return
    first = min(start for start, _ in spans).astimezone(zone).date() - timedelta(days=7)
    last = max(stop for _, stop in spans).astimezone(zone).date()
    period, weeks = _lock_state(user, first, last)
    cutoff = _cutoff(period, user, now)
    for start, _ in sorted(spans):
        if cutoff is not None and start < cutoff:
            raise WeekLockedError(
                user=user,
                week_start=week_start(start.astimezone(zone).date(), user.week_start),
                action=action,
                approved=False,
            )
    touched = []
    for week in weeks:
        week_from, week_to = week.bounds(zone)
        if not any(_overlaps(span, week_from, week_to) for span in spans):
            continue
        if week.state == WeekState.APPROVED:
            raise WeekLockedError(
                user=user, week_start=week.week_start, action=action, approved=True
            )
        touched.append(week.pk)
    if touched:
        TimesheetWeek.objects.filter(pk__in=touched, changed_since_submitted=False).update(
            changed_since_submitted=True
        )


def _overlaps(span: tuple[datetime, datetime], start: datetime, end: datetime) -> bool:
    # A session started this instant has no length yet, but its start is inside.
    return span[0] < end and (start < span[1] or start <= span[0])


def record_refusal(error: WeekLockedError, *, actor=None) -> None:
    """The audit record of a refused change: a Decision about the locked week. Once per error,
    unless the transaction it was written in has rolled back since: a service that calls
    another within its own transaction records the refusal again outside it."""
    if error.refusal_id and Decision.objects.filter(pk=error.refusal_id).exists():
        return
    with transaction.atomic():
        week, _ = TimesheetWeek.objects.get_or_create(user=error.user, week_start=error.week_start)
        error.refusal_id = record_decision(
            target=week,
            decision_type=REFUSAL_DECISION,
            outcome=DecisionOutcome.REJECTED,
            decided_by=actor or error.user,
            reason=str(error),
            context={"action": error.action, "user_id": error.user.pk},
        ).pk


def refuses_locked_weeks[**P, T](service: Callable[P, T]) -> Callable[P, T]:
    """Wrap a service (outside its own transaction) so that a WeekLockedError it raises is
    recorded once its writes have rolled back. Wrap every service a caller calls, including
    one that calls another within its own transaction."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return service(*args, **kwargs)
        except WeekLockedError as error:
            record_refusal(error)
            raise

    return run
