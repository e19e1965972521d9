"""Background work of the timer, run by `manage.py db_worker`: forgotten timers.

`check_forgotten_timers_task` stops the running sessions that their users' preferences say
should have stopped, and asks by email about those running longer than the long-session limit;
then it enqueues its own next run `WORKLOG_FORGOTTEN_TIMERS_INTERVAL` later (a timedelta;
default one minute). Start the chain with `manage.py check_forgotten_timers --schedule` (`make
run` and `make serve` do). As with decisioning's purge, each run is claimed under an idempotency
key named after its time slot, so restarts never double the chain; a backend that cannot defer
(the tests' immediate one) runs the check once.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import TaskResult, task
from django.utils import timezone

from decisioning.exceptions import IdempotencyKeyReusedError, OperationInFlightError
from decisioning.idempotency import claim_key, encode_result, run_claimed
from decisioning.models import IdempotencyKey
from worklog.timer import services

logger = logging.getLogger(__name__)

DEFAULT_FORGOTTEN_TIMERS_INTERVAL = timedelta(minutes=1)
SCHEDULE_SCOPE = "tasks"


def forgotten_timers_interval() -> timedelta:
    return getattr(settings, "WORKLOG_FORGOTTEN_TIMERS_INTERVAL", DEFAULT_FORGOTTEN_TIMERS_INTERVAL)


@task
def check_forgotten_timers_task() -> dict[str, int]:
    """Returns how many sessions it stopped and how many users it emailed."""
    try:
        now = timezone.now()
        stopped = services.stop_forgotten_sessions(now=now)
        asked = services.ask_about_long_sessions(now=now)
        return {"stopped": len(stopped), "asked": len(asked)}
    finally:
        # Even after a failed run, so that one bad run does not end the chain.
        schedule_forgotten_timers_check(run_after=timezone.now() + forgotten_timers_interval())


def schedule_forgotten_timers_check(*, run_after: datetime | None = None) -> TaskResult | None:
    """Enqueue a check to run at `run_after` (default: now), unless one is already enqueued for
    that time slot or the backend cannot defer tasks. Returns the enqueued run, if any."""
    if not check_forgotten_timers_task.get_backend().supports_defer:
        logger.info("The task backend cannot defer tasks: the check is not rescheduled.")
        return None
    run_after = run_after or timezone.now()
    interval = forgotten_timers_interval()
    key = f"check-forgotten-timers:{int(run_after.timestamp() // interval.total_seconds())}"
    try:
        claim = claim_key(key=key, scope=SCHEDULE_SCOPE, expires_at=run_after + 2 * interval)
    except (OperationInFlightError, IdempotencyKeyReusedError):
        return None
    if isinstance(claim, IdempotencyKey):
        return None  # already enqueued for this slot
    return run_claimed(
        claim,
        lambda: check_forgotten_timers_task.using(run_after=run_after).enqueue(),
        store=lambda result: encode_result(key, result.id),
    )
