"""Races and crashes, with real threads and a real process, on PostgreSQL."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from decisioning import IdempotencyKey, IdempotencyStatus, OperationInFlightError, idempotent
from tests.testapp_decisioning.models import Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CALLERS = 8


def run_together(target, count=CALLERS):
    """Start `count` threads that call `target(index)` at the same moment; their outcomes."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def call(index):
        try:
            barrier.wait()
            outcomes[index] = ("ok", target(index))
        except Exception as error:
            outcomes[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_same_key_at_the_same_moment_runs_once(user):
    runs = []

    @idempotent(key_func=lambda title: f"open:{title}")
    def open_ticket(title):
        runs.append(title)
        time.sleep(0.5)
        return Ticket.objects.create(title=title, owner_id=user.pk).title

    outcomes = run_together(lambda index: open_ticket("once"))
    assert len(runs) == 1
    assert Ticket.objects.count() == 1
    succeeded = [value for kind, value in outcomes if kind == "ok"]
    refused = [value for kind, value in outcomes if kind == "error"]
    assert succeeded == ["once"]
    assert len(refused) == CALLERS - 1
    assert all(isinstance(error, OperationInFlightError) for error in refused)
    # After it completed, every caller gets the stored result.
    outcomes = run_together(lambda index: open_ticket("once"))
    assert outcomes == [("ok", "once")] * CALLERS
    assert len(runs) == 1


def test_racing_takeovers_of_a_crashed_key_run_once(user):
    """One caller takes the crashed key over and runs. A loser whose compare-and-set reached
    the row while the winner held it waits and then replays the stored result; one that came
    later sees a fresh claim and is refused. Which loser does which is timing: both are right."""
    runs = []

    @idempotent(key_func=lambda title: f"open:{title}", lease=timedelta(seconds=30))
    def open_ticket(title):
        runs.append(title)
        time.sleep(0.3)
        return Ticket.objects.create(title=title, owner_id=user.pk).title

    stale = IdempotencyKey.objects.create(key="open:again")
    IdempotencyKey.objects.filter(pk=stale.pk).update(
        started_at=timezone.now() - timedelta(minutes=5)
    )
    outcomes = run_together(lambda index: open_ticket("again"))
    assert len(runs) == 1
    assert Ticket.objects.count() == 1
    assert ("ok", "again") in outcomes
    refused = [value for kind, value in outcomes if kind != "ok"]
    assert all(isinstance(error, OperationInFlightError) for error in refused), refused
    assert all(value == "again" for kind, value in outcomes if kind == "ok")
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.COMPLETED


def test_takeover_waits_for_a_slow_holder_instead_of_running_twice(user):
    """A holder past its lease but alive still holds the row lock: the late caller waits and
    replays instead of running the operation a second time."""
    runs = []
    started = threading.Event()

    @idempotent(key_func=lambda title: f"slow:{title}", lease=timedelta(milliseconds=100))
    def open_ticket(title):
        runs.append(title)
        started.set()
        time.sleep(0.6)
        return Ticket.objects.create(title=title, owner_id=user.pk).title

    results = []

    def first():
        try:
            results.append(open_ticket("slow"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    time.sleep(0.2)
    assert open_ticket("slow") == "slow"
    thread.join(10)
    assert results == ["slow"]
    assert runs == ["slow"]
    assert Ticket.objects.count() == 1


CRASHING_CALLER = """
import os
import django

django.setup()
from decisioning.idempotency import claim_key, run_claimed
from tests.testapp_decisioning.models import Ticket

claim = claim_key(key="crash:1")


def work():
    Ticket.objects.create(title="half-done", owner_id=int(os.environ["OWNER_ID"]))
    os._exit(3)  # the process dies mid-operation: no handler runs, nothing is committed


run_claimed(claim, work, store=lambda result: {})
"""


def test_process_dying_mid_operation_leaves_no_half_done_work_and_its_key_recovers(user):
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "OWNER_ID": str(user.pk),
    }
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_CALLER],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert crashed.returncode == 3, crashed.stderr
    key = IdempotencyKey.objects.get(key="crash:1")
    assert key.status == IdempotencyStatus.IN_FLIGHT
    assert not Ticket.objects.exists()

    @idempotent(key_func=lambda: "crash:1", lease=timedelta(minutes=5))
    def retry():
        return Ticket.objects.create(title="done", owner_id=user.pk).title

    with pytest.raises(OperationInFlightError):
        retry()
    IdempotencyKey.objects.filter(pk=key.pk).update(
        started_at=timezone.now() - timedelta(minutes=6)
    )
    assert retry() == "done"
    assert list(Ticket.objects.values_list("title", flat=True)) == ["done"]
    assert IdempotencyKey.objects.get(pk=key.pk).status == IdempotencyStatus.COMPLETED
