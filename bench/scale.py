"""Scale: the dashboard, the week and day pages, a month of sessions (from the API) and the
timer's month report at 1,000 and at 1,000,000 timer sessions across 1,000 users, with the query
plans behind them.

The rows are written by PostgreSQL itself (INSERT ... SELECT over generate_series): a million
sessions take seconds, not the minutes a million ORM objects would."""

import time
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.load import Request, run_load
from bench.seed import browser_session

USERS = 1_000
SESSIONS_PER_USER = 1_000
LATENCY_REQUESTS = 150
HOURS_BETWEEN_SESSIONS = 8
TIMER_REPORT_URL = "/timer/report/?preset=last_month"

# Every column of worklog_worksession, as SQL over the user row `u` and the series number `n`.
SESSION_COLUMNS = {
    "id": "gen_random_uuid()",
    "created_at": "now()",
    "updated_at": "now()",
    "deleted_at": "NULL",
    "user_id": "u.id",
    "target_content_type_id": "NULL",
    "target_id": "''",
    "session_type": "'scale'",
    "started_at": "s.started_at",
    "stopped_at": "s.started_at + interval '90 minutes'",
    "duration_seconds": "5400",
    "end_reason": "'stopped'",
    "switch_policy": "true",
    "effective_at": "s.started_at",
    "recorded_at": "now()",
    "notes": "''",
    "metadata": "'{}'::jsonb",
}


def _insert_sessions(usernames_sql: str) -> float:
    """A thousand sessions for each scale user `usernames_sql` selects, one every eight hours
    back from yesterday; returns the seconds it took."""
    from core.models import User
    from worklog.models import WorkSession

    columns = [field.column for field in WorkSession._meta.concrete_fields]
    missing = set(columns) ^ set(SESSION_COLUMNS)
    if missing:
        raise RuntimeError(f"bench/scale.py does not match worklog_worksession: {missing}")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {WorkSession._meta.db_table} ({", ".join(columns)})
            SELECT {", ".join(SESSION_COLUMNS[column] for column in columns)}
            FROM {User._meta.db_table} u
            CROSS JOIN generate_series(%s, %s) AS n
            CROSS JOIN LATERAL (
                SELECT date_trunc('hour', now()) - interval '1 day'
                       - n * interval '{HOURS_BETWEEN_SESSIONS} hours' AS started_at
            ) s
            WHERE {usernames_sql}
            """,
            [0, SESSIONS_PER_USER - 1],
        )
        cursor.execute(f"ANALYZE {WorkSession._meta.db_table}")
    return time.perf_counter() - started


def _create_users() -> object:
    from core.models import User
    from core.services import create_api_token

    User.objects.bulk_create(User(username=f"scale{n:04}") for n in range(USERS))
    user = User.objects.get(username="scale0000")
    user.set_password("scale")
    user.save()
    return user, create_api_token(user=user, name="scale")[1]


def _month_url() -> str:
    end = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (end - timedelta(days=1)).replace(day=1)
    return f"/api/v1/timer/sessions?from={start:%Y-%m-%dT%H:%M:%SZ}&to={end:%Y-%m-%dT%H:%M:%SZ}"


def _week_url() -> str:
    return f"/timer/week/?date={datetime.now(UTC) - timedelta(days=7):%Y-%m-%d}"


def _day_url() -> str:
    return f"/timer/day/?date={datetime.now(UTC) - timedelta(days=2):%Y-%m-%d}"


def _latencies(base_url: str, user, token: str) -> dict[str, dict]:
    browser = browser_session(user)
    figures = {}
    for name, request, kwargs in (
        ("dashboard", Request("GET", "/"), browser),
        ("week page", Request("GET", _week_url()), browser),
        ("day page", Request("GET", _day_url()), browser),
        (
            "monthly report (a month of sessions)",
            Request("GET", _month_url()),
            {"headers": {"Authorization": f"Bearer {token}"}},
        ),
        ("timer month report", Request("GET", TIMER_REPORT_URL), browser),
    ):
        result = run_load(
            name,
            base_url,
            1,
            lambda index, request=request: request,
            lambda index, kwargs=kwargs: kwargs,
            max_requests=LATENCY_REQUESTS,
            max_seconds=30,
        )
        figures[name] = result.as_dict()
    return figures


def _plans(user, token: str) -> list[dict]:
    """EXPLAIN ANALYZE of every query the pages send that reads the sessions table."""
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
        client.get(_week_url())
        client.get(_day_url())
        client.get(_month_url(), headers={"Authorization": f"Bearer {token}"})
        client.get(TIMER_REPORT_URL)
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if "worklog_worksession" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append(
                {
                    "sql": sql[:300],
                    "plan": plan,
                    "sequential_scan_of_sessions": "Seq Scan on worklog_worksession" in plan,
                }
            )
    return plans


def measure(base_url: str) -> dict:
    """The measured user has the same thousand sessions in both rounds, so the pages return the
    same rows: first the only ones in the table, then beside 999 other users' thousands."""
    user, token = _create_users()
    load_small = _insert_sessions(f"u.username = '{user.username}'")
    small = _latencies(base_url, user, token)
    load_large = _insert_sessions(f"u.username LIKE 'scale%%' AND u.username <> '{user.username}'")
    large = _latencies(base_url, user, token)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM worklog_worksession WHERE session_type = 'scale'")
        rows = cursor.fetchone()[0]
    ratios = {name: large[name]["p50_ms"] / small[name]["p50_ms"] for name in small}
    return {
        "users": USERS,
        "rows_at_large": rows,
        "seconds_to_load_first_1k": round(load_small, 2),
        "seconds_to_load_other_999k": round(load_large, 2),
        "at_1k": small,
        "at_1m": large,
        "p50_ratio_1m_to_1k": {name: round(ratio, 2) for name, ratio in ratios.items()},
        "plans": _plans(user, token),
    }
