"""Reads the journal's pages need: a user's hierarchy for the pickers, the filtered list of
work logs, and the totals and rows of a report, each in a fixed number of queries."""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.urls import reverse

from worklog.journal.models import (
    Client,
    Epic,
    Feature,
    Project,
    SignalStatus,
    Sprint,
    Story,
    Task,
    WorkLog,
    WorkLogBullet,
    WorkLogPreset,
    WorkLogReport,
    WorkLogStatus,
)
from worklog.targets import TargetPlacement
from worklog.timer.models import WorkSession
from worklog.timer.reports import seconds_by_target


def clients_for(user) -> QuerySet[Client]:
    return Client.objects.for_user(user)


def projects_for(user) -> QuerySet[Project]:
    return Project.objects.for_user(user).select_related("client")


def sprints_for(user) -> QuerySet[Sprint]:
    return Sprint.objects.for_user(user).select_related("project")


def epics_for(user) -> QuerySet[Epic]:
    return Epic.objects.for_user(user).select_related("project")


def features_for(user) -> QuerySet[Feature]:
    return Feature.objects.for_user(user).select_related("epic")


def stories_for(user) -> QuerySet[Story]:
    return Story.objects.for_user(user).select_related("feature")


def tasks_for(user) -> QuerySet[Task]:
    return Task.objects.for_user(user).select_related("story")


def hierarchy_tree(user) -> QuerySet[Client]:
    """The user's clients with every level below them, in one query per level."""
    return clients_for(user).prefetch_related(
        "projects__sprints", "projects__epics__features__stories__tasks"
    )


# The pickers below each level: changing a level clears them, as they may no longer fit.
PICKER_DESCENDANTS = {
    "client": ("project", "sprint", "epic", "feature", "story", "task"),
    "project": ("sprint", "epic", "feature", "story", "task"),
    "epic": ("feature", "story", "task"),
    "feature": ("story", "task"),
    "story": ("task",),
    "sprint": (),
    "task": (),
}
PICKER_MODELS = {
    "client": Client,
    "project": Project,
    "sprint": Sprint,
    "epic": Epic,
    "feature": Feature,
    "story": Story,
    "task": Task,
}


def picker_choices(user, chosen: dict, changed: str) -> dict:
    """The pickers' values after `changed` was picked: the levels above follow the picked node
    (a task fills in its story, feature, epic, project and client), those below are cleared."""
    chosen = dict(chosen)
    if changed not in PICKER_MODELS:
        return chosen
    for name in PICKER_DESCENDANTS[changed]:
        chosen[name] = None
    node = PICKER_MODELS[changed].objects.for_user(user).filter(pk=chosen.get(changed)).first()
    while node is not None and node.parent_field:
        parent = node.parent
        chosen[node.parent_field] = parent.pk
        node = parent
    return chosen


def presets_for(user) -> QuerySet[WorkLogPreset]:
    return WorkLogPreset.objects.for_user(user).select_related("client", "project")


def worklogs_for(user) -> QuerySet[WorkLog]:
    return WorkLog.objects.for_user(user).with_hierarchy()


def worklog_detail(user) -> QuerySet[WorkLog]:
    return worklogs_for(user).prefetch_related(
        "external_links", "attachments", "skill_signals", "bullets"
    )


def reports_for(user) -> QuerySet[WorkLogReport]:
    return WorkLogReport.objects.for_user(user).select_related(
        "user", "client", "project", "sprint"
    )


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True)
class ListFilters:
    client: Client | None = None
    project: Project | None = None
    sprint: Sprint | None = None
    status: str = ""
    work_type: str = ""
    tag: str = ""
    text: str = ""


ALL_STATUSES = "all"


def filter_by_status(worklogs: QuerySet[WorkLog], status: str | None) -> QuerySet[WorkLog]:
    """Logs of `status`; of any status with "all"; with none given, all but archived ones."""
    if not status:
        return worklogs.current()
    if status == ALL_STATUSES:
        return worklogs
    return worklogs.filter(status=status)


