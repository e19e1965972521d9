"""What must hold after every load run, read back from the database. Each check returns the
number of violations; any violation fails the benchmark command."""

from collections.abc import Callable

from django.apps import apps
from django.db import connection
from django.db.models import Count, F, Q, Sum

from bench.load import LoadResult


def users_with_two_running_timers() -> int:
    from worklog.models import WorkSession

    return (
        WorkSession.objects.filter(stopped_at__isnull=True)
        .values("user")
        .annotate(running=Count("id"))
        .filter(running__gt=1)
        .count()
    )


def stopped_sessions_with_wrong_duration() -> int:
    """duration_seconds must be stopped_at - started_at in whole seconds, as the app truncates."""
    from worklog.models import WorkSession

    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FROM {WorkSession._meta.db_table}
            WHERE stopped_at IS NOT NULL
            AND duration_seconds <> trunc(extract(epoch FROM stopped_at - started_at))::int"""
        )
        return cursor.fetchone()[0]


def workers_with_two_active_procedures() -> int:
    try:
        model = apps.get_model("worklog", "ProcedureSession")
    except LookupError:
        return 0
    return (
        model.objects.filter(status__in=["in_progress", "paused"])
        .values("worker")
        .annotate(active=Count("id"))
        .filter(active__gt=1)
        .count()
    )


def work_items_spawned_twice() -> int:
    """A basket committed twice would spawn each line's work twice."""
    from catalog.models import WorkItem

    return (
        WorkItem.all_objects.values("basket_item", "work_type")
        .annotate(copies=Count("id"))
        .filter(copies__gt=1)
        .count()
    )


def lines_dispensed_beyond_ordered() -> int:
    from catalog.models import BasketItem

    return (
        BasketItem.all_objects.annotate(
            dispensed=Sum(
                "dispense_logs__quantity_dispensed", filter=Q(dispense_logs__deleted_at=None)
            )
        )
        .filter(dispensed__gt=F("quantity"))
        .count()
    )


DATABASE_CHECKS: dict[str, Callable[[], int]] = {
    "users with two running timers": users_with_two_running_timers,
    "stopped sessions whose duration is not their interval": stopped_sessions_with_wrong_duration,
    "workers with two active procedure sessions": workers_with_two_active_procedures,
    "basket lines whose work was spawned twice": work_items_spawned_twice,
    "basket lines dispensed beyond the ordered quantity": lines_dispensed_beyond_ordered,
}


def check(result: LoadResult) -> dict[str, int]:
    """Violations after `result`'s run: the database's, plus the run's own 5xx answers and any
    idempotency key whose operation ran twice."""
    violations = {name: check() for name, check in DATABASE_CHECKS.items()}
    transport = sum(result.transport_errors.values())
    violations["5xx answers"] = result.server_errors - transport
    violations["requests without an answer"] = transport
    violations["idempotency keys executed twice"] = result.keys_executed_twice
    return {name: count for name, count in violations.items() if count}
