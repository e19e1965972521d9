"""Migration 0003 rewrites results stored in the old format into the seed's, which the
decorator replays."""

import importlib

import pytest
from django.apps import apps

from decisioning import IdempotencyKey, IdempotencyStatus, idempotent
from tests.testapp_decisioning.models import Ticket

pytestmark = pytest.mark.django_db

migration = importlib.import_module("decisioning.migrations.0003_idempotency_result_seed_format")


def completed(key: str, **fields) -> IdempotencyKey:
    return IdempotencyKey.objects.create(key=key, status=IdempotencyStatus.COMPLETED, **fields)


def stored(key: str) -> tuple[str, str, object]:
    row = IdempotencyKey.objects.get(key=key)
    return row.result_type, row.result_id, row.result_data


def test_old_results_are_rewritten_in_the_seed_format_and_replay(user):
    ticket = Ticket.objects.create(title="t", owner=user)
    completed("dict", result_type="json", result_data={"value": {"value": 3, "unit": "kg"}})
    completed("number", result_type="json", result_data={"value": 7})
    completed("nothing", result_type="json", result_data={"value": None})
    completed(
        "ticket",
        result_type="model:testapp_decisioning.Ticket",
        result_id=str(ticket.pk),
    )
    completed("gone", result_type="model:vanished.Thing", result_id="9")
    completed("http", result_type="http_response", result_data={"status": 201})

    migration.to_seed_format(apps, None)

    assert stored("dict") == ("builtins.dict", "", {"value": 3, "unit": "kg"})
    assert stored("number") == ("builtins.int", "", {"value": 7})
    assert stored("nothing") == ("builtins.NoneType", "", {"value": None})
    assert stored("ticket") == ("tests.testapp_decisioning.models.Ticket", str(ticket.pk), {})
    assert stored("gone") == ("vanished.models.Thing", "9", {})
    assert stored("http") == ("http_response", "", {"status": 201})

    @idempotent(key_func=lambda key: key)
    def replay(key):
        raise AssertionError("a completed key must not run again")

    assert replay("dict") == {"value": 3, "unit": "kg"}
    assert replay("number") == 7
    assert replay("nothing") is None
    assert replay("ticket") == ticket


def test_the_migration_can_be_reversed(user):
    ticket = Ticket.objects.create(title="t", owner=user)
    completed("dict", result_type="builtins.dict", result_data={"value": 3})
    completed("text", result_type="builtins.str", result_data={"value": "ok"})
    completed(
        "ticket",
        result_type="tests.testapp_decisioning.models.Ticket",
        result_id=str(ticket.pk),
    )

    migration.to_old_format(apps, None)

    assert stored("dict") == ("json", "", {"value": {"value": 3}})
    assert stored("text") == ("json", "", {"value": "ok"})
    assert stored("ticket") == ("model:testapp_decisioning.Ticket", str(ticket.pk), {})
