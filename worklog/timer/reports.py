"""Reports of timer time: a period of the user's local days, and the time their sessions spent in
it, grouped by target, target type, client, project, session type and day, optionally rounded.

A report's unit is an *entry*: a session's part within one local day. A session across midnight
makes one entry on each day, so every day holds exactly the time worked in it (23- and 25-hour days
included), and rounding "each session" rounds each entry. The database sums the entries of
sessions inside one day; the few that cross midnight (at most one per night, as sessions do not
overlap) are split here. Exports read the sessions in keyset-paginated chunks, never all at once.
"""

import calendar
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Ceil, Coalesce, Floor, Greatest, Least, TruncDate
from django.utils import timezone

from core.validators import EARLIEST_YEAR, LATEST_YEAR
from worklog.targets import target_placements, target_type_for_model
from worklog.timer.models import TimerPreferences, WorkSession
from worklog.timer.selectors import local_day_bounds

MAX_REPORT_DAYS = 3 * 366


class PeriodKind(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    YEAR = "year", "Year"
    CUSTOM = "custom", "Custom range"


class Preset(models.TextChoices):
    TODAY = "today", "Today"
    YESTERDAY = "yesterday", "Yesterday"
    THIS_WEEK = "this_week", "This week"
    LAST_WEEK = "last_week", "Last week"
    THIS_MONTH = "this_month", "This month"
    LAST_MONTH = "last_month", "Last month"
    THIS_YEAR = "this_year", "This year"
    LAST_YEAR = "last_year", "Last year"


@dataclass(frozen=True)
class Period:
    """The closed range of local days [first_day, last_day] a report covers."""

    kind: str
    first_day: date
    last_day: date

    @property
    def days(self) -> list[date]:
        length = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=offset) for offset in range(length)]

    @property
    def label(self) -> str:
        first, last = self.first_day, self.last_day
        if self.kind == PeriodKind.DAY:
            return f"{first:%A %-d %B %Y}"
        if self.kind == PeriodKind.MONTH:
            return f"{first:%B %Y}"
        if self.kind == PeriodKind.YEAR:
            return f"{first:%Y}"
        if first.year != last.year:
            return f"{first:%-d %B %Y} – {last:%-d %B %Y}"
        if first.month != last.month:
            return f"{first:%-d %B} – {last:%-d %B %Y}"
        return f"{first:%-d} – {last:%-d %B %Y}"

    def shifted(self, steps: int) -> "Period":
        """The period `steps` periods of the same kind (and length) later, or earlier."""
        if self.kind == PeriodKind.MONTH:
            month = self.first_day.year * 12 + self.first_day.month - 1 + steps
            return _month(PeriodKind.MONTH, date(month // 12, month % 12 + 1, 1))
        if self.kind == PeriodKind.YEAR:
            year = self.first_day.year + steps
            return Period(self.kind, date(year, 1, 1), date(year, 12, 31))
        shift = timedelta(days=((self.last_day - self.first_day).days + 1) * steps)
        return Period(self.kind, self.first_day + shift, self.last_day + shift)

    def is_supported(self) -> bool:
        return self.first_day.year >= EARLIEST_YEAR and self.last_day.year <= LATEST_YEAR


def _month(kind: str, anchor: date) -> Period:
    last = calendar.monthrange(anchor.year, anchor.month)[1]
    return Period(kind, anchor.replace(day=1), anchor.replace(day=last))


def period_of(kind: str, anchor: date, *, week_start: int = 0) -> Period:
    """The day, week (starting on `week_start`, 0 = Monday), month or year holding `anchor`."""
    if kind == PeriodKind.DAY:
        return Period(kind, anchor, anchor)
    if kind == PeriodKind.WEEK:
        first = anchor - timedelta(days=(anchor.weekday() - week_start) % 7)
        return Period(kind, first, first + timedelta(days=6))
    if kind == PeriodKind.MONTH:
        return _month(kind, anchor)
    if kind == PeriodKind.YEAR:
        return Period(kind, date(anchor.year, 1, 1), date(anchor.year, 12, 31))
    raise ValueError(f"not a period of one kind: {kind!r}")


PRESETS: dict[str, tuple[str, Callable[[date], date]]] = {
    Preset.TODAY: (PeriodKind.DAY, lambda today: today),
    Preset.YESTERDAY: (PeriodKind.DAY, lambda today: today - timedelta(days=1)),
    Preset.THIS_WEEK: (PeriodKind.WEEK, lambda today: today),
    Preset.LAST_WEEK: (PeriodKind.WEEK, lambda today: today - timedelta(days=7)),
    Preset.THIS_MONTH: (PeriodKind.MONTH, lambda today: today),
    Preset.LAST_MONTH: (PeriodKind.MONTH, lambda today: today.replace(day=1) - timedelta(days=1)),
    Preset.THIS_YEAR: (PeriodKind.YEAR, lambda today: today),
    Preset.LAST_YEAR: (PeriodKind.YEAR, lambda today: date(today.year - 1, 1, 1)),
}


def report_period(
    *,
    today: date,
    week_start: int = 0,
    preset: str = "",
    kind: str = "",
    anchor: date | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Period:
    """The period a report's filters name: a preset; else a custom range (`start` to `end`,
    the kind chosen when only they are given); else the day, week, month or year (the week by
    default) holding `anchor`, or today. Raises ValidationError naming the field at fault."""
    if preset:
        if preset not in PRESETS:
            raise ValidationError({"preset": f"Unknown preset {preset!r}."})
        kind, shift = PRESETS[preset]
        return period_of(kind, shift(today), week_start=week_start)
    if not kind:
        kind = PeriodKind.CUSTOM if start or end else PeriodKind.WEEK
    if kind not in PeriodKind.values:
        raise ValidationError({"period": f"Unknown period {kind!r}."})
    if kind == PeriodKind.CUSTOM:
        if start is None or end is None:
            raise ValidationError({"start": "Give both the first and the last day."})
        if end < start:
            raise ValidationError({"end": "The last day cannot be before the first."})
        if (end - start).days >= MAX_REPORT_DAYS:
            raise ValidationError({"end": "A report covers at most three years."})
        period = Period(kind, start, end)
    else:
        period = period_of(kind, anchor or today, week_start=week_start)
    if not period.is_supported():
        raise ValidationError(
            {"date": f"Give dates between the years {EARLIEST_YEAR} and {LATEST_YEAR}."}
        )
    return period


class RoundingMode(models.TextChoices):
    UP = "up", "up to"
    DOWN = "down", "down to"
    NEAREST = "nearest", "to the nearest"


class RoundingScope(models.TextChoices):
    ENTRIES = "entries", "each session"
    TOTALS = "totals", "the totals"


ROUNDING_MINUTES = (0, 5, 6, 10, 15, 30)


@dataclass(frozen=True)
class Rounding:
    """Round each entry (a session's part of a day), or each total, to `minutes`; 0 keeps the
    time as tracked. Nearest rounds half up."""

    minutes: int = 0
    mode: str = RoundingMode.NEAREST
    scope: str = RoundingScope.ENTRIES

    def __post_init__(self):
        if self.minutes not in ROUNDING_MINUTES:
            raise ValidationError({"rounding": f"Round to one of {ROUNDING_MINUTES} minutes."})
        if self.mode not in RoundingMode.values:
            raise ValidationError({"rounding_mode": f"Unknown rounding {self.mode!r}."})
        if self.scope not in RoundingScope.values:
            raise ValidationError({"rounding_scope": f"Unknown rounding of {self.scope!r}."})

    def __str__(self) -> str:
        if not self.minutes:
            return "Not rounded: the time as tracked, to the second."
        what = (
            "Each session's time (each day's part of one across midnight) is"
            if self.scope == RoundingScope.ENTRIES
            else "Each total is"
        )
        return f"{what} rounded {RoundingMode(self.mode).label} {self.minutes} minutes."

    @property
    def unit(self) -> int:
        return self.minutes * 60

    @property
    def rounds_totals(self) -> bool:
        return bool(self.minutes) and self.scope == RoundingScope.TOTALS

    def _round(self, seconds: int) -> int:
        if not self.minutes:
            return seconds
        if self.mode == RoundingMode.UP:
            return -(-seconds // self.unit) * self.unit
        if self.mode == RoundingMode.DOWN:
            return seconds // self.unit * self.unit
        return (seconds + self.unit // 2) // self.unit * self.unit

    def entry(self, seconds: int) -> int:
        return self._round(seconds) if self.scope == RoundingScope.ENTRIES else seconds

    def total(self, seconds: int) -> int:
        return self._round(seconds) if self.scope == RoundingScope.TOTALS else seconds

    def entry_in_database(self, seconds):
        """`entry()` as an SQL expression over whole `seconds`."""
        if not self.minutes or self.scope != RoundingScope.ENTRIES:
            return seconds
        unit = Value(float(self.unit))
        if self.mode == RoundingMode.UP:
            return Ceil(seconds / unit) * unit
        if self.mode == RoundingMode.DOWN:
            return Floor(seconds / unit) * unit
        return Floor((seconds + Value(self.unit / 2)) / unit) * unit


class Seconds(Func):
    """A duration as a number of seconds: PostgreSQL subtracts timestamps into an interval, the
    other backends into a number of microseconds."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        if connection.features.has_native_duration_field:
            template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
        else:
            template = "(%(expressions)s / 1000000.0)"
        return super().as_sql(compiler, connection, template=template, **extra_context)


# -- the report ----------------------------------------------------------------------------------

Reference = tuple[int | None, str]  # (target content type id, target id); (None, "") for none


@dataclass(frozen=True)
class ReportTarget:
    """How a report names a session's target, and where it counts."""

    key: str
    label: str
    type_key: str
    type_label: str
    client: str = ""
    project: str = ""


NO_TARGET = ReportTarget(key="", label="No target", type_key="", type_label="No target")
NO_CLIENT, NO_PROJECT, NO_TYPE = "No client", "No project", "No type"


@dataclass(frozen=True)
class ReportRow:
    label: str
    seconds: int
    key: str = ""

    @property
    def hours(self) -> str:
        return f"{self.seconds / 3600:.2f}"


@dataclass(frozen=True)
class DayRow:
    day: date
    seconds: int

    @property
    def hours(self) -> str:
        return f"{self.seconds / 3600:.2f}"


@dataclass(frozen=True)
class TimerReport:
    user_id: int
    zone: ZoneInfo
    period: Period
    rounding: Rounding
    as_of: datetime  # a running session counts up to this moment
    total_seconds: int
    session_count: int
    by_target: list[ReportRow]
    by_target_type: list[ReportRow]
    by_client: list[ReportRow]
    by_project: list[ReportRow]
    by_session_type: list[ReportRow]
    by_day: list[DayRow]
    targets: dict[Reference, ReportTarget]
    # A team's report: its members' sessions, in the zone of `user_id`, who runs it.
    member_ids: tuple[int, ...] = ()

    @property
    def total_hours(self) -> str:
        return f"{self.total_seconds / 3600:.2f}"

    def target(self, reference: Reference) -> ReportTarget:
        return self.targets.get(reference) or _unavailable(reference)


def day_boundaries(period: Period, zone: ZoneInfo) -> list[datetime]:
    """The UTC start of each local day of `period`, then the end of its last day."""
    days = period.days
    starts = [local_day_bounds(day, zone)[0] for day in days]
    return [*starts, local_day_bounds(days[-1], zone)[1]]


def _aware(value: datetime) -> Value:
    return Value(value, output_field=DateTimeField())


def _period_sessions(user, start: datetime, end: datetime, now: datetime, members=()):
    """The user's (undeleted) sessions, or those of `members` if given, that overlap
    [start, end) and have begun by `now`."""
    owners = Q(user__in=members) if members else Q(user=user)
    return (
        WorkSession.objects.filter(owners)
        .filter(started_at__lt=min(end, now))
        .filter(Q(stopped_at__isnull=True) | Q(stopped_at__gt=start))
    )


def _entries(user, start: datetime, end: datetime, now: datetime, members=()):
    """The sessions in the period with each one's part inside it: `entry_start`, `entry_end`,
    the local days these fall on and `entry_seconds`, truncated to whole seconds."""
    entry_start = Greatest(F("started_at"), _aware(start))
    entry_end = Least(Coalesce(F("stopped_at"), _aware(now)), _aware(end))
    length = ExpressionWrapper(F("entry_end") - F("entry_start"), output_field=DurationField())
    return (
        _period_sessions(user, start, end, now, members)
        .annotate(entry_start=entry_start, entry_end=entry_end)
        .annotate(
            start_day=TruncDate("entry_start", tzinfo=user.zone),
            end_day=TruncDate("entry_end", tzinfo=user.zone),
            entry_seconds=Floor(Seconds(length)),
        )
    )


def split_by_day(start: datetime, end: datetime, boundaries: list[datetime]):
    """(day index, part start, part end) of [start, end) within each day that `boundaries`
    (day starts, then the last day's end) delimit; empty parts are left out."""
    start, end = max(start, boundaries[0]), min(end, boundaries[-1])
    index = bisect_right(boundaries, start) - 1
    while index < len(boundaries) - 1 and boundaries[index] < end:
        part_start = max(start, boundaries[index])
        part_end = min(end, boundaries[index + 1])
        if part_end > part_start:
            yield index, part_start, part_end
        index += 1


def _whole_seconds(delta: timedelta) -> int:
    return delta // timedelta(seconds=1)


def _unavailable(reference: Reference) -> ReportTarget:
    content_type_id, object_id = reference
    if not content_type_id:
        return NO_TARGET
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    target_type = target_type_for_model(model) if model else None
    type_key = model._meta.label_lower if model else ""
    type_label = target_type.label if target_type else type_key or "Unknown"
    return ReportTarget(
        key=f"{type_key}:{object_id}",
        label=f"{type_label} (no longer available)",
        type_key=type_key,
        type_label=type_label,
    )


def _describe_targets(user, references: Collection[Reference]) -> dict[Reference, ReportTarget]:
    """A ReportTarget per reference, with one query per target type among them."""
    placements = target_placements(user, references)
    described = {}
    for reference in references:
        placement = placements.get(reference)
        if placement is None:
            described[reference] = _unavailable(reference)
            continue
        model = ContentType.objects.get_for_id(reference[0]).model_class()
        target_type = target_type_for_model(model)
        described[reference] = ReportTarget(
            key=f"{target_type.key}:{reference[1]}",
            label=placement.label,
            type_key=target_type.key,
            type_label=target_type.label,
            client=placement.client,
            project=placement.project,
        )
    return described


def _rows(sums: dict[tuple[str, str], int], rounding: Rounding) -> list[ReportRow]:
    rows = [ReportRow(label, rounding.total(total), key) for (key, label), total in sums.items()]
    return sorted(rows, key=lambda row: (-row.seconds, row.label.casefold()))


def timer_report(
    user,
    *,
    period: Period,
    rounding: Rounding = Rounding(),
    now: datetime | None = None,
    members: Collection[int] = (),
) -> TimerReport:
    """The user's timer time in `period`, or that of `members` (a team's, for its manager),
    grouped every way a report shows it: two queries for the entries (those inside one day
    summed by the database, those across midnight read to be split), and one per target type
    among them."""
    now = now or timezone.now()
    days = period.days
    boundaries = day_boundaries(period, user.zone)
    members = tuple(members)
    entries = _entries(user, boundaries[0], boundaries[-1], now, members)
    # (reference, session type, day) -> seconds, each entry rounded first if so chosen.
    seconds: dict[tuple[Reference, str, date], int] = defaultdict(int)
    within_one_day = (
        entries.filter(start_day=F("end_day"))
        .values("target_content_type_id", "target_id", "session_type", "start_day")
        .annotate(seconds=Sum(rounding.entry_in_database(F("entry_seconds"))), sessions=Count("id"))
        .order_by()
    )
    session_count = 0
    for row in within_one_day:
        reference = (row["target_content_type_id"], row["target_id"])
        seconds[(reference, row["session_type"], row["start_day"])] += int(row["seconds"])
        session_count += row["sessions"]
    across_midnight = entries.exclude(start_day=F("end_day")).values_list(
        "target_content_type_id", "target_id", "session_type", "entry_start", "entry_end"
    )
    for content_type_id, target_id, session_type, part_start, part_end in across_midnight:
        session_count += 1
        for index, day_start, day_end in split_by_day(part_start, part_end, boundaries):
            key = ((content_type_id, target_id), session_type, days[index])
            seconds[key] += rounding.entry(_whole_seconds(day_end - day_start))

    targets = _describe_targets(user, {reference for reference, _, _ in seconds})
    by_target, by_type, by_client, by_project, by_session_type, by_day = (
        defaultdict(int) for _ in range(6)
    )
    for (reference, session_type, day), amount in seconds.items():
        target = targets[reference]
        by_target[(target.key, target.label)] += amount
        by_type[(target.type_key, target.type_label)] += amount
        by_client[(target.client, target.client or NO_CLIENT)] += amount
        project = f"{target.client} / {target.project}" if target.project else ""
        by_project[(project, project or NO_PROJECT)] += amount
        by_session_type[(session_type, session_type or NO_TYPE)] += amount
        by_day[day] += amount
    return TimerReport(
        user_id=user.pk,
        zone=user.zone,
        period=period,
        rounding=rounding,
        as_of=now,
        total_seconds=rounding.total(sum(seconds.values())),
        session_count=session_count,
        by_target=_rows(by_target, rounding),
        by_target_type=_rows(by_type, rounding),
        by_client=_rows(by_client, rounding),
        by_project=_rows(by_project, rounding),
        by_session_type=_rows(by_session_type, rounding),
        by_day=[DayRow(day, rounding.total(by_day.get(day, 0))) for day in days],
        targets=targets,
        member_ids=members,
    )


# -- entries, for exports ------------------------------------------------------------------------

ENTRY_CHUNK = 2000


@dataclass(slots=True)
class Entry:
    """One row of an export: a session's part of one local day."""

    day: date
    start: datetime  # local
    end: datetime  # local
    seconds: int  # rounded when the report rounds each session
    target: ReportTarget
    session_type: str
    notes: str

    @property
    def hours(self) -> float:
        return self.seconds / 3600


def report_entries(report: TimerReport, *, chunk: int = ENTRY_CHUNK) -> Iterator[Entry]:
    """The report's entries in time order, read `chunk` sessions at a time with keyset
    pagination on (started_at, id): constant memory whatever the period holds, and no
    server-side cursor, which a transaction-mode connection pooler would not keep open."""
    boundaries = day_boundaries(report.period, report.zone)
    days = report.period.days
    zone = report.zone
    sessions = (
        _period_sessions(
            report.user_id, boundaries[0], boundaries[-1], report.as_of, report.member_ids
        )
        .order_by("started_at", "id")
        .values_list(
            "id",
            "started_at",
            "stopped_at",
            "target_content_type_id",
            "target_id",
            "session_type",
            "notes",
        )
    )
    page = sessions
    while rows := list(page[:chunk]):
        for _, started_at, stopped_at, content_type_id, target_id, session_type, notes in rows:
            target = report.target((content_type_id, target_id))
            for index, part_start, part_end in split_by_day(
                started_at, stopped_at or report.as_of, boundaries
            ):
                yield Entry(
                    day=days[index],
                    start=part_start.astimezone(zone),
                    end=part_end.astimezone(zone),
                    seconds=report.rounding.entry(_whole_seconds(part_end - part_start)),
                    target=target,
                    session_type=session_type,
                    notes=notes,
                )
        if len(rows) < chunk:
            return
        last_id, last_started = rows[-1][0], rows[-1][1]
        page = sessions.filter(started_at__gte=last_started).filter(
            Q(started_at__gt=last_started) | Q(id__gt=last_id)
        )


# -- the columns an export shows -----------------------------------------------------------------

REPORT_COLUMNS = {
    "date": "Date",
    "start": "Start",
    "end": "End",
    "hours": "Hours",
    "duration": "Duration",
    "target": "Target",
    "target_type": "Target type",
    "client": "Client",
    "project": "Project",
    "session_type": "Type",
    "notes": "Notes",
}
DEFAULT_REPORT_COLUMNS = [key for key in REPORT_COLUMNS if key != "duration"]


def report_columns(user) -> list[str]:
    """The columns the user last chose for an export, or the default set."""
    chosen = (
        TimerPreferences.objects.filter(user=user).values_list("report_columns", flat=True).first()
    )
    known = [key for key in REPORT_COLUMNS if key in (chosen or [])]
    return known or list(DEFAULT_REPORT_COLUMNS)


# -- time on given targets, for the journal's reports --------------------------------------------


def seconds_by_target(
    user, *, first_day: date, last_day: date, target_models: Collection[type[models.Model]]
) -> dict[tuple[type[models.Model], str], int]:
    """The seconds the user's sessions on objects of `target_models` spent inside the local days
    `first_day` to `last_day`, per object: one query."""
    zone = user.zone
    start, end = local_day_bounds(first_day, zone)[0], local_day_bounds(last_day, zone)[1]
    content_types = ContentType.objects.get_for_models(*target_models)
    model_of = {content_type.pk: model for model, content_type in content_types.items()}
    rows = (
        _entries(user, start, end, timezone.now())
        .filter(target_content_type__in=model_of)
        .values("target_content_type_id", "target_id")
        .annotate(seconds=Sum("entry_seconds"))
        .order_by()
    )
    return {
        (model_of[row["target_content_type_id"]], row["target_id"]): int(row["seconds"])
        for row in rows
    }
