"""Where a load run's CPU goes, read from /proc before and after it: the load generator (this
process), the app (gunicorn's master and workers, and workers it replaced during the run) and
PostgreSQL (its server processes, and backends that ended). All three share the machine's
CPUs, so a request's CPU in all is what bounds the throughput of a saturated run."""

import os
import time
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> tuple[str, int, float] | None:
    """A process's name, parent and CPU seconds, its reaped children's included."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    # After the name: state, ppid, ... utime (12), stime (13), cutime (14), cstime (15).
    ticks = sum(int(value) for value in fields[11:15])
    return name, int(fields[1]), ticks / TICKS_PER_SECOND


def snapshot(app_master_pid: int) -> dict[str, float]:
    """CPU seconds so far of the load generator, the app and the database."""
    app = database = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(entry.name)
        if stat is None:
            continue
        name, parent, seconds = stat
        if int(entry.name) == app_master_pid or parent == app_master_pid:
            app += seconds
        elif name == "postgres" or name.startswith("postgres:"):
            database += seconds
    return {"load generator": time.process_time(), "app": app, "database": database}


def per_request_ms(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request, by party, between two snapshots."""
    return {
        party: round((after[party] - before[party]) * 1000 / requests, 2) if requests else 0.0
        for party in before
    }
