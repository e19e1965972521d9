"""Background work on several nodes, on PostgreSQL: two real `db_worker` processes run each task
once, and a periodic job scheduled by many nodes at once is enqueued once per time slot."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from decisioning.tasks import purge_expired_idempotency_keys_task, schedule_purge
from worklog.timer.tasks import schedule_forgotten_timers_check

from .worker_tasks import record_run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
TASKS = 120
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_url() -> str:
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    return (
        f"postgres://{params['USER']}{password}@{params['HOST'] or '127.0.0.1'}:"
        f"{params['PORT'] or 5432}/{params['NAME']}"
    )


def start_worker(worker_id: str, output: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
    }
    # A file, not a pipe: nobody reads the log while the worker runs.
    with output.open("w") as log:
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.05", "--worker-id", worker_id],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_until_started(worker: subprocess.Popen, output: Path) -> None:
    deadline = time.monotonic() + 60
    while "Starting worker" not in output.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"The worker did not start:\n{output.read_text()}")
        time.sleep(0.1)


def wait_until_done(deadline_seconds: float) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists():
            return
        time.sleep(0.1)
    raise AssertionError("The workers did not finish the queue in time.")


def test_two_workers_run_each_task_exactly_once(settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    log_path = tmp_path / "runs.log"
    outputs = [tmp_path / "node-a.log", tmp_path / "node-b.log"]
    workers = [start_worker("node-a", outputs[0]), start_worker("node-b", outputs[1])]
    try:
        for worker, output in zip(workers, outputs, strict=True):
            wait_until_started(worker, output)
        with transaction.atomic():
            for number in range(TASKS):
                record_run.enqueue(number=number, log_path=str(log_path))
        wait_until_done(deadline_seconds=60)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)
    runs = [line.split() for line in log_path.read_text().splitlines()]
    assert sorted(int(number) for number, _pid in runs) == list(range(TASKS))
    assert {pid for _number, pid in runs} == {str(worker.pid) for worker in workers}
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == TASKS
    assert {tuple(ids) for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)} == {
        ("node-a",),
        ("node-b",),
    }


def schedule_from_many_nodes(schedule, nodes: int) -> list:
    """`schedule()` from `nodes` threads at once (each with its own connection, as separate
    processes would have), released together."""
    start = threading.Barrier(nodes)
    results = []

    def node():
        try:
            start.wait()
            results.append(schedule())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=node) for _ in range(nodes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize(
    "schedule,task_name",
    [
        (schedule_purge, purge_expired_idempotency_keys_task.module_path),
        (schedule_forgotten_timers_check, "worklog.timer.tasks.check_forgotten_timers_task"),
    ],
)
def test_a_periodic_job_started_by_many_nodes_at_once_is_enqueued_once(
    settings, schedule, task_name
):
    settings.TASKS = DATABASE_TASKS
    run_after = timezone.now() + timedelta(seconds=30)
    results = schedule_from_many_nodes(lambda: schedule(run_after=run_after), nodes=6)
    assert sum(result is not None for result in results) == 1
    assert DBTaskResult.objects.filter(task_path=task_name).count() == 1
