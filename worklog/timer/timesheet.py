"""Reads for the timesheet: a week as a grid of targets by days with its sessions listed day by
day, and a day with a timeline. Days are the user's local days, 23 or 25 hours long across a
daylight-saving change; a session across midnight counts on both days. One query for the
sessions and one per target type for their targets, whatever the week holds."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from core.display import display_name
from worklog.targets import target_type_for_model
from worklog.timer.models import WorkSession
from worklog.timer.selectors import local_day_bounds

TIMELINE_WIDTH = 1000


def week_start(day: date, first_weekday: int) -> date:
    """The first day of the week holding `day`, for weeks starting on `first_weekday` (0 Monday)."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def _seconds_within(session: WorkSession, start: datetime, end: datetime, now: datetime) -> int:
    stop = session.stopped_at or max(now, session.started_at)
    return max(int((min(stop, end) - max(session.started_at, start)).total_seconds()), 0)


def _target_labels(session: WorkSession) -> tuple[str, str]:
    """(the target's name, its kind) as the timesheet shows them."""
    if not session.target_content_type_id:
        return "No target", ""
    model = session.target_content_type.model_class()
    target_type = target_type_for_model(model) if model else None
    kind = target_type.label if target_type else session.target_content_type.name.capitalize()
    target = session.target
    return (display_name(target) if target is not None else "Deleted target"), kind


def _add_clock_times(session: WorkSession, zone) -> None:
    """The local times a session's row shows, written once here rather than by a template
    filter per use: a week's rows are many ('D j M, H:i' as Django writes it in English)."""
    started = session.started_at.astimezone(zone)
    session.start_clock = f"{started:%H:%M}"
    session.start_moment = f"{started:%a} {started.day} {started:%b}, {started:%H:%M}"
    session.stop_clock = (
        f"{session.stopped_at.astimezone(zone):%H:%M}" if session.stopped_at else ""
    )


@dataclass
class TimesheetDay:
    day: date
    start: datetime
    end: datetime
    is_today: bool
    seconds: int = 0
    # The sessions that started on this day (the first day also takes those from before it).
    sessions: list[WorkSession] = field(default_factory=list)
    # Every session with time on this day, for its timeline.
    overlapping: list[WorkSession] = field(default_factory=list)


@dataclass
class GridRow:
    label: str
    kind: str
    days: list[date]
    seconds_per_day: list[int]

    @property
    def total_seconds(self) -> int:
        return sum(self.seconds_per_day)

    @property
    def cells(self) -> list[tuple[date, int]]:
        return list(zip(self.days, self.seconds_per_day, strict=True))


@dataclass
class Timesheet:
    days: list[TimesheetDay]
    rows: list[GridRow]

    @property
    def first_day(self) -> date:
        return self.days[0].day

    @property
    def total_seconds(self) -> int:
        return sum(day.seconds for day in self.days)

    @property
    def sessions(self) -> list[WorkSession]:
        return [session for day in self.days for session in day.sessions]


def timesheet(user, first_day: date, day_count: int, *, now: datetime | None = None) -> Timesheet:
    """The user's sessions on `day_count` local days from `first_day`: per day, per target
    (rows sorted by time spent, "No target" last) and listed day by day."""
    now = now or timezone.now()
    zone = user.zone
    today = now.astimezone(zone).date()
    days = [
        TimesheetDay(day, *local_day_bounds(day, zone), is_today=day == today)
        for day in (first_day + timedelta(days=offset) for offset in range(day_count))
    ]
    sessions = (
        WorkSession.objects.for_user(user)
        .in_range(days[0].start, days[-1].end)
        .with_targets()
        .order_by("started_at", "pk")
    )
    rows: dict[tuple, GridRow] = {}
    for session in sessions:
        _add_clock_times(session, zone)
        label, kind = _target_labels(session)
        session.target_label, session.target_kind = label, kind
        row = rows.setdefault(
            (session.target_content_type_id, session.target_id),
            GridRow(label, kind, [day.day for day in days], [0] * day_count),
        )
        home = days[0]
        for index, day in enumerate(days):
            seconds = _seconds_within(session, day.start, day.end, now)
            row.seconds_per_day[index] += seconds
            day.seconds += seconds
            if seconds or day.start <= session.started_at < day.end:
                day.overlapping.append(session)
            if day.start <= session.started_at:
                home = day
        home.sessions.append(session)
    ordered = sorted(
        rows.items(), key=lambda item: (item[0][0] is None, -item[1].total_seconds, item[1].label)
    )
    return Timesheet(days=days, rows=[row for _, row in ordered])


def week_timesheet(user, day: date, *, now: datetime | None = None) -> Timesheet:
    return timesheet(user, week_start(day, user.week_start), 7, now=now)


@dataclass(frozen=True)
class TimelineBlock:
    x: float
    width: float
    title: str
    running: bool = False


@dataclass(frozen=True)
class TimelineTick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    width: int
    blocks: list[TimelineBlock]
    gaps: list[TimelineBlock]
    ticks: list[TimelineTick]


def _clock(moment: datetime, zone) -> str:
    return f"{moment.astimezone(zone):%H:%M}"


def day_timeline(day: TimesheetDay, zone, *, now: datetime | None = None) -> Timeline:
    """Where the day's tracked time sits, in SVG units across the whole local day, and the gaps
    between its first start and its last stop. A tick marks every third local hour."""
    now = now or timezone.now()
    length = (day.end - day.start).total_seconds()

    def x_of(moment: datetime) -> float:
        return round(
            (min(max(moment, day.start), day.end) - day.start).total_seconds()
            / length
            * TIMELINE_WIDTH,
            2,
        )

    blocks, covered = [], []
    for session in day.overlapping:
        stop = session.stopped_at or max(now, session.started_at)
        start_x, stop_x = x_of(session.started_at), x_of(stop)
        end_label = _clock(stop, zone) if session.stopped_at else "now"
        blocks.append(
            TimelineBlock(
                start_x,
                max(round(stop_x - start_x, 2), 0.5),
                f"{_clock(session.started_at, zone)}–{end_label} {session.target_label}",
                running=session.stopped_at is None,
            )
        )
        covered.append((max(session.started_at, day.start), min(stop, day.end)))
    gaps = []
    covered.sort()
    reach = covered[0][1] if covered else None
    for start, stop in covered[1:]:
        if start > reach:
            minutes = int((start - reach).total_seconds() // 60)
            gaps.append(
                TimelineBlock(
                    x_of(reach),
                    round(x_of(start) - x_of(reach), 2),
                    f"Untracked {_clock(reach, zone)}–{_clock(start, zone)} ({minutes} min)",
                )
            )
        reach = max(reach, stop)
    ticks = []
    moment = day.start
    while moment < day.end:
        local = moment.astimezone(zone)
        if local.minute == 0 and local.hour % 3 == 0:
            ticks.append(TimelineTick(x_of(moment), f"{local:%H}"))
        moment += timedelta(hours=1)
    return Timeline(TIMELINE_WIDTH, blocks, gaps, ticks)
