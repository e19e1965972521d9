"""What the servers report about themselves: Prometheus metrics, readiness, request ids.

django-prometheus counts requests (latency by view, status codes) and database queries; the
gauges below are read from the database when Prometheus scrapes, so every node reports the same
figures however many there are. With gunicorn's several workers, set `PROMETHEUS_MULTIPROC_DIR`
(an empty directory) so that the counters of all workers are added up in each scrape.
"""

import hmac
import ipaddress
import json
import logging
import os
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

import prometheus_client
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.http import HttpRequest, HttpResponse
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from .network import client_ip

REQUEST_ID_HEADER = "X-Request-ID"
MAX_REQUEST_ID_LENGTH = 100
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")

idempotent_replays = prometheus_client.Counter(
    "worklog_idempotency_replays_total",
    "Requests answered with a stored response because their Idempotency-Key was used before.",
    ["surface"],
)


class WorklogCollector:
    """Gauges counted in the database at scrape time. The waiting tasks are counted through
    the queue's partial index; the running timers by a scan of the sessions (about 70 ms at a
    million on the benchmark machine: a scrape every 15 s costs under 1% of a core)."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        from worklog.timer.models import WorkSession

        yield GaugeMetricFamily(
            "worklog_running_timers",
            "Timer sessions running now, all users.",
            value=WorkSession.objects.active().count(),
        )
        yield GaugeMetricFamily(
            "worklog_tasks_waiting",
            "Background tasks due and not yet picked up by a worker.",
            value=DBTaskResult.objects.ready().count(),
        )


def metrics_allowed(request: HttpRequest) -> bool:
    """From a network in METRICS_ALLOWED_NETWORKS, or with `Authorization: Bearer
    <METRICS_TOKEN>`; with neither configured, nobody."""
    token = settings.METRICS_TOKEN
    authorization = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


def metrics_page() -> HttpResponse:
    registry = prometheus_client.CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        registry.register(WorklogCollector())
        body = prometheus_client.generate_latest(registry)
    else:
        registry.register(WorklogCollector())
        body = prometheus_client.generate_latest() + prometheus_client.generate_latest(registry)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)


_expected_migrations: frozenset[tuple[str, str]] | None = None


def unapplied_migrations() -> int:
    """How many of the code's newest migrations (one per app) the database lacks: the graph is
    read from disk once per process, then each check is one query."""
    global _expected_migrations
    if _expected_migrations is None:
        _expected_migrations = frozenset(
            MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = set(cursor.fetchall())
    return len(_expected_migrations - applied)


def readiness() -> tuple[bool, dict[str, str]]:
    try:
        missing = unapplied_migrations()
    except DatabaseError:
        return False, {"database": "down", "migrations": "unknown"}
    if missing:
        return False, {"database": "up", "migrations": f"{missing} not applied"}
    return True, {"database": "up", "migrations": "applied"}


def request_id_from(request: HttpRequest) -> str:
    """The caller's X-Request-ID when it is a sane token (a proxy's), else a new one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if 0 < len(given) <= MAX_REQUEST_ID_LENGTH and all(
        char.isalnum() or char in "-_.:" for char in given
    ):
        return given
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the id of the request being answered ("-" outside requests) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
        return True


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, for log collectors (`LOG_FORMAT=json`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
