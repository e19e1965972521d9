"""Runs Debian's PgBouncer in transaction mode in front of the local PostgreSQL, for the
benchmark's PgBouncer figures and the test that the app works behind it."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
MISSING = "PgBouncer is not installed (Debian: apt-get install pgbouncer)"


def available() -> bool:
    return Path(PGBOUNCER).is_file()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"PgBouncer did not start:\n{log.read_text() if log.exists() else ''}")


@contextmanager
def pgbouncer(database_url: str, *, pool_size: int = 20):
    """Yields `database_url` rewritten to pass through a PgBouncer (transaction pooling, at most
    `pool_size` server connections per database) that forwards to the URL's server."""
    parsed = urlparse(database_url)
    port = _free_port()
    user = parsed.username or "postgres"
    # PgBouncer refuses to run as root; it then runs as the PostgreSQL user, who must read this.
    workdir = Path(tempfile.mkdtemp(prefix="worklog-pgbouncer-"))
    workdir.chmod(0o755)
    log = workdir / "pgbouncer.log"
    (workdir / "userlist.txt").write_text(f'"{user}" "{parsed.password or ""}"\n')
    (workdir / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={parsed.hostname or "127.0.0.1"} port={parsed.port or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = {"plain" if parsed.password else "trust"}
auth_file = {workdir / "userlist.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits,options
logfile = {log}
"""
    )
    for path in workdir.iterdir():
        path.chmod(0o644)
    command = [PGBOUNCER, str(workdir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
        shutil.chown(workdir, user="postgres")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, log)
        password = f":{parsed.password}" if parsed.password else ""
        yield parsed._replace(netloc=f"{user}{password}@127.0.0.1:{port}").geturl()
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