def filter_worklogs(worklogs: QuerySet[WorkLog], filters: ListFilters) -> QuerySet[WorkLog]:
    worklogs = filter_by_status(worklogs, filters.status)
    for field in ("client", "project", "sprint", "work_type"):
        value = getattr(filters, field)
        if value:
            worklogs = worklogs.filter(**{field: value})
    if filters.tag:
        # Tags are stored as a JSON list of lower-case words; the quotes match a whole tag.
        worklogs = worklogs.filter(tags__icontains=f'"{filters.tag.strip().lower()}"')
    if filters.text:
        worklogs = worklogs.filter(
            Q(title__icontains=filters.text)
            | Q(content__icontains=filters.text)
            | Q(outcome__icontains=filters.text)
            | Q(impact__icontains=filters.text)
        )
    return worklogs


@dataclass(frozen=True)
class DayGroup:
    day: date
    worklogs: list[WorkLog]

    @property
    def minutes(self) -> int:
        return sum(worklog.effort_minutes for worklog in self.worklogs)


def group_by_day(worklogs, start: date, end: date) -> list[DayGroup]:
    """One group per day of [start, end], newest first, empty days included."""
    by_day: dict[date, list[WorkLog]] = {}
    for worklog in worklogs:
        by_day.setdefault(worklog.occurred_on, []).append(worklog)
    days = (end - start).days + 1
    return [
        DayGroup(day, by_day.get(day, []))
        for day in (end - timedelta(days=offset) for offset in range(days))
    ]


def period_totals(worklogs: QuerySet[WorkLog]) -> dict:
    return worklogs.order_by().aggregate(
        count=Count("pk"),
        minutes=Coalesce(Sum("effort_minutes"), 0),
        billable_minutes=Coalesce(Sum("effort_minutes", filter=Q(is_billable=True)), 0),
    )


@dataclass(frozen=True)
class TotalRow:
    label: str
    minutes: int
    billable_minutes: int

    @property
    def hours(self) -> str:
        return f"{self.minutes / 60:.2f}"

    @property
    def billable_hours(self) -> str:
        return f"{self.billable_minutes / 60:.2f}"


@dataclass(frozen=True)
class WeekBar:
    week_start: date
    minutes: int


@dataclass
class ReportData:
    worklogs: list[WorkLog]
    totals: dict
    by_client: list[TotalRow]
    by_project: list[TotalRow]
    by_work_type: list[TotalRow]
    weeks: list[WeekBar]
    highlights: list[WorkLogBullet]
    tracked_seconds: int
    statuses: list[str] | None = None

    @property
    def statuses_label(self) -> str:
        """ "Draft, Ready, Final"; empty for a report over every status."""
        if self.statuses is None:
            return ""
        return ", ".join(STATUS_LABELS.get(status, status) for status in self.statuses)

    @property
    def tracked_hours(self) -> str:
        return f"{self.tracked_seconds / 3600:.2f}"


def report_statuses(report: WorkLogReport) -> list[str] | None:
    """The statuses a report covers; None for a report made before reports filtered by status
    (it covered every log, and still does, so that it reads as it did)."""
    return report.metadata.get("statuses")


def report_worklogs(report: WorkLogReport) -> QuerySet[WorkLog]:
    worklogs = WorkLog.objects.for_user(report.user_id).in_period(
        report.period_start, report.period_end
    )
    statuses = report_statuses(report)
    if statuses is not None:
        worklogs = worklogs.filter(status__in=statuses)
    for field in ("client", "project", "sprint"):
        value = getattr(report, f"{field}_id")
        if value:
            worklogs = worklogs.filter(**{f"{field}_id": value})
    return worklogs


def _grouped(worklogs: QuerySet[WorkLog], fields: tuple[str, ...], label_of) -> list[TotalRow]:
    rows = (
        worklogs.order_by()
        .values(*fields)
        .annotate(
            minutes=Coalesce(Sum("effort_minutes"), 0),
            billable_minutes=Coalesce(Sum("effort_minutes", filter=Q(is_billable=True)), 0),
        )
        .order_by("-minutes", *fields)
    )
    return [TotalRow(label_of(row), row["minutes"], row["billable_minutes"]) for row in rows]


REPORT_ROW_FIELDS = (
    "occurred_on",
    "title",
    "content",
    "work_type",
    "status",
    "effort_minutes",
    "is_billable",
    "tags",
    "client__name",
    "project__name",
    "sprint__name",
    "task__name",
)
WORK_TYPE_LABELS = dict(WorkLog._meta.get_field("work_type").choices)
STATUS_LABELS = dict(WorkLogStatus.choices)


