"""Starts and stops the app under gunicorn on PostgreSQL for a benchmark run."""

import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/worklog_bench"
SECRET_KEY = "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.conf.py"
STATE_CHECKS_CONFIG = ROOT / "config" / "gunicorn_state_checks.conf.py"


def gunicorn_settings() -> dict:
    """The settings config/gunicorn.conf.py gives (threads per worker, and so on)."""
    return runpy.run_path(str(GUNICORN_CONFIG))


def server_environment(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        # Failed logins are not what we measure; keep the lockout out of the way of many clients.
        "AXES_FAILURE_LIMIT": "1000",
        **(extra or {}),
    }


def recreate_database(database_url: str) -> None:
    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(database_url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=server_environment(database_url),
        check=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    database_url: str,
    workers: int | None = None,
    env: dict[str, str] | None = None,
    config: Path = GUNICORN_CONFIG,
):
    """Yields (base_url, master pid) of a running gunicorn on a free port, configured as
    `make serve` runs it (`config`: the app's config/gunicorn.conf.py by default), with `env`
    added to its environment and `workers` (when given) in place of the config's; stops it
    afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--config",
            str(config),
            "--bind",
            f"127.0.0.1:{port}",
            *(("--workers", str(workers)) if workers else ()),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_environment(database_url, env),
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not come up")
            time.sleep(0.3)
        yield base_url, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def worker_pids(master_pid: int) -> list[int]:
    """The pids of a gunicorn master's workers."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:  # a process that ended meanwhile
            continue
        if f"\nPPid:\t{master_pid}\n" in text:
            pids.append(int(status.parent.name))
    return pids


def worker_peak_memory_mib(master_pid: int) -> list[float]:
    """Peak resident memory (VmHWM) of each gunicorn worker, in MiB."""
    peaks = []
    for pid in worker_pids(master_pid):
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) / 1024)
    return sorted(peaks)
