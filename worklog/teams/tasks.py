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

from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import TaskResult, task
from django.utils import timezone

from decisioning.scheduling import enqueue_once_per_slot
from worklog.teams import services

DEFAULT_WEEK_REMINDERS_INTERVAL = timedelta(minutes=15)


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
    return enqueue_once_per_slot(
        send_week_reminders_task,
        name="week-reminders",
        interval=week_reminders_interval(),
        run_after=run_after,
    )