def report_data(report: WorkLogReport) -> ReportData:
    """Everything a report shows, aggregated by the database: seven queries whatever the size."""
    worklogs = report_worklogs(report)
    week_rows = (
        worklogs.order_by()
        .annotate(week=TruncWeek("occurred_on"))
        .values("week")
        .annotate(minutes=Coalesce(Sum("effort_minutes"), 0))
    )
    minutes_by_week = {row["week"]: row["minutes"] for row in week_rows}
    first_week, _ = week_of(report.period_start)
    weeks = []
    week = first_week
    while week <= report.period_end:
        weeks.append(WeekBar(week, minutes_by_week.get(week, 0)))
        week += timedelta(days=7)
    highlights = list(
        WorkLogBullet.objects.filter(worklog__in=worklogs.values("pk"), is_selected=True)
        .exclude(status=SignalStatus.REJECTED)
        .select_related("worklog")
        .order_by("worklog__occurred_on", "worklog__created_at", "order", "created_at")
    )
    return ReportData(
        worklogs=list(
            # Only what a report shows: a yearly report has thousands of rows to build.
            worklogs.select_related("client", "project", "sprint", "task")
            .only(*REPORT_ROW_FIELDS)
            .order_by("occurred_on", "created_at")
        ),
        totals=period_totals(worklogs),
        by_client=_grouped(
            worklogs, ("client_id", "client__name"), lambda row: row["client__name"] or "No client"
        ),
        by_project=_grouped(
            worklogs,
            ("project_id", "project__client__name", "project__name"),
            lambda row: (
                f"{row['project__client__name']} / {row['project__name']}"
                if row["project_id"]
                else "No project"
            ),
        ),
        by_work_type=_grouped(
            worklogs,
            ("work_type",),
            lambda row: WORK_TYPE_LABELS.get(row["work_type"], row["work_type"]),
        ),
        weeks=weeks,
        highlights=highlights,
        tracked_seconds=tracked_seconds(report),
        statuses=report_statuses(report),
    )


def tracked_seconds(report: WorkLogReport) -> int:
    """The timer's time in the report's period on the journal's tasks and projects in its scope
    (a sprint's report: its project, as tasks do not belong to sprints), to set beside the time
    the work logs state: one query, and one per timed kind of node when the report is scoped."""
    timed = seconds_by_target(
        report.user,
        first_day=report.period_start,
        last_day=report.period_end,
        target_models=(Task, Project),
    )
    if not (report.client_id or report.project_id):
        return sum(timed.values())
    total = 0
    for model in (Task, Project):
        pks = [pk for timed_model, pk in timed if timed_model is model]
        path = PROJECT_PATHS[model]
        if report.project_id:
            scope = {f"{path}_id" if path else "pk": report.project_id}
        else:
            scope = {f"{path}__client_id" if path else "client_id": report.client_id}
        if pks:
            in_scope = model.objects.filter(pk__in=pks, **scope).values_list("pk", flat=True)
            total += sum(timed[(model, str(pk))] for pk in in_scope)
    return total


def journal_draft_url(session: WorkSession | None) -> str:
    """The quick-entry link offered after stopping `session`, when it was timed against one of
    the journal's tasks or projects; else an empty string."""
    if session is None or session.is_active or not session.target_content_type_id:
        return ""
    # The content-type cache answers without a query (the timer's counts stay as they are).
    model = ContentType.objects.get_for_id(session.target_content_type_id).model_class()
    if model not in (Task, Project):
        return ""
    return f"{reverse('worklog:journal-entry')}?session={session.pk}"


# The path from each timeable level of the hierarchy to the project it belongs to.
PROJECT_PATHS = {
    Project: "",
    Sprint: "project",
    Epic: "project",
    Feature: "epic__project",
    Story: "feature__epic__project",
    Task: "story__feature__epic__project",
}


def hierarchy_placements(model) -> Callable[..., dict[str, TargetPlacement]]:
    """The target registry's `placements` for one level of the hierarchy: the user's nodes among
    the keys (inactive ones included), each under its client and project, in one query."""
    project = f"{PROJECT_PATHS[model]}__" if PROJECT_PATHS[model] else ""

    def placements(user, pks: Collection[str]) -> dict[str, TargetPlacement]:
        rows = (
            model.objects.for_user(user)
            .filter(pk__in=pks)
            .values_list("pk", "name", f"{project}client__name", f"{project}name")
        )
        return {
            str(pk): TargetPlacement(label=name, client=client_name, project=project_name)
            for pk, name, client_name, project_name in rows
        }

    return placements
