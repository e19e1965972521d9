"""Background work: the periodic purge of expired idempotency keys.

`purge_expired_idempotency_keys_task` purges, then enqueues its own next run
`DECISIONING_PURGE_INTERVAL` later (a timedelta; default one hour). Start the chain once with
`manage.py purge_idempotency_keys --schedule` (`make run` and `make serve` do, before
`manage.py db_worker` runs it). Starting it again is harmless: each run is claimed under an
idempotency key named after its time slot (the interval it falls in), so however often the
app restarts and however many nodes start it, one run per slot is enqueued and the chain never
doubles (decisioning.scheduling). A backend that cannot defer a task (the immediate backend of
the tests) runs the purge once, without a next run.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import TaskResult, task
from django.utils import timezone

from .scheduling import enqueue_once_per_slot
from .services import purge_expired_idempotency_keys

DEFAULT_PURGE_INTERVAL = timedelta(hours=1)


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
    """Enqueue a purge to run at `run_after` (default: now), once per time slot
    (decisioning.scheduling). Returns the enqueued run, if any."""
    return enqueue_once_per_slot(
        purge_expired_idempotency_keys_task,
        name="purge-idempotency-keys",
        interval=purge_interval(),
        run_after=run_after,
        batch_size=batch_size,
    )
