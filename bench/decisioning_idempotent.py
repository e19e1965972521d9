"""Overhead of `@idempotent`: queries and time per first call and per replay, against the same
operation undecorated. Runs on a throw-away test database (SQLite in memory by default; set
DATABASE_URL=postgres://... for PostgreSQL).

    uv run python bench/decisioning_idempotent.py [--calls 300]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from core.models import User  # noqa: E402
from decisioning.decorators import idempotent  # noqa: E402
from decisioning.models import Decision  # noqa: E402

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def measure(call, arguments):
    """Median milliseconds, SQL statements and transaction-control statements per call."""
    timings, statements, control = [], [], []
    for argument in arguments:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call(argument)
            timings.append((time.perf_counter() - started) * 1000)
        sql = [query["sql"].lstrip().upper() for query in captured.captured_queries]
        control.append(sum(line.startswith(TRANSACTION_CONTROL) for line in sql))
        statements.append(len(sql) - control[-1])
    return statistics.median(timings), statistics.median(statements), statistics.median(control)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    calls = parser.parse_args().calls

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user = User.objects.create_user(username="bench")

        def record(number):
            return Decision.objects.create(
                target=user, decision_type="bench", reason=str(number), decided_by=user
            )

        idempotent_record = idempotent(key_func=lambda number: f"bench:{number}")(record)
        # Warm up connections, caches and prepared statements.
        for number in range(-20, 0):
            record(number)
            idempotent_record(number)
            idempotent_record(number)

        rows = [
            ("plain function", *measure(record, range(calls))),
            ("@idempotent first call", *measure(idempotent_record, range(calls))),
            ("@idempotent replay", *measure(idempotent_record, range(calls))),
        ]
        baseline_ms, baseline_statements = rows[0][1], rows[0][2]
        print(f"{connection.vendor}, {calls} calls each, median per call")
        print(
            f"{'':26}{'ms':>8}{'overhead ms':>13}{'statements':>12}{'extra':>7}"
            f"{'BEGIN/COMMIT/ROLLBACK':>23}"
        )
        for name, ms, statements, control in rows:
            print(
                f"{name:26}{ms:8.3f}{ms - baseline_ms:13.3f}{statements:12.0f}"
                f"{statements - baseline_statements:7.0f}{control:23.0f}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
