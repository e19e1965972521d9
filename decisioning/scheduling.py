"""Self-rescheduling background jobs that stay single however many nodes run them.

A periodic job (the idempotency-key purge, the forgotten-timer check, any reminder) enqueues its
own next run, and every node's start-up enqueues a first one. `enqueue_once_per_slot` lets one
run per (job, time slot) through: the slot is the interval `run_after` falls in, claimed as an
idempotency key, and the run is enqueued in the claim's transaction. Concurrent schedulers on
several nodes race for one unique row; the losers enqueue nothing. Two chains started in
neighbouring slots merge at their next run, whose slot the other already holds. The database
worker then hands each enqueued run to exactly one `db_worker` (a row lock, skipping the rows
other workers hold).
"""

import logging
from datetime import datetime, timedelta

from django.tasks import Task, TaskResult
from django.utils import timezone

from .exceptions import IdempotencyKeyReusedError, OperationInFlightError
from .idempotency import claim_key, encode_result, run_claimed
from .models import IdempotencyKey

logger = logging.getLogger(__name__)

SCHEDULE_SCOPE = "tasks"


def enqueue_once_per_slot(
    task: Task,
    *,
    name: str,
    interval: timedelta,
    run_after: datetime | None = None,
    **kwargs,
) -> TaskResult | None:
    """Enqueue `task(**kwargs)` to run at `run_after` (default: now), unless a run of `name` is
    already enqueued for that time slot or the backend cannot defer tasks (the tests' immediate
    one: rescheduling there would never end). Returns the enqueued run, if any."""
    if not task.get_backend().supports_defer:
        logger.info("The task backend cannot defer tasks: %s is not rescheduled.", name)
        return None
    run_after = run_after or timezone.now()
    slot = int(run_after.timestamp() // interval.total_seconds())
    key = f"{name}:{slot}"
    try:
        claim = claim_key(key=key, scope=SCHEDULE_SCOPE, expires_at=run_after + 2 * interval)
    except (OperationInFlightError, IdempotencyKeyReusedError):
        return None
    if isinstance(claim, IdempotencyKey):
        return None  # already enqueued for this slot
    return run_claimed(
        claim,
        lambda: task.using(run_after=run_after).enqueue(**kwargs),
        store=lambda result: encode_result(key, result.id),
    )
