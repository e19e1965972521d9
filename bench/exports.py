"""The timer report's CSV and XLSX exports of a year of sessions (100,000 by default) on
PostgreSQL: how long each download takes through the whole view, and the peak memory it needs,
beside a month's export of the same data. Constant memory means the year's peak is the month's.
Time is wall-clock (the view, the database and reading the response), and the CPU time of this
process alone (the app, without PostgreSQL's share), which a busy machine disturbs less.

The database (`reports_bench` unless told otherwise) is dropped and created again; the sessions
are written by PostgreSQL itself (INSERT ... SELECT over generate_series). Peak memory is
measured twice: the Python heap's peak (tracemalloc, in a run of its own, as it slows the run
down) and the rise of the process's resident set above where it stood (the kernel's high-water
mark, reset before each download).

    uv run python -m bench.exports [--database-url postgres://postgres@127.0.0.1:5432/reports_bench]
                                   [--sessions 100000]
"""

import argparse
import gc
import json
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.seed import setup_django
from bench.server import manage, recreate_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/reports_bench"
RESULTS = Path(__file__).resolve().parent / "results"
YEAR = 2025
COLUMNS = ["date", "start", "end", "hours", "duration", "target", "client", "project", "notes"]


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak_rss() -> None:
    # Writing 5 to clear_refs resets the process's resident high-water mark (VmHWM).
    Path("/proc/self/clear_refs").write_text("5")


def build(sessions: int):
    """A user with three clients' tasks and projects, and `sessions` sessions spread evenly over
    the year: a third on tasks, a third on projects, a third on no target."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from core.models import User
    from worklog.journal.services import create_node
    from worklog.models import Project, Task, WorkSession

    user = User.objects.create_user("exports", time_zone="Europe/Berlin")
    targets = []
    for client_name in ("Acme", "Globex", "Initech"):
        client = create_node(user, level="client", name=client_name)
        project = create_node(user, level="project", name=f"{client_name} site", parent=client)
        epic = create_node(user, level="epic", name="Checkout", parent=project)
        feature = create_node(user, level="feature", name="Payments", parent=epic)
        story = create_node(user, level="story", name="Pay by card", parent=feature)
        task = create_node(user, level="task", name="Card form", parent=story)
        targets += [(Task, task.pk), (Project, project.pk), (None, "")]
    content_types = [
        ContentType.objects.get_for_model(model).pk if model else None for model, _ in targets
    ]
    columns = {
        "id": "gen_random_uuid()",
        "created_at": "now()",
        "updated_at": "now()",
        "deleted_at": "NULL",
        "user_id": "%(user)s",
        "target_content_type_id": "(%(content_types)s::integer[])[n %% %(kinds)s + 1]",
        "target_id": "(%(target_ids)s::text[])[n %% %(kinds)s + 1]",
        "session_type": "(ARRAY['development', 'review', 'meeting'])[n %% 3 + 1]",
        "started_at": "s.started_at",
        "stopped_at": "s.started_at + %(length)s",
        "duration_seconds": "extract(epoch FROM %(length)s)::integer",
        "end_reason": "'stopped'",
        "switch_policy": "true",
        "effective_at": "s.started_at",
        "recorded_at": "now()",
        "notes": "'Session ' || n || ': reviewed the card form, fixed the validation, wrote tests'",
        "metadata": "'{}'::jsonb",
    }
    table = [field.column for field in WorkSession._meta.concrete_fields]
    if set(table) != set(columns):
        raise RuntimeError(f"bench/exports.py does not match the sessions table: {table}")
    step = timedelta(days=365) / sessions
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {WorkSession._meta.db_table} ({", ".join(table)})
            SELECT {", ".join(columns[column] for column in table)}
            FROM generate_series(0, %(last)s) AS n
            CROSS JOIN LATERAL (SELECT %(first)s + n * %(step)s AS started_at) s
            """,
            {
                "user": user.pk,
                "content_types": content_types,
                "target_ids": [str(pk) for _, pk in targets],
                "kinds": len(targets),
                "length": step * 0.8,
                "last": sessions - 1,
                "first": datetime(YEAR, 1, 1, tzinfo=UTC),
                "step": step,
            },
        )
        cursor.execute(f"ANALYZE {WorkSession._meta.db_table}")
    return user


def download(client, params: dict, *, trace: bool) -> dict:
    """One download through the view; its bytes are read and dropped as they arrive."""
    from django.urls import reverse

    gc.collect()
    if trace:
        tracemalloc.start()
    _reset_peak_rss()
    rss_before = _status_kib("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    response = client.get(reverse("worklog:timer-report-download"), params)
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    figures = {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu_started, 2),
        "bytes": size,
        "csv_rows": lines - 1,
        "rss_rise_mib": round((_status_kib("VmHWM") - rss_before) / 1024, 1),
        "rss_peak_mib": round(_status_kib("VmHWM") / 1024, 1),
    }
    if trace:
        figures["python_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--output", type=Path, default=RESULTS / "exports.json")
    args = parser.parse_args()

    recreate_database(args.database_url)
    manage(args.database_url, "migrate", "--no-input", "-v", "0")
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    user = build(args.sessions)
    print(f"{args.sessions:,} sessions written in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)
    from worklog.models import TimerPreferences

    TimerPreferences.objects.create(user=user, report_columns=COLUMNS)
    periods = {
        "a month (January)": {"period": "month", "date": date(YEAR, 1, 1).isoformat()},
        "the year": {"period": "year", "date": date(YEAR, 1, 1).isoformat()},
    }
    rows = []
    for export_format in ("csv", "xlsx"):
        # Warm the caches (content types, query plans) with a month first.
        download(client, {**periods["a month (January)"], "format": export_format}, trace=False)
        for name, period in periods.items():
            params = {**period, "format": export_format}
            timed = download(client, params, trace=False)
            traced = download(client, params, trace=True)
            row = {
                "format": export_format,
                "period": name,
                "seconds": timed["seconds"],
                "cpu_seconds": timed["cpu_seconds"],
                "mib": round(timed["bytes"] / 2**20, 1),
                "python_peak_mib": traced["python_peak_mib"],
                "rss_peak_mib": timed["rss_peak_mib"],
                "rss_rise_mib": timed["rss_rise_mib"],
            }
            if export_format == "csv":
                row["rows"] = timed["csv_rows"]
            rows.append(row)
            print(row, flush=True)
    server_version = connection.cursor().connection.info.server_version
    results = {
        "sessions": args.sessions,
        "postgresql": f"{server_version // 10000}.{server_version % 10000}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "exports": rows,
    }
    lines = [
        f"Exports of {args.sessions:,} sessions in {YEAR} (PostgreSQL "
        f"{results['postgresql']}, {results['date']}); {len(COLUMNS)} columns.",
        "",
        "| format | period | rows | time (s) | app CPU (s) | size (MiB) | Python heap peak (MiB) "
        "| process peak RSS (MiB) | RSS rise during it (MiB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['format'].upper()} | {row['period']} | {row.get('rows', '')} "
            f"| {row['seconds']} | {row['cpu_seconds']} | {row['mib']} | {row['python_peak_mib']} "
            f"| {row['rss_peak_mib']} | {row['rss_rise_mib']} |"
        )
    markdown = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    args.output.with_suffix(".md").write_text(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
