"""Work log reports: a period (a week, a month, a sprint or any range), optionally narrowed to
a client, project or sprint, stored as a WorkLogReport with its Markdown and its totals. The
numbers come from `selectors.journal.report_data`, aggregated by the database."""

import calendar
import csv
import io
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from worklog.journal.models import (
    CURRENT_STATUSES,
    ReportCreatedVia,
    ReportKind,
    WorkLogReport,
    WorkLogStatus,
)
from worklog.journal.selectors import ReportData, report_data, week_of

MAX_REPORT_DAYS = 3 * 366


def report_period(
    kind: str,
    *,
    anchor: date | None = None,
    start: date | None = None,
    end: date | None = None,
    sprint=None,
) -> tuple[date, date]:
    """The closed date range a report of `kind` covers."""
    if kind == ReportKind.WEEKLY:
        if anchor is None:
            raise ValidationError({"anchor": "Choose a day in the week to report on."})
        return week_of(anchor)
    if kind == ReportKind.MONTHLY:
        if anchor is None:
            raise ValidationError({"anchor": "Choose a day in the month to report on."})
        last = calendar.monthrange(anchor.year, anchor.month)[1]
        return anchor.replace(day=1), anchor.replace(day=last)
    if kind == ReportKind.SPRINT:
        if sprint is None:
            raise ValidationError({"sprint": "Choose the sprint to report on."})
        if not (sprint.start_date and sprint.end_date):
            raise ValidationError({"sprint": "This sprint has no start and end dates."})
        return sprint.start_date, sprint.end_date
    if kind == ReportKind.CUSTOM:
        if start is None or end is None:
            raise ValidationError({"period_start": "Give both the first and the last day."})
        if end < start:
            raise ValidationError({"period_end": "The last day cannot be before the first."})
        if (end - start).days > MAX_REPORT_DAYS:
            raise ValidationError({"period_end": "A report covers at most three years."})
        return start, end
    raise ValidationError({"kind": "Unknown kind of report."})


def _title(kind: str, start: date, end: date, scope: str) -> str:
    if kind == ReportKind.WEEKLY:
        base = f"Week {start:%G-W%V} ({start:%-d %b} – {end:%-d %b %Y})"
    elif kind == ReportKind.MONTHLY:
        base = f"{start:%B %Y}"
    else:
        base = f"{start:%-d %b %Y} – {end:%-d %b %Y}"
    return f"{base} · {scope}" if scope else base


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}"


def render_markdown(report: WorkLogReport, data: ReportData) -> str:
    totals = data.totals
    lines = [
        f"# {report.title}",
        "",
        f"Period: {report.period_start:%Y-%m-%d} to {report.period_end:%Y-%m-%d}",
        "",
        *([f"Statuses: {data.statuses_label}", ""] if data.statuses_label else []),
        f"- Work logs: {totals['count']}",
        f"- Hours: {_hours(totals['minutes'])}",
        f"- Billable hours: {_hours(totals['billable_minutes'])}",
        "",
    ]
    if data.highlights:
        lines += ["## Highlights", ""]
        lines += [
            f"- {bullet.text}" + (f" ({bullet.metrics_text})" if bullet.metrics else "")
            for bullet in data.highlights
        ]
        lines.append("")
    for heading, rows in (
        ("By client", data.by_client),
        ("By project", data.by_project),
        ("By work type", data.by_work_type),
    ):
        lines += [f"## {heading}", "", "| | Hours | Billable |", "| --- | ---: | ---: |"]
        lines += [f"| {row.label} | {row.hours} | {row.billable_hours} |" for row in rows]
        lines.append("")
    lines += ["## Work logs", ""]
    for worklog in data.worklogs:
        where = " / ".join(
            str(node) for node in (worklog.client, worklog.project, worklog.task) if node
        )
        lines.append(
            f"- {worklog.occurred_on:%Y-%m-%d} · {worklog.hours} h · {worklog} "
            f"({worklog.get_work_type_display()}{', ' + where if where else ''})"
        )
    return "\n".join(lines).rstrip() + "\n"


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def render_csv(data: ReportData) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "date",
            "title",
            "client",
            "project",
            "sprint",
            "task",
            "work_type",
            "status",
            "hours",
            "billable",
            "tags",
        ]
    )
    for worklog in data.worklogs:
        writer.writerow(
            [
                worklog.occurred_on.isoformat(),
                _cell(str(worklog)),
                _cell(worklog.client or ""),
                _cell(worklog.project or ""),
                _cell(worklog.sprint or ""),
                _cell(worklog.task or ""),
                worklog.work_type,
                worklog.status,
                worklog.hours,
                "yes" if worklog.is_billable else "no",
                _cell(" ".join(worklog.tags)),
            ]
        )
    return out.getvalue()


