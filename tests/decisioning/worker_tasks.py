"""A task for the tests that run real `db_worker` processes: each run appends one line."""

import os
import time

from django.tasks import task


@task
def record_run(*, number: int, log_path: str) -> None:
    # Long enough that both workers are busy at once.
    time.sleep(0.02)
    with open(log_path, "a") as log:
        log.write(f"{number} {os.getpid()}\n")
