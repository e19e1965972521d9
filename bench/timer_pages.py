"""The dashboard's, the HTMX toggle's and switch + week read's requests' cost in-process, beside
the floors they are compared with.

Issue 21's bar wants the dashboard `GET /` at 60% of the floor's throughput at 10 clients and the
HTMX toggle at 80%. On a shared machine the HTTP figures move more between runs than these pages
differ, so this times them in this process: each request's CPU (PostgreSQL's share is not in it)
and wall clock through the whole stack (middleware, session, view, template), the requests asked
in turn so that a busy moment falls on all alike. A load user (bench.seed: 200 sessions of
history) asks them, as the load runs do.

    uv run python -m bench.timer_pages [--database-url ...] [--repeats 200] [--profile dashboard]

`--profile` prints a pyinstrument profile of that request (dashboard, toggle, floor, switch or
week read) instead.
"""

import argparse
import statistics
import time

from bench.seed import create_load_users, setup_django
from bench.server import manage, recreate_database


def _clients(user) -> dict:
    """Each page's client and request: a browser's session cookie and CSRF header, or the token."""
    from django.test import Client

    from bench.reading import monday, week_query

    browser = Client(headers=user.browser["headers"])
    for name, value in user.browser["cookies"].items():
        browser.cookies[name] = value
    api = Client(headers={"Authorization": f"Bearer {user.api_token}"})
    return {
        "floor": lambda: browser.post("/bench/floor"),
        "read floor": lambda: api.get(f"/bench/read-floor?{week_query(monday(0))}"),
        "dashboard": lambda: browser.get("/"),
        "toggle (HTMX)": lambda: browser.post("/timer/toggle/"),
        # Switch + week read's two requests, the hotkey's switch and the current week's list.
        "switch (API)": lambda: api.post("/api/v1/timer/start"),
        "week read (API)": lambda: api.get(f"/api/v1/timer/sessions?{week_query(monday(0))}"),
    }


def time_pages(requests: dict, repeats: int) -> dict[str, dict]:
    """Median CPU and wall-clock milliseconds of each request, with the ratios to the floor's."""
    cpu: dict[str, list[float]] = {name: [] for name in requests}
    wall: dict[str, list[float]] = {name: [] for name in requests}
    for round_number in range(repeats + 1):
        for name, send in requests.items():
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = send()
            if response.status_code >= 300:
                raise RuntimeError(f"{name} answered {response.status_code}")
            if round_number:  # the first round warms templates, URLs, compiled queries
                cpu[name].append((time.thread_time() - started_cpu) * 1000)
                wall[name].append((time.perf_counter() - started) * 1000)
    floor_cpu = statistics.median(cpu["floor"])
    figures = {}
    for name in requests:
        cpu_ms, wall_ms = statistics.median(cpu[name]), statistics.median(wall[name])
        figures[name] = {"cpu_ms": cpu_ms, "wall_ms": wall_ms, "cpu_vs_floor": cpu_ms / floor_cpu}
        print(
            f"  {name:<14} CPU {cpu_ms:6.2f} ms ({floor_cpu / cpu_ms:4.0%} of the floor's rate), "
            f"wall {wall_ms:6.2f} ms",
            flush=True,
        )
    return figures


def query_counts(requests: dict) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, send in requests.items():
        with CaptureQueriesContext(connection) as captured:
            send()
        print(f"  {name:<14} {len(captured)} queries", flush=True)


def profile(send, repeats: int) -> None:
    from pyinstrument import Profiler

    send()
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(repeats):
        send()
    profiler.stop()
    print(profiler.output_text(unicode=True, show_all=False))


def main() -> None:
    """`uv run python -m bench.timer_pages`: the dashboard and the HTMX toggle against the floors,
    in-process, on a database of their own (dropped and created again unless --reuse)."""
    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/timer_bench")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument(
        "--profile", choices=("dashboard", "toggle", "floor", "switch", "week read")
    )
    args = parser.parse_args()
    recreate_database(args.database_url)
    manage(args.database_url, "migrate", "--no-input", "-v", "0")
    manage(args.database_url, "collectstatic", "--no-input", "-v", "0")
    setup_django(args.database_url)
    requests = _clients(create_load_users(1)[0])
    if args.profile:
        name = {
            "dashboard": "dashboard",
            "toggle": "toggle (HTMX)",
            "floor": "floor",
            "switch": "switch (API)",
            "week read": "week read (API)",
        }
        profile(requests[name[args.profile]], args.repeats)
        return
    print("== Queries per request", flush=True)
    query_counts(requests)
    print(f"== Median of {args.repeats} requests each, in-process", flush=True)
    time_pages(requests, args.repeats)


if __name__ == "__main__":
    main()
