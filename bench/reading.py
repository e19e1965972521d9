"""What the reading scenarios read, and the sessions API's cost per row.

The reading scenarios have users of their own, *readers*, each with a *reading week*: 1,000
sessions, one every ten minutes, on a task, a project or nothing in turn, fifteen weeks ago.
The read floor, the API's week read, the week and day pages, the timer report and its downloads
all read that week, so each is compared with the floor over the same rows; switch + week read
switches the readers' timers and reads their current week.

The cost per row is measured in-process, through the whole request (middleware, token, view,
encoder), for weeks of 10, 100, 1,000 and 10,000 sessions: the endpoint and the read floor
beside it. The API lists at most MAX_LISTED_SESSIONS sessions per request; for the 10,000 row
week this process lifts that cap, which changes nothing else the endpoint does.

`make bench` uses both; on its own, this module times the reading pages in-process (wall clock
and CPU, each beside the read floor) and the cost per row:

    uv run python -m bench.reading [--database-url postgres://postgres@127.0.0.1:5432/reading_bench]
"""

import argparse
import json
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.seed import LoadUser, browser_session, setup_django
from bench.server import manage, recreate_database

READING_WEEK_SESSIONS = 1_000
READING_WEEKS_AGO = 15
ROW_COUNTS = (10, 100, 1_000, 10_000)
# The per-row measurement's weeks lie further back still, one week per row count.
ROW_WEEKS_AGO = 20


def monday(weeks_ago: int) -> date:
    """The Monday `weeks_ago` weeks before this week's (the load users' days are UTC's)."""
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday(), weeks=weeks_ago)


def reading_monday() -> date:
    return monday(READING_WEEKS_AGO)


def week_query(first_day: date) -> str:
    return f"from={first_day:%Y-%m-%d}&to={first_day + timedelta(days=7):%Y-%m-%d}"