def _check_scope(user, *, client, project, sprint) -> dict:
    errors = {
        name: f"Choose one of your own {name} entries."
        for name, node in (("client", client), ("project", project), ("sprint", sprint))
        if node is not None and node.owner_id != user.pk
    }
    if project and client and project.client_id != client.pk:
        errors["project"] = "This project does not belong to the chosen client."
    if sprint and project and sprint.project_id != project.pk:
        errors["sprint"] = "This sprint does not belong to the chosen project."
    if errors:
        raise ValidationError(errors)
    if sprint and not project:
        project = sprint.project
    if project and not client:
        client = project.client
    return {"client": client, "project": project, "sprint": sprint}


def _check_statuses(statuses) -> list[str]:
    if statuses is None:
        return list(CURRENT_STATUSES)
    statuses = list(dict.fromkeys(statuses))
    if not statuses:
        raise ValidationError({"statuses": "Choose at least one status to report on."})
    unknown = [status for status in statuses if status not in WorkLogStatus.values]
    if unknown:
        raise ValidationError({"statuses": f"Unknown status: {', '.join(map(str, unknown))}."})
    # In the statuses' own order, whatever order they were given in.
    return [status for status in WorkLogStatus.values if status in statuses]


@transaction.atomic
def generate_report(
    user,
    *,
    kind: str,
    anchor: date | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    client=None,
    project=None,
    sprint=None,
    title: str = "",
    created_via: str = ReportCreatedVia.WEB,
    statuses: list[str] | None = None,
) -> WorkLogReport:
    """Store a report of `user`'s work logs in the period, with its Markdown and totals. It
    covers the logs of `statuses` (kept in its metadata): by default all but archived ones."""
    statuses = _check_statuses(statuses)
    scope = _check_scope(user, client=client, project=project, sprint=sprint)
    start, end = report_period(
        kind, anchor=anchor, start=period_start, end=period_end, sprint=scope["sprint"]
    )
    scope_label = str(scope["sprint"] or scope["project"] or scope["client"] or "")
    report = WorkLogReport(
        user=user,
        kind=kind,
        created_via=created_via,
        period_start=start,
        period_end=end,
        title=title.strip() or _title(kind, start, end, scope_label),
        metadata={"statuses": statuses},
        **scope,
    )
    report.full_clean()
    report.save()
    data = report_data(report)
    report.content_md = render_markdown(report, data)
    report.metadata = {
        "statuses": statuses,
        "count": data.totals["count"],
        "minutes": data.totals["minutes"],
        "billable_minutes": data.totals["billable_minutes"],
        "by_client": {row.label: row.minutes for row in data.by_client},
        "by_project": {row.label: row.minutes for row in data.by_project},
        "by_work_type": {row.label: row.minutes for row in data.by_work_type},
        "highlights": [bullet.text for bullet in data.highlights],
    }
    report.save(update_fields=["content_md", "metadata", "updated_at"])
    return report


def delete_report(report: WorkLogReport) -> None:
    report.delete()
