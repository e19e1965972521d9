"""Background work. `purge_expired_idempotency_keys_task` is the periodic purge: enqueue it
from a scheduler (cron, a systemd timer: `manage.py shell -c "from decisioning.tasks import
purge_expired_idempotency_keys_task as t; t.enqueue()"`, then `manage.py db_worker` runs it), or
run `manage.py purge_idempotency_keys` directly from the scheduler."""

from django.tasks import task

from .services import purge_expired_idempotency_keys


@task
def purge_expired_idempotency_keys_task(batch_size: int = 1000) -> int:
    return purge_expired_idempotency_keys(batch_size=batch_size)
