"""The timer report's query counts do not grow with the sessions it sums."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.services import create_api_token
from tests.conftest import HEADER_QUERIES
from tests.worklog.journal.helpers import make_tree
from worklog.models import WorkSession

pytestmark = pytest.mark.django_db

MONTH = {"period": "month", "date": "2025-12-01", "rounding": "15", "rounding_mode": "up"}
# Session and user (2); the sessions inside one day, summed (1); those across midnight (1); the
# targets, one query per target type among them (2: tasks and projects); the remembered columns;
# and the page's header.
PAGE_QUERIES = 7 + HEADER_QUERIES
# The token with its user (1); the sums (2); the targets (2).
API_QUERIES = 5
# As the page without its header, plus one query per 2,000 sessions read for the rows (1 here).
DOWNLOAD_QUERIES = 8


def make_month(user, count: int) -> None:
    """`count` sessions spread evenly over December on a task, a project and no target; the few
    that start late in the evening run across midnight."""
    tree = make_tree(user)
    targets = [{"target": tree.task}, {"target": tree.project}, {"target_id": ""}]
    start = datetime(2025, 12, 1, tzinfo=UTC)
    step = timedelta(days=31) / count
    WorkSession.objects.bulk_create(
        WorkSession(
            user=user,
            **targets[n % 3],
            session_type=("dev", "review")[n % 2],
            started_at=start + n * step,
            stopped_at=start + n * step + min(step, timedelta(hours=2)),
            notes=f"session {n}",
        )
        for n in range(count)
    )


def counted(send) -> int:
    send()  # warm the content-type cache and the templates
    with CaptureQueriesContext(connection) as queries:
        response = send()
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


@pytest.mark.parametrize("count", [10, 1000])
def test_report_page_queries_are_fixed(user_client, user, count, django_assert_max_num_queries):
    make_month(user, count)
    url = reverse("worklog:timer-report")
    assert counted(lambda: user_client.get(url, MONTH)) == PAGE_QUERIES
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = user_client.get(url, MONTH)
    assert response.context["report"].session_count == count


@pytest.mark.parametrize("count", [10, 1000])
def test_report_api_queries_are_fixed(client, user, count, django_assert_max_num_queries):
    make_month(user, count)
    token = create_api_token(user=user, name="reports")[1]
    headers = {"Authorization": f"Bearer {token}"}
    assert counted(lambda: client.get("/api/v1/timer/report", MONTH, headers=headers)) == (
        API_QUERIES
    )
    with django_assert_max_num_queries(API_QUERIES):
        client.get("/api/v1/timer/report", MONTH, headers=headers)


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "md"])
@pytest.mark.parametrize("count", [10, 1000])
def test_download_queries_do_not_grow_within_a_chunk(user_client, user, count, export_format):
    make_month(user, count)
    url = reverse("worklog:timer-report-download")
    params = {**MONTH, "format": export_format}
    assert counted(lambda: user_client.get(url, params)) == DOWNLOAD_QUERIES