def _week_of_sessions(user, first_day: date, count: int, targets: list) -> list:
    from worklog.models import WorkSession

    start = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    every = timedelta(seconds=7 * 24 * 3600 // count)
    length = timedelta(seconds=int(every.total_seconds()) * 4 // 5)
    return [
        WorkSession(
            user=user,
            **({"target": targets[n % len(targets)]} if targets[n % len(targets)] else {}),
            started_at=start + n * every,
            stopped_at=start + n * every + length,
            duration_seconds=int(length.total_seconds()),
            end_reason="stopped",
            session_type=("development", "review", "meeting")[n % 3],
            notes=f"session {n}",
        )
        for n in range(count)
    ]


def _targets(user) -> list:
    """A task and a project of the user's own, and no target."""
    from worklog.journal.services import create_node

    client = create_node(user, level="client", name="Acme")
    project = create_node(user, level="project", name="Acme site", parent=client)
    node = project
    for level, name in (("epic", "Checkout"), ("feature", "Payments"), ("story", "Pay by card")):
        node = create_node(user, level=level, name=name, parent=node)
    task = create_node(user, level="task", name="Card form", parent=node)
    return [task, project, None]


def create_readers(count: int) -> list:
    """`count` users of their own for the reading scenarios, each with a token, a browser
    session and a reading week: the other scenarios' users keep the history they had, so that
    their figures (the dashboard's recent targets, for one) stay comparable with earlier runs."""
    from core.models import User
    from core.services import create_api_token
    from worklog.models import WorkSession

    readers = []
    for index in range(count):
        user = User.objects.create_user(f"reader{index}")
        _, token = create_api_token(user=user, name="bench")
        WorkSession.objects.bulk_create(
            _week_of_sessions(user, reading_monday(), READING_WEEK_SESSIONS, _targets(user)),
            batch_size=5_000,
        )
        readers.append(LoadUser(user.pk, user.username, token, browser_session(user)))
    return readers


def _median_ms(client, urls: dict[str, str], repeats: int) -> dict[str, float]:
    """Each URL's median answer time, the URLs asked in turn so that a busy moment of the
    machine falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in urls}
    for round_number in range(repeats + 1):
        for name, url in urls.items():
            started = time.perf_counter()
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            if round_number:  # the first round warms templates, content types, the connection
                times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def per_row_costs() -> dict:
    """Median milliseconds of the sessions API and of the read floor for weeks of each of
    ROW_COUNTS sessions, and the µs each row adds to a week of the fewest."""
    from django.test import Client

    import config.api  # noqa: F401 (adds the routers, worklog.timer.api among them, in order)
    from core.models import User
    from core.services import create_api_token
    from worklog.models import WorkSession
    from worklog.timer import api

    user = User.objects.create_user("rows")
    token = create_api_token(user=user, name="rows")[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    weeks = {}
    for index, rows in enumerate(ROW_COUNTS):
        first_day = monday(ROW_WEEKS_AGO + index)
        WorkSession.objects.bulk_create(
            _week_of_sessions(user, first_day, rows, [None]), batch_size=5_000
        )
        weeks[rows] = week_query(first_day)
    listed_at_most = api.MAX_LISTED_SESSIONS
    api.MAX_LISTED_SESSIONS = max(ROW_COUNTS)
    try:
        sizes = []
        for rows, query in weeks.items():
            repeats = max(5, min(50, 20_000 // rows))
            urls = {"api": f"/api/v1/timer/sessions?{query}", "floor": f"/bench/read-floor?{query}"}
            medians = _median_ms(client, urls, repeats)
            sizes.append({"rows": rows, **{f"{k}_ms": round(v, 3) for k, v in medians.items()}})
    finally:
        api.MAX_LISTED_SESSIONS = listed_at_most
    # A row's cost is what the rows add to the request's fixed cost (that of the 10 row week):
    # the few rows a small week adds are too little time to time on a busy machine.
    base = sizes[0]
    for figures in sizes[1:]:
        added = figures["rows"] - base["rows"]
        for name in ("api", "floor"):
            figures[f"{name}_us_per_row"] = round(
                (figures[f"{name}_ms"] - base[f"{name}_ms"]) * 1000 / added, 2
            )
    for figures in sizes:
        print(
            f"  {figures['rows']:>6} rows: API {figures['api_ms']:.2f} ms, read floor "
            f"{figures['floor_ms']:.2f} ms"
            + (
                f"; {figures['api_us_per_row']} µs per row (floor {figures['floor_us_per_row']} µs)"
                if "api_us_per_row" in figures
                else ""
            ),
            flush=True,
        )
    return {"sizes": sizes}


def pages_in_process(reader: LoadUser, repeats: int) -> dict[str, dict]:
    """Median wall-clock and CPU milliseconds of each reading page for the reader's week, in
    this process (the view, its middleware and the response; CPU without PostgreSQL's share),
    the pages asked in turn, with each one's ratio to the read floor's."""
    from django.test import Client

    first_day = reading_monday()
    week, report = week_query(first_day), f"period=week&date={first_day:%Y-%m-%d}"
    api = Client(headers={"Authorization": f"Bearer {reader.api_token}"})
    browser = Client()
    for name, value in reader.browser["cookies"].items():
        browser.cookies[name] = value
    pages = {
        "read floor": (api, f"/bench/read-floor?{week}"),
        "sessions API": (api, f"/api/v1/timer/sessions?{week}"),
        "week page": (browser, f"/timer/week/?date={first_day:%Y-%m-%d}"),
        "day page": (browser, f"/timer/day/?date={first_day:%Y-%m-%d}"),
        "timer report": (browser, f"/timer/report/?{report}"),
        "timer report CSV": (browser, f"/timer/report/download/?{report}&format=csv"),
        "timer report XLSX": (browser, f"/timer/report/download/?{report}&format=xlsx"),
    }
    wall: dict[str, list[float]] = {name: [] for name in pages}
    cpu: dict[str, list[float]] = {name: [] for name in pages}
    for round_number in range(repeats + 1):
        for name, (client, url) in pages.items():
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            if response.streaming:
                b"".join(response.streaming_content)
            if round_number:  # the first round warms caches
                cpu[name].append((time.thread_time() - started_cpu) * 1000)
                wall[name].append((time.perf_counter() - started) * 1000)
    floor_wall, floor_cpu = (
        statistics.median(wall["read floor"]),
        statistics.median(cpu["read floor"]),
    )
    figures = {}
    for name in pages:
        wall_ms, cpu_ms = statistics.median(wall[name]), statistics.median(cpu[name])
        figures[name] = {
            "wall_ms": round(wall_ms, 1),
            "cpu_ms": round(cpu_ms, 1),
            "wall_vs_floor": round(wall_ms / floor_wall, 2),
            "cpu_vs_floor": round(cpu_ms / floor_cpu, 2),
        }
        print(
            f"  {name:<18} {wall_ms:7.1f} ms ({wall_ms / floor_wall:4.1f}× the floor), CPU "
            f"{cpu_ms:7.1f} ms ({cpu_ms / floor_cpu:4.1f}×)",
            flush=True,
        )
    return figures


def main() -> None:
    """`uv run python -m bench.reading`: the reading pages and the sessions API's cost per row,
    in-process, on a database of their own (dropped and created again)."""
    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/reading_bench"
    )
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    recreate_database(args.database_url)
    manage(args.database_url, "migrate", "--no-input", "-v", "0")
    manage(args.database_url, "collectstatic", "--no-input", "-v", "0")
    setup_django(args.database_url)
    print("== The reading pages for a week of 1,000 sessions, in-process", flush=True)
    results = {"pages": pages_in_process(create_readers(1)[0], args.repeats)}
    print("== The sessions API's cost per row, in-process", flush=True)
    results["per_row"] = per_row_costs()
    output = Path(__file__).resolve().parent / "results" / "reading.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Figures written to {output}")


if __name__ == "__main__":
    main()
