"""Background work of the teams, run by `manage.py db_worker`: the Monday reminders.

`send_week_reminders_task` emails, on Monday morning in each user's zone, the members whose
previous week is not submitted and the managers with weeks waiting (each email once per week and
recipient, see services.send_week_reminders); then it enqueues its own next run
`WORKLOG_WEEK_REMINDERS_INTERVAL` later (a timedelta; default 15 minutes, so every zone's
Monday morning is reached). Start the chain with `manage.py send_week_reminders --schedule`
(`make run` and `make serve` do). As with the forgotten-timer check, each run is claimed under an
idempotency key named after its time slot, so restarts never double the chain; a backend that
cannot defer (the tests' immediate one) runs once.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import TaskResult, task
from django.utils import timezone

from decisioning.exceptions import IdempotencyKeyReusedError, OperationInFlightError
from decisioning.idempotency import claim_key, encode_result, run_claimed
from decisioning.models import IdempotencyKey
from worklog.teams import services

logger = logging.getLogger(__name__)

DEFAULT_WEEK_REMINDERS_INTERVAL = timedelta(minutes=15)
SCHEDULE_SCOPE = "tasks"


def week_reminders_interval() -> timedelta:
    return getattr(settings, "WORKLOG_WEEK_REMINDERS_INTERVAL", DEFAULT_WEEK_REMINDERS_INTERVAL)


@task
def send_week_reminders_task() -> dict[str, int]:
    """Returns how many reminders it sent."""
    try:
        return {"sent": len(services.send_week_reminders(now=timezone.now()))}
    finally:
        # Even after a failed run, so that one bad run does not end the chain.
        schedule_week_reminders(run_after=timezone.now() + week_reminders_interval())


def schedule_week_reminders(*, run_after: datetime | None = None) -> TaskResult | None:
    """Enqueue a run at `run_after` (default: now), unless one is already enqueued for
    that time slot or the backend cannot defer tasks. Returns the enqueued run, if any."""
    if not send_week_reminders_task.get_backend().supports_defer:
        logger.info("The task backend cannot defer tasks: the check is not rescheduled.")
        return None
    run_after = run_after or timezone.now()
    interval = week_reminders_interval()
    key = f"week-reminders:{int(run_after.timestamp() // interval.total_seconds())}"
    try:
        claim = claim_key(key=key, scope=SCHEDULE_SCOPE, expires_at=run_after + 2 * interval)
    except (OperationInFlightError, IdempotencyKeyReusedError):
        return None
    if isinstance(claim, IdempotencyKey):
        return None  # already enqueued for this slot
    return run_claimed(
        claim,
        lambda: send_week_reminders_task.using(run_after=run_after).enqueue(),
        store=lambda result: encode_result(key, result.id),
    )
