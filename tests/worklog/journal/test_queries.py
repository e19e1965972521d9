"""The work log list and the report pages run a fixed number of queries whatever their size."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import HEADER_QUERIES
from worklog.journal.reports import generate_report
from worklog.models import BulletKind, SignalStatus, WorkLog, WorkLogBullet

from .helpers import make_tree

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 2)


def make_logs(user, tree, count: int) -> None:
    logs = WorkLog.objects.bulk_create(
        WorkLog(
            user=user,
            occurred_on=DAY - timedelta(days=index % 7),
            title=f"Log {index}",
            content="Work",
            client=tree.client,
            project=tree.project,
            epic=tree.epic,
            feature=tree.feature,
            story=tree.story,
            task=tree.task,
            sprint=tree.sprint,
            effort_minutes=30,
            is_billable=index % 2 == 0,
            tags=["payments"],
        )
        for index in range(count)
    )
    WorkLogBullet.objects.bulk_create(
        WorkLogBullet(
            worklog=worklog,
            kind=BulletKind.RESUME,
            text=f"Bullet {worklog.title}",
            status=SignalStatus.ACCEPTED,
            is_selected=True,
        )
        for worklog in logs
    )


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = func()
        assert response.status_code == 200
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


# Session and user (2); the chosen client, validated (1); the filter form's client, project and
# sprint choices (3); the week's work logs with their hierarchy (1); and the page's header.
LIST_QUERIES = 7
# Session and user (2); the report with its user (1); its work logs, totals, by client, by
# project, by work type, per week, the highlighted bullets and the timer's time on its tasks and
# projects (8); and, on the page, its header.
REPORT_QUERIES = 11


@pytest.mark.parametrize("size", [5, 60])
def test_list_query_count_is_fixed(user_client, user, size):
    tree = make_tree(user)
    make_logs(user, tree, size)
    url = reverse("worklog:journal")
    params = {"date": DAY.isoformat(), "client": tree.client.pk, "tag": "payments"}
    assert count_queries(lambda: user_client.get(url, params)) == LIST_QUERIES + HEADER_QUERIES


@pytest.mark.parametrize("size", [5, 60])
def test_report_query_count_is_fixed(user_client, user, size):
    tree = make_tree(user)
    make_logs(user, tree, size)
    report = generate_report(user, kind="weekly", anchor=DAY)
    url = reverse("worklog:journal-report", args=[report.pk])
    assert count_queries(lambda: user_client.get(url)) == REPORT_QUERIES + HEADER_QUERIES
    csv_url = reverse("worklog:journal-report-csv", args=[report.pk])
    # The download is no page: no header.
    assert count_queries(lambda: user_client.get(csv_url)) == REPORT_QUERIES
