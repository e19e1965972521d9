"""Background work of the timer, run by `manage.py db_worker`: forgotten timers.

`check_forgotten_timers_task` stops the running sessions that their users' preferences say
should have stopped, and asks by email about those running longer than the long-session limit;
then it enqueues its own next run `WORKLOG_FORGOTTEN_TIMERS_INTERVAL` later (a timedelta;
default one minute). Start the chain with `manage.py check_forgotten_timers --schedule` (`make
run` and `make serve` do). As with decisioning's purge, each run is claimed under an idempotency
key named after its time slot (decisioning.scheduling), so neither restarts nor several nodes
double the chain; a backend that cannot defer
(the tests' immediate one) runs the check once.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import TaskResult, task
from django.utils import timezone

from decisioning.scheduling import enqueue_once_per_slot
from worklog.timer import services

DEFAULT_FORGOTTEN_TIMERS_INTERVAL = timedelta(minutes=1)


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
    """Enqueue a check to run at `run_after` (default: now), once per time slot
    (decisioning.scheduling). Returns the enqueued run, if any."""
    return enqueue_once_per_slot(
        check_forgotten_timers_task,
        name="check-forgotten-timers",
        interval=forgotten_timers_interval(),
        run_after=run_after,
    )
