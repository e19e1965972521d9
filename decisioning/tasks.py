"""Background work: the periodic purge of expired idempotency keys.

`purge_expired_idempotency_keys_task` purges, then enqueues its own next run
`DECISIONING_PURGE_INTERVAL` later (a timedelta; default one hour). Start the chain once with
`manage.py purge_idempotency_keys --schedule` (`make run` and `make serve` do, before
`manage.py db_worker` runs it). Starting it again is harmless: each run is claimed under an
idempotency key named after its time slot (the interval it falls in), so however often the
app restarts, one run per slot is enqueued and the chain never doubles. A backend that cannot
defer a task (the immediate backend of the tests) runs the purge once, without a next run.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import TaskResult, task
from django.utils import timezone

from .exceptions import IdempotencyKeyReusedError, OperationInFlightError
from .idempotency import claim_key, encode_result, run_claimed
from .models import IdempotencyKey
from .services import purge_expired_idempotency_keys

logger = logging.getLogger(__name__)

DEFAULT_PURGE_INTERVAL = timedelta(hours=1)
SCHEDULE_SCOPE = "tasks"


def purge_interval() -> timedelta:
    return getattr(settings, "DECISIONING_PURGE_INTERVAL", DEFAULT_PURGE_INTERVAL)


@task
def purge_expired_idempotency_keys_task(batch_size: int = 1000) -> int:
    try:
        return purge_expired_idempotency_keys(batch_size=batch_size)
    finally:
        # Even after a failed purge, so that one bad run does not end the chain.
        schedule_purge(run_after=timezone.now() + purge_interval(), batch_size=batch_size)


def schedule_purge(
    *, run_after: datetime | None = None, batch_size: int = 1000
) -> TaskResult | None:
    """Enqueue a purge to run at `run_after` (default: now), unless one is already enqueued
    for that time slot or the backend cannot defer tasks. Returns the enqueued run, if any."""
    if not purge_expired_idempotency_keys_task.get_backend().supports_defer:
        logger.info("The task backend cannot defer tasks: the purge is not rescheduled.")
        return None
    run_after = run_after or timezone.now()
    interval = purge_interval()
    slot = int(run_after.timestamp() // interval.total_seconds())
    key = f"purge-idempotency-keys:{slot}"
    try:
        claim = claim_key(
            key=key,
            scope=SCHEDULE_SCOPE,
            expires_at=run_after + 2 * interval,
        )
    except (OperationInFlightError, IdempotencyKeyReusedError):
        return None
    if isinstance(claim, IdempotencyKey):
        return None  # already enqueued for this slot
    # The run is enqueued and the slot marked taken in one transaction (with the database
    # backend, the task row is written in it too).
    return run_claimed(
        claim,
        lambda: purge_expired_idempotency_keys_task.using(run_after=run_after).enqueue(
            batch_size=batch_size
        ),
        store=lambda result: encode_result(key, result.id),
    )
