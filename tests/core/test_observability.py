import json
import logging
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from core import observability
from worklog.services import start_session

pytestmark = pytest.mark.django_db

TOKEN = "metrics-secret-0123456789"


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.METRICS_TOKEN = TOKEN
    return settings


def test_metrics_are_refused_to_an_unauthorised_caller(metrics_settings, user_client):
    assert Client(REMOTE_ADDR="192.168.1.5").get("/metrics").status_code == 403
    wrong = Client(REMOTE_ADDR="192.168.1.5", headers={"Authorization": "Bearer nope"})
    assert wrong.get("/metrics").status_code == 403
    # Signing in does not help: metrics are for Prometheus, not for users.
    assert user_client.get("/metrics").status_code == 403


def test_metrics_are_refused_to_everyone_when_nothing_is_configured(settings):
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.METRICS_TOKEN = ""
    assert Client(headers={"Authorization": "Bearer "}).get("/metrics").status_code == 403


def test_metrics_are_served_with_the_token_or_to_an_allowed_network(metrics_settings, user):
    start_session(user)
    with_token = Client(REMOTE_ADDR="192.168.1.5", headers={"Authorization": f"Bearer {TOKEN}"})
    response = with_token.get("/metrics")
    assert response.status_code == 200
    body = response.content.decode()
    assert "worklog_running_timers 1.0" in body
    assert "worklog_tasks_waiting 0.0" in body
    assert "django_http_requests_latency_seconds_by_view_method" in body
    assert "django_db_execute_total" in body
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200


def test_metrics_behind_a_proxy_judge_the_client_not_the_proxy(metrics_settings):
    metrics_settings.PROXY_COUNT = 1
    outsider = Client(REMOTE_ADDR="10.0.0.2", headers={"X-Forwarded-For": "203.0.113.9"})
    assert outsider.get("/metrics").status_code == 403


def test_idempotent_replays_are_counted(user_client):
    counter = observability.idempotent_replays.labels(surface="page")
    before = counter._value.get()
    for _ in range(2):
        user_client.post(
            reverse("worklog:timer-toggle"), headers={"Idempotency-Key": "toggle-once"}
        )
    assert counter._value.get() == before + 1


def test_readyz_answers_200_when_every_migration_is_applied(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "migrations": "applied"}


def test_readyz_answers_503_while_a_migration_is_missing(client):
    with mock.patch.object(
        observability,
        "_expected_migrations",
        frozenset({("worklog", "9999_not_yet_applied")}),
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "1 not applied"


def test_readyz_answers_503_when_the_database_does_not(client):
    with mock.patch("core.observability.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["database"] == "down"


def test_readyz_costs_one_query(client, django_assert_num_queries):
    client.get("/readyz")
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


def test_responses_carry_a_request_id_and_keep_a_sane_one_from_the_proxy(client):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "lb-42"})["X-Request-ID"] == "lb-42"
    forged = client.get("/healthz", headers={"X-Request-ID": "a b\nc"})["X-Request-ID"]
    assert forged != "a b\nc" and len(forged) == 32


def test_json_logs_are_one_object_per_line_with_the_request_id(client):
    formatter = observability.JsonLogFormatter()
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(formatter.format(record))

    handler = Capture()
    handler.addFilter(observability.RequestIdFilter())
    logger = logging.getLogger("core.views")
    logger.addHandler(handler)
    try:
        with mock.patch("core.views.connection.cursor", side_effect=DatabaseError("down")):
            response = client.get("/healthz")
    finally:
        logger.removeHandler(handler)
    entry = json.loads(lines[0])
    assert "\n" not in lines[0]
    assert entry["request_id"] == response["X-Request-ID"]
    assert entry["level"] == "ERROR" and "DatabaseError: down" in entry["exception"]
