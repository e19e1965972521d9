"""Two app servers on one PostgreSQL, as a load balancer spreads one user's requests: what one
node wrote, the other reads at once (nothing it answers from is kept in its own process), with
the database reached directly, through each process's connection pool, or through PgBouncer
in transaction mode. And the state checks' gunicorn beside a node, as `make serve` runs it."""

import re
import runpy
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from gunicorn.ctl.client import ControlClient

from bench import pgbouncer as bouncer
from bench.server import ROOT, STATE_CHECKS_CONFIG, gunicorn, server_environment, worker_pids
from core.services import create_api_token
from decisioning.services import record_decision
from tests.conftest import PASSWORD

STATE_CHECKS_SOCKET = runpy.run_path(str(STATE_CHECKS_CONFIG))["control_socket"]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CONNECTION_MODES = {
    "direct": {},
    "pooled": {"DATABASE_POOL": "1", "DATABASE_POOL_MAX_SIZE": "4"},
    "pgbouncer": {"DATABASE_PGBOUNCER": "1"},
}


def database_url_of_the_tests() -> str:
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    return (
        f"postgres://{params['USER']}{password}@{params['HOST'] or '127.0.0.1'}:"
        f"{params['PORT'] or 5432}/{params['NAME']}"
    )


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> str:
    """The hashed static files the servers serve with DEBUG off, collected once."""
    root = str(tmp_path_factory.mktemp("static-root"))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=server_environment("sqlite://:memory:", {"STATIC_ROOT": root}),
        check=True,
    )
    return root


@pytest.fixture(params=list(CONNECTION_MODES))
def two_nodes(request, transactional_db, static_root):
    mode = request.param
    if mode == "pgbouncer" and not bouncer.available():
        pytest.skip(bouncer.MISSING)
    with ExitStack() as stack:
        database_url = database_url_of_the_tests()
        if mode == "pgbouncer":
            # Two server connections for eight threads: transactions share them.
            database_url = stack.enter_context(bouncer.pgbouncer(database_url, pool_size=2))
        env = {**CONNECTION_MODES[mode], "STATIC_ROOT": static_root}
        nodes = [
            stack.enter_context(gunicorn(database_url, workers=1, env=env))[0] for _ in range(2)
        ]
        yield nodes


def sign_in(client: httpx.Client, node: str, username: str) -> None:
    page = client.get(f"{node}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    signed_in = client.post(
        f"{node}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed_in.status_code == 302, signed_in.text[:500]


def state_check_of(page: httpx.Response) -> tuple[str, str]:
    """The timer version a page's header shows, and the URL its tab checks it at."""
    version = re.search(r'data-timer-version="([^"]+)"', page.text).group(1)
    state_url = re.search(r'data-state-url="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    return version, state_url


def with_a_password_the_servers_know(user):
    # The servers know the production hashers only, not the tests' fast one.
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save()


def test_a_write_through_one_node_is_read_through_the_other(two_nodes, user):
    a, b = two_nodes
    user.is_superuser = True
    with_a_password_the_servers_know(user)
    _token, secret = create_api_token(user=user, name="hotkey")
    api = {"Authorization": f"Bearer {secret}"}

    with httpx.Client() as browser:
        sign_in(browser, a, user.username)

        started = httpx.post(f"{a}/api/v1/timer/start", headers=api)
        assert started.status_code in (200, 201), started.text
        assert httpx.get(f"{b}/api/v1/timer", headers=api).json()["id"] == started.json()["id"]
        # Signed in on one node is signed in on the other, and its header shows the timer running;
        # an open tab's state check agrees on either node.
        page = browser.get(f"{b}/")
        assert page.status_code == 200 and "No timer running" not in page.text
        version, state_url = state_check_of(page)
        unchanged = {"If-None-Match": f'"{version}"'}
        assert version != "idle"
        assert httpx.get(f"{a}{state_url}", headers=unchanged).status_code == 304

        # The same Idempotency-Key sent to the other node replays the first answer: no second
        # toggle.
        once = {**api, "Idempotency-Key": "toggle-1"}
        stopped = httpx.post(f"{b}/api/v1/timer/toggle", headers=once)
        replayed = httpx.post(f"{a}/api/v1/timer/toggle", headers=once)
        assert replayed.headers["Idempotent-Replayed"] == "true"
        assert replayed.json() == stopped.json() and stopped.json()["action"] == "stopped"
        assert httpx.get(f"{a}/api/v1/timer", headers=api).json() is None
        [listed] = httpx.get(f"{a}/api/v1/timer/sessions", headers=api).json()
        assert listed["id"] == started.json()["id"] and listed["stopped_at"]
        changed = httpx.get(f"{a}{state_url}", headers=unchanged)
        assert changed.status_code == 200 and changed.json()["version"] == "idle"
        assert "No timer running" in browser.get(f"{a}/").text

        record_decision(target=user, decision_type="access", reason="granted on node a")
        for node in (a, b):
            export = browser.get(f"{node}/decisions/export.csv")
            assert export.status_code == 200 and "granted on node a" in export.text
            assert httpx.get(f"{node}/readyz").json()["migrations"] == "applied"


def niceness(pid: int) -> int:
    # /proc/<pid>/stat: the command's name is in parentheses; nice is the 19th field.
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[16])


def test_the_state_checks_gunicorn_answers_an_open_tabs_checks_at_a_lower_priority(
    transactional_db, static_root, user
):
    with_a_password_the_servers_know(user)
    _token, secret = create_api_token(user=user, name="hotkey")
    env = {"STATIC_ROOT": static_root}
    with (
        gunicorn(database_url_of_the_tests(), workers=1, env=env) as (app, app_master),
        gunicorn(database_url_of_the_tests(), env=env, config=STATE_CHECKS_CONFIG) as (
            checks,
            checks_master,
        ),
        httpx.Client() as browser,
    ):
        sign_in(browser, app, user.username)
        page = browser.get(f"{app}/")
        version, state_url = state_check_of(page)
        unchanged = {"If-None-Match": f'"{version}"'}
        assert httpx.get(f"{checks}{state_url}", headers=unchanged).status_code == 304

        started = httpx.post(
            f"{app}/api/v1/timer/start", headers={"Authorization": f"Bearer {secret}"}
        )
        assert started.status_code in (200, 201), started.text
        changed = httpx.get(f"{checks}{state_url}", headers=unchanged)
        assert changed.status_code == 200 and changed.json()["version"] != version
        forged = httpx.get(f"{checks}/timer/state/?token=forged", headers=unchanged)
        assert forged.status_code == 403 and forged.json()["code"] == "invalid_token"

        check_workers = worker_pids(checks_master)
        assert len(check_workers) == 2
        [app_niceness] = {niceness(pid) for pid in worker_pids(app_master)}
        assert {niceness(pid) for pid in check_workers} == {max(app_niceness, 10)}
        # gunicornc reaches the checks' master on a socket of its own, not the app's.
        with ControlClient(STATE_CHECKS_SOCKET) as control:
            listed = control.send_command("show workers")["workers"]
        assert sorted(worker["pid"] for worker in listed) == sorted(check_workers)
