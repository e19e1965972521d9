"""Reports: periods, totals aggregated by the database, highlights, Markdown and CSV."""

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from worklog.journal.enrichment import add_bullet
from worklog.journal.reports import generate_report, render_csv, report_period
from worklog.journal.selectors import report_data
from worklog.journal.services import create_worklog
from worklog.models import ReportKind, WorkLogReport

from .helpers import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs(user):
    tree = make_tree(user)
    other = make_tree(user, name="Globex")
    first = create_worklog(
        user,
        occurred_on=date(2026, 11, 30),
        title="Card form",
        content="x",
        task=tree.task,
        effort_minutes=120,
        is_billable=True,
        work_type="delivery",
    )
    create_worklog(
        user,
        occurred_on=date(2026, 12, 2),
        content="Planning",
        client=other.client,
        effort_minutes=60,
        work_type="planning",
    )
    create_worklog(user, occurred_on=date(2026, 12, 9), content="Next week", effort_minutes=30)
    add_bullet(first, text="=Shipped card payments")
    return tree, other


def test_report_periods():
    assert report_period(ReportKind.WEEKLY, anchor=date(2026, 12, 3)) == (
        date(2026, 11, 30),
        date(2026, 12, 6),
    )
    assert report_period(ReportKind.MONTHLY, anchor=date(2026, 2, 10)) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    with pytest.raises(ValidationError):
        report_period(ReportKind.CUSTOM, start=date(2026, 2, 10), end=date(2026, 2, 1))


def test_weekly_report_totals(user, logs):
    tree, other = logs
    report = generate_report(user, kind=ReportKind.WEEKLY, anchor=date(2026, 12, 1))
    assert (report.period_start, report.period_end) == (date(2026, 11, 30), date(2026, 12, 6))
    data = report_data(report)
    assert data.totals == {"count": 2, "minutes": 180, "billable_minutes": 120}
    assert [(row.label, row.minutes) for row in data.by_client] == [("Acme", 120), ("Globex", 60)]
    assert [(row.label, row.minutes) for row in data.by_project] == [
        ("Acme / Acme site", 120),
        ("No project", 60),
    ]
    assert {row.label: row.minutes for row in data.by_work_type} == {
        "Delivery": 120,
        "Planning": 60,
    }
    assert [bullet.text for bullet in data.highlights] == ["=Shipped card payments"]
    assert [(bar.week_start, bar.minutes) for bar in data.weeks] == [(date(2026, 11, 30), 180)]
    assert report.metadata["minutes"] == 180
    assert "## Highlights" in report.content_md and "- =Shipped card payments" in report.content_md
    assert "| Acme | 2.00 | 2.00 |" in report.content_md


def test_sprint_and_scoped_reports(user, logs):
    tree, other = logs
    report = generate_report(user, kind=ReportKind.SPRINT, sprint=tree.sprint)
    assert (report.period_start, report.period_end) == (
        tree.sprint.start_date,
        tree.sprint.end_date,
    )
    assert report.project == tree.project and report.client == tree.client
    assert report_data(report).totals["count"] == 0  # the logs name no sprint
    scoped = generate_report(
        user,
        kind=ReportKind.CUSTOM,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 12, 31),
        client=other.client,
    )
    assert report_data(scoped).totals["minutes"] == 60


def test_bad_date_range_and_foreign_scope_change_nothing(user, other_user, logs):
    with pytest.raises(ValidationError):
        generate_report(
            user,
            kind=ReportKind.CUSTOM,
            period_start=date(2026, 12, 2),
            period_end=date(2026, 12, 1),
        )
    theirs = make_tree(other_user)
    with pytest.raises(ValidationError):
        generate_report(
            user, kind=ReportKind.WEEKLY, anchor=date(2026, 12, 1), client=theirs.client
        )
    assert not WorkLogReport.objects.exists()


def test_csv_neutralises_formulas(user, logs):
    report = generate_report(user, kind=ReportKind.MONTHLY, anchor=date(2026, 12, 1))
    rows = list(csv.reader(io.StringIO(render_csv(report_data(report)))))
    assert rows[0][0] == "date" and len(rows) == 3
    assert rows[1][8] == "1.00"


def _timed(user, target, day: int, hours: float):
    from datetime import UTC, datetime, timedelta

    from worklog.models import WorkSession

    start = datetime(2026, 12, day, 9, tzinfo=UTC)
    return WorkSession.objects.create(
        user=user, target=target, started_at=start, stopped_at=start + timedelta(hours=hours)
    )


def test_tracked_time_on_the_periods_tasks_and_projects_beside_the_logged_time(
    user, other_user, logs
):
    tree, other = logs
    _timed(user, tree.task, 1, 2.5)
    _timed(user, other.project, 2, 1)
    _timed(user, None, 2, 4)  # no target: not the journal's
    _timed(user, tree.task, 9, 3)  # the next week
    _timed(other_user, make_tree(other_user).task, 1, 5)
    report = generate_report(user, kind=ReportKind.WEEKLY, anchor=date(2026, 12, 1))
    data = report_data(report)
    assert data.tracked_seconds == 3.5 * 3600 and data.tracked_hours == "3.50"
    assert data.totals["minutes"] == 180


def test_a_scoped_report_counts_the_time_tracked_within_its_scope(user, logs):
    tree, other = logs
    _timed(user, tree.task, 1, 2)
    _timed(user, tree.project, 1, 0.5)
    _timed(user, other.task, 2, 1)
    period = {"period_start": date(2026, 11, 30), "period_end": date(2026, 12, 6)}
    by_client = generate_report(user, kind=ReportKind.CUSTOM, client=other.client, **period)
    assert report_data(by_client).tracked_seconds == 3600
    by_project = generate_report(user, kind=ReportKind.CUSTOM, project=tree.project, **period)
    assert report_data(by_project).tracked_seconds == 2.5 * 3600
    by_sprint = generate_report(user, kind=ReportKind.SPRINT, sprint=tree.sprint)
    assert report_data(by_sprint).tracked_seconds == 2.5 * 3600
