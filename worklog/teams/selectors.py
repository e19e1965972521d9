"""Reads for teams and weeks: who manages whom, a user's week and its decision trail, a team's
week as members by days, and the reminders that are due."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from decisioning.models import Decision
from worklog.teams.models import Team, TimesheetWeek, WeekState
from worklog.timer.models import WorkSession
from worklog.timer.selectors import local_day_bounds


def week_start(day: date, first_weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def managed_teams(user):
    """The teams whose pages `user` may open: those they manage; every team for a superuser
    (who unlocks weeks there, but decides only on their own teams' weeks)."""
    return Team.objects.all() if user.is_superuser else Team.objects.filter(managers=user)


def manages_user(manager, user_id) -> bool:
    """Whether `manager` manages a team that `user_id` is a member of."""
    return Team.objects.filter(managers=manager, members=user_id).exists()


def managed_team(user, pk) -> Team | None:
    return managed_teams(user).filter(pk=pk).first()


def week_of(user, day: date) -> TimesheetWeek:
    """The user's week holding `day` (in the user's week-start setting), saved or not."""
    start = week_start(day, user.week_start)
    week = TimesheetWeek.objects.filter(user=user, week_start=start).first()
    return week or TimesheetWeek(user=user, week_start=start, state=WeekState.OPEN)


def week_trail(week: TimesheetWeek) -> list[Decision]:
    """The week's decisions, oldest first."""
    if week._state.adding:
        return []
    return list(
        Decision.objects.for_target(week)
        .select_related("decided_by", "supersedes")
        .order_by("recorded_at")
    )


def previous_week_unsubmitted(user, *, today: date) -> TimesheetWeek | None:
    """Last week, when it is neither submitted nor approved (the reminder), else None; only for
    members of a team."""
    if not user.teams.exists():
        return None
    last_week = week_start(today, user.week_start) - timedelta(days=7)
    week = week_of(user, last_week)
    if week.state in (WeekState.SUBMITTED, WeekState.APPROVED):
        return None
    return week


def weeks_waiting_for(manager):
    """Submitted weeks of the manager's team members, not the manager's own."""
    return (
        TimesheetWeek.objects.filter(state=WeekState.SUBMITTED, user__teams__managers=manager)
        .exclude(user=manager)
        .select_related("user")
        .distinct()
        .order_by("week_start", "user__username")
    )


@dataclass
class MemberWeek:
    member: object
    week: TimesheetWeek
    seconds_per_day: list[int] = field(default_factory=list)

    @property
    def total_seconds(self) -> int:
        return sum(self.seconds_per_day)


@dataclass
class TeamWeek:
    team: Team
    days: list[date]
    rows: list[MemberWeek]


def _seconds_within(session, start: datetime, end: datetime, now: datetime) -> int:
    stop = session.stopped_at or max(now, session.started_at)
    return max(int((min(stop, end) - max(session.started_at, start)).total_seconds()), 0)


def team_week(team: Team, first_day: date, *, now: datetime | None = None) -> TeamWeek:
    """Each member's hours on the seven days from `first_day` (each day in the member's own
    zone) and the state of the member's week holding `first_day`. Three queries whatever the
    number of members: the members, their sessions, their weeks."""
    now = now or timezone.now()
    days = [first_day + timedelta(days=offset) for offset in range(7)]
    members = list(get_user_model().objects.filter(teams=team).order_by("username"))
    # A day a little wider than any zone's, so one query holds every member's week.
    earliest = local_day_bounds(first_day, UTC)[0] - timedelta(hours=15)
    latest = local_day_bounds(days[-1], UTC)[1] + timedelta(hours=15)
    by_member: dict = {member.pk: [] for member in members}
    for session in (
        WorkSession.objects.filter(user__in=members)
        .in_range(earliest, latest)
        .only("user_id", "started_at", "stopped_at")
    ):
        by_member[session.user_id].append(session)
    starts = {member.pk: week_start(first_day, member.week_start) for member in members}
    weeks = {
        (week.user_id, week.week_start): week
        for week in TimesheetWeek.objects.filter(user__in=members).filter(
            Q(week_start__gte=first_day - timedelta(days=6)) & Q(week_start__lte=first_day)
        )
    }
    rows = []
    for member in members:
        bounds = [local_day_bounds(day, member.zone) for day in days]
        week = weeks.get((member.pk, starts[member.pk])) or TimesheetWeek(
            user=member, week_start=starts[member.pk], state=WeekState.OPEN
        )
        rows.append(
            MemberWeek(
                member=member,
                week=week,
                seconds_per_day=[
                    sum(_seconds_within(s, start, end, now) for s in by_member[member.pk])
                    for start, end in bounds
                ],
            )
        )
    return TeamWeek(team=team, days=days, rows=rows)


DECISION_LABELS = {
    "timesheet_week.submitted": "Submitted",
    "timesheet_week.approved": "Approved",
    "timesheet_week.rejected": "Rejected",
    "timesheet_week.unlocked": "Unlocked",
    "timesheet_week.locked_change_refused": "Change refused",
}


@dataclass
class WeekPanel:
    """What the week page says about the week's approval, for `viewer` looking at `owner`'s
    week."""

    week: TimesheetWeek
    trail: list[Decision]
    reminder: TimesheetWeek | None
    can_submit: bool
    can_decide: bool
    can_unlock: bool
    read_only: bool
    manages_teams: bool


def week_panel(owner, viewer, first_day: date, *, today: date) -> WeekPanel:
    week = week_of(owner, first_day)
    trail = week_trail(week)
    for decision in trail:
        decision.label = DECISION_LABELS.get(decision.decision_type, decision.decision_type)
    read_only = owner.pk != viewer.pk
    reminder = None if read_only else previous_week_unsubmitted(owner, today=today)
    return WeekPanel(
        week=week,
        trail=trail,
        # Not on the page of the very week it is about, whose own button says it.
        reminder=reminder if reminder and reminder.week_start != first_day else None,
        can_submit=not read_only and week.state in (WeekState.OPEN, WeekState.REJECTED),
        can_decide=read_only
        and week.state == WeekState.SUBMITTED
        and manages_user(viewer, owner.pk),
        can_unlock=viewer.is_superuser and week.state == WeekState.APPROVED,
        read_only=read_only,
        manages_teams=not read_only and managed_teams(viewer).exists(),
    )
