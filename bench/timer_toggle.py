"""Timer toggle: latency and throughput over HTTP, on PostgreSQL under gunicorn, against a bare
view that does one indexed read and one write, all measured in the same run.

    uv run python -m bench.timer_toggle [--clients 4] [--requests 400] [--seconds 20]

Each client is its own user. "api toggle" posts /api/v1/timer/toggle with a token (what a desktop
hotkey sends); "htmx toggle" posts the dashboard's toggle with a session cookie and renders the
swapped fragments; "baseline" is bench/timer_urls.py's bare view. Afterwards the database is
checked: no user has two running sessions, and every stopped session's duration is its interval.
"""

import argparse
import json
import logging
import os

from bench import server
from bench.load import Request, run_load
from bench.server import DEFAULT_DATABASE_URL, gunicorn, manage, recreate_database

PASSWORD = "bench-password-123"
HISTORY_PER_USER = 500
BENCH_SETTINGS = "bench.timer_settings"


def _setup_django(database_url: str) -> None:
    os.environ.update(
        {"DJANGO_SETTINGS_MODULE": BENCH_SETTINGS, "DATABASE_URL": database_url, "DEBUG": "1"}
    )
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _seed(clients: int) -> tuple[list[int], list[str]]:
    """Users with a token and a history of sessions (so reads are not of empty tables), each with
    a session running for the baseline view to read."""
    from datetime import timedelta

    from django.utils import timezone

    from core.models import User
    from core.services import create_api_token
    from worklog.models import WorkSession

    user_ids, tokens = [], []
    now = timezone.now()
    for index in range(clients):
        user = User.objects.create_user(f"bench{index}", password=PASSWORD)
        tokens.append(create_api_token(user=user, name="bench")[1])
        user_ids.append(user.pk)
        WorkSession.objects.bulk_create(
            WorkSession(
                user=user,
                started_at=now - timedelta(hours=n + 1),
                stopped_at=now - timedelta(hours=n + 1) + timedelta(minutes=30),
                duration_seconds=1800,
                end_reason="stopped",
            )
            for n in range(HISTORY_PER_USER)
        )
        WorkSession.objects.create(user=user, switch_policy=True)
    return user_ids, tokens


def _signed_in_client_kwargs(base_url: str, index: int) -> dict:
    import re

    import httpx

    with httpx.Client(base_url=base_url) as client:
        page = client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post(
            "/accounts/login/",
            data={"username": f"bench{index}", "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302, f"bench{index} could not sign in"
        cookies = dict(client.cookies)
    return {
        "cookies": cookies,
        "headers": {"X-CSRFToken": cookies["csrftoken"], "HX-Request": "true"},
    }


def _check_database() -> dict:
    from django.db.models import Count

    from worklog.models import WorkSession

    running = (
        WorkSession.objects.active().values("user").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    assert running == 0, f"{running} users have two running sessions"
    for session in WorkSession.objects.completed().iterator():
        expected = int((session.stopped_at - session.started_at).total_seconds())
        assert session.duration_seconds == expected, session.pk
    return {"sessions": WorkSession.objects.count(), "users_with_two_running": running}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL + "_timer")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    # The server runs the production settings plus the baseline view.
    production_environment = server.server_environment
    server.server_environment = lambda url: {
        **production_environment(url),
        "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS,
    }

    recreate_database(args.database_url)
    manage(args.database_url, "migrate", "--no-input", "-v", "0")
    manage(args.database_url, "collectstatic", "--no-input", "-v", "0")
    _setup_django(args.database_url)
    user_ids, tokens = _seed(args.clients)

    results = []
    with gunicorn(args.database_url, workers=args.workers) as (base_url, _pid):
        results.append(
            run_load(
                "baseline (1 indexed read + 1 write)",
                base_url,
                args.clients,
                lambda i: Request("POST", "/bench/baseline"),
                lambda i: {"headers": {"X-Bench-User": str(user_ids[i])}},
                max_requests=args.requests,
                max_seconds=args.seconds,
            )
        )
        results.append(
            run_load(
                "api toggle",
                base_url,
                args.clients,
                lambda i: Request("POST", "/api/v1/timer/toggle"),
                lambda i: {"headers": {"Authorization": f"Bearer {tokens[i]}"}},
                max_requests=args.requests,
                max_seconds=args.seconds,
            )
        )
        sessions = [_signed_in_client_kwargs(base_url, i) for i in range(args.clients)]
        results.append(
            run_load(
                "htmx toggle (with fragments)",
                base_url,
                args.clients,
                lambda i: Request("POST", "/timer/toggle/"),
                lambda i: sessions[i],
                max_requests=args.requests,
                max_seconds=args.seconds,
            )
        )

    for result in results:
        print(json.dumps(result.as_dict()))
    print(json.dumps(_check_database()))


if __name__ == "__main__":
    main()
