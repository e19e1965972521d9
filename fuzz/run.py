"""The JSON API under a schema fuzzer (`make fuzz`, README "Fuzzing the API").

Serves the app under gunicorn on 127.0.0.1 with a PostgreSQL database of its own (dropped and
created), the demo data, a token and a few objects to act on; runs schemathesis (`st run`, set up
by schemathesis.toml) over /api/v1/openapi.json for a bounded time; stops the server and counts
the requests it answered, and the 5xx among them, from its access log.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "out"  # not under test-results/, which pytest-playwright empties
SECRET_KEY = "fuzzing-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-0123"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/worklog_fuzz")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=int, default=600, help="schemathesis's time budget")
    parser.add_argument("st_args", nargs="*", help="more `st run` options, after --")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    recreate_database(args.database_url)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_demo_data", "--i-know-this-is-not-production")
    env.update(prepare(env))
    access_log = OUT / "access.log"
    access_log.unlink(missing_ok=True)
    server = serve(env, args.port, access_log)
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait_until_up(f"{base}/healthz")
        fuzzed = subprocess.run(
            [
                str(Path(sys.executable).parent / "st"),
                "run",
                f"{base}/api/v1/openapi.json",
                "--max-time",
                str(args.seconds),
                *args.st_args,
            ],
            cwd=ROOT,
            env=env,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    answered, errors = count(access_log)
    print(f"\nThe server answered {answered} API requests; {errors} of them with a 5xx.")
    return fuzzed.returncode or (1 if errors else 0)


def recreate_database(database_url: str) -> None:
    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


PREPARE = """
from datetime import date
from core.demo import DEMO_USERNAME
from core.models import User
from core.services import create_api_token
from worklog.journal.reports import generate_report
from worklog.models import WorkLog, WorkSession
from worklog.procedures.models import SOP, SafetyCheck, SOPStep
from worklog.procedures import services

user = User.objects.get(username=DEMO_USERNAME)
sop = SOP.objects.get(created_by=user)
session = services.start_procedure_session(worker=user, sop=sop)
first_step = session.current_step
services.record_check(session=session, user=user, step_id=first_step.pk, result="passed")
report = generate_report(user, kind="weekly", anchor=date.today())
ids = {
    "sessions": [session.pk],
    "checks": list(SafetyCheck.objects.filter(session=session).values_list("pk", flat=True)),
    "timer_sessions": list(
        WorkSession.objects.filter(user=user)
        .order_by("-started_at")
        .values_list("pk", flat=True)[:20]
    ),
    "sops": [sop.pk],
    "steps": list(SOPStep.objects.filter(task__sop=sop).values_list("pk", flat=True)),
    "worklogs": list(WorkLog.objects.filter(user=user).values_list("pk", flat=True)),
    "reports": [report.pk],
}
for name, values in ids.items():
    with open(f"{OUT}/{name}.dict", "w") as entries:
        entries.writelines(f'"{value}"\\n' for value in values)
print(create_api_token(user=user, name="fuzzing")[1])
"""


def prepare(env: dict) -> dict[str, str]:
    """A procedure session with a recorded check and a report to act on, the ids
    schemathesis.toml's dictionaries offer for path and body parameters, and the demo user's
    token."""
    out = manage(env, "shell", "-c", PREPARE.replace("{OUT}", str(OUT)))
    return {"WORKLOG_FUZZ_TOKEN": out.strip().splitlines()[-1]}


def serve(env: dict, port: int, access_log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--config",
            "config/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            # Generated queries outgrow gunicorn's 4 KiB request line, which it answers with an
            # HTML 414 before the app sees them; the fuzzer is here to try the app.
            "--limit-request-line",
            "0",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(s)s %(m)s %(U)s",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"The server did not answer {url} within {seconds} s.")


ACCESS_LINE = re.compile(r"^(?P<status>[0-9]{3}) [A-Z]+ (?P<path>/api/v1/)", re.MULTILINE)


def count(access_log: Path) -> tuple[int, int]:
    """API requests answered, and how many with a 5xx, from lines '<status> <method> <path>'
    (a fuzzed path may hold a line break: the rest of it is no line of its own)."""
    statuses = [match["status"] for match in ACCESS_LINE.finditer(access_log.read_text())]
    return len(statuses), sum(status.startswith("5") for status in statuses)


if __name__ == "__main__":
    sys.exit(main())
