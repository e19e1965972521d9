import os
import shutil
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; the ORM calls a browser test makes
# afterwards to check the database are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery"

# Every full page's header reads the user's running timer (worklog.timer.running), and the
# timer's target when one runs on a target; and the banner about a timer stopped by itself.
HEADER_QUERIES = 2
RUNNING_HEADER_QUERIES = 3


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` prove concurrency guarantees that need PostgreSQL's row locks."""
    if connection.vendor == "postgresql":
        return
    not_postgres = pytest.mark.skip(
        reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(not_postgres)


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(
        username="alice", password=PASSWORD, email="alice@example.com"
    )


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user(
        username="bob", password=PASSWORD, email="bob@example.com"
    )


@pytest.fixture
def user_client(client: Client, user) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def assert_hidden_from_other_user(other_user) -> Callable[..., None]:
    """`assert_hidden_from_other_user(url)`: user B gets 404 for user A's object at `url`, by
    plain request and by HTMX request. Pass `method="post", data={...}` for actions."""

    def check(url: str, *, method: str = "get", data: dict | None = None) -> None:
        client = Client()
        client.force_login(other_user)
        send = getattr(client, method)
        for headers in ({}, {"HX-Request": "true"}):
            response = send(url, data or {}, headers=headers)
            assert response.status_code == 404, (
                f"{method.upper()} {url} as another user answered {response.status_code}, not 404"
            )

    return check


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    return {
        **browser_type_launch_args,
        **({"executable_path": executable} if executable else {}),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
