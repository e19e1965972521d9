"""A yearly work-journal report over about 2,500 work logs: time to generate (aggregate and
store) and to render (the HTML page with its chart, the CSV download), with query counts.
Runs on a throw-away test database, PostgreSQL by default.

    uv run python bench/journal_report.py [--logs 2500] [--runs 10]
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/worklog_journal_bench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from core.models import User  # noqa: E402
from worklog.journal.reports import generate_report  # noqa: E402
from worklog.journal.services import create_node  # noqa: E402
from worklog.models import (  # noqa: E402
    SignalStatus,
    WorkLog,
    WorkLogBullet,
    WorkType,
)

YEAR_START = date(2025, 12, 1)


def build(user, logs: int) -> None:
    """Three clients, two projects each with a task, and `logs` work logs spread over a year;
    one in five has a selected bullet."""
    random.seed(7)
    tasks = []
    for client_name in ("Acme", "Globex", "Initech"):
        client = create_node(user, level="client", name=client_name)
        for project_name in ("Web", "Mobile"):
            project = create_node(user, level="project", name=project_name, parent=client)
            epic = create_node(user, level="epic", name="Epic", parent=project)
            feature = create_node(user, level="feature", name="Feature", parent=epic)
            story = create_node(user, level="story", name="Story", parent=feature)
            tasks.append(create_node(user, level="task", name="Task", parent=story))
    work_types = WorkType.values
    created = WorkLog.objects.bulk_create(
        WorkLog(
            user=user,
            occurred_on=YEAR_START + timedelta(days=random.randrange(365)),
            title=f"Work log {number}",
            content="Implemented, reviewed and tested a change.",
            client=task.story.feature.epic.project.client,
            project=task.story.feature.epic.project,
            epic=task.story.feature.epic,
            feature=task.story.feature,
            story=task.story,
            task=task,
            work_type=random.choice(work_types),
            effort_minutes=random.choice((30, 45, 60, 90, 120, 180)),
            is_billable=random.random() < 0.7,
            tags=["bench"],
        )
        for number, task in ((n, random.choice(tasks)) for n in range(logs))
    )
    WorkLogBullet.objects.bulk_create(
        WorkLogBullet(
            worklog=worklog,
            text=f"Delivered {worklog.title}",
            status=SignalStatus.ACCEPTED,
            is_selected=True,
        )
        for worklog in created[::5]
    )


def timed(call, runs: int):
    """Median and best milliseconds, and the queries of one call."""
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return statistics.median(timings), min(timings), queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=int, default=2500)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user = User.objects.create_user(username="bench")
        build(user, args.logs)
        period = {"period_start": YEAR_START, "period_end": YEAR_START + timedelta(days=364)}
        reports = []

        def generate():
            reports.append(generate_report(user, kind="custom", **period))

        generate_ms, generate_best, generate_queries = timed(generate, args.runs)
        report = reports[-1]
        client = HttpClient()
        client.force_login(user)

        def get(url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        page_url = reverse("worklog:journal-report", args=[report.pk])
        csv_url = reverse("worklog:journal-report-csv", args=[report.pk])
        page_ms, page_best, page_queries = timed(lambda: get(page_url), args.runs)
        csv_ms, csv_best, csv_queries = timed(lambda: get(csv_url), args.runs)
        print(
            f"database: {connection.vendor}; work logs: {report.metadata['count']}, "
            f"hours: {report.metadata['minutes'] / 60:.0f}, "
            f"highlights: {len(report.metadata['highlights'])}, runs: {args.runs}"
        )
        for name, (median, best, queries) in (
            (
                "generate (aggregate + store Markdown)",
                (generate_ms, generate_best, generate_queries),
            ),
            ("render HTML page with SVG chart", (page_ms, page_best, page_queries)),
            ("render CSV download", (csv_ms, csv_best, csv_queries)),
        ):
            print(f"{name:40} median {median:7.1f} ms  best {best:7.1f} ms  {queries} queries")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
