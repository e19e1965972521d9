import uuid
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from decisioning.models import Decision, DecisionOutcome, IdempotencyKey, IdempotencyStatus
from tests.testapp_decisioning.models import Ticket

pytestmark = pytest.mark.django_db


# IdempotencyKey


def test_idempotency_key_creation():
    key = IdempotencyKey.objects.create(key="op:1")
    assert key.key == "op:1"
    assert key.status == IdempotencyStatus.IN_FLIGHT
    assert key.completed_at is None
    assert key.result_data == {}


def test_idempotency_key_has_uuid_pk():
    key = IdempotencyKey.objects.create(key="op:1")
    assert isinstance(key.pk, uuid.UUID)


def test_idempotency_key_unique_key():
    IdempotencyKey.objects.create(key="op:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyKey.objects.create(key="op:1")


def test_idempotency_key_unique_only_within_its_scope():
    IdempotencyKey.objects.create(key="op:1", scope="user:1")
    IdempotencyKey.objects.create(key="op:1", scope="user:2")
    assert IdempotencyKey.objects.filter(key="op:1").count() == 2


def test_idempotency_key_unique_within_its_scope():
    IdempotencyKey.objects.create(key="op:1", scope="user:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyKey.objects.create(key="op:1", scope="user:1")


def test_idempotency_key_status_choices():
    for status in IdempotencyStatus:
        key = IdempotencyKey.objects.create(key=f"op:{status}", status=status)
        key.refresh_from_db()
        assert key.status == status
    assert set(IdempotencyStatus.values) == {"in_flight", "completed", "failed"}


def test_idempotency_key_started_at_auto():
    before = timezone.now()
    key = IdempotencyKey.objects.create(key="op:1")
    assert before <= key.started_at <= timezone.now()


def test_idempotency_key_mark_completed():
    key = IdempotencyKey.objects.create(key="op:1")
    key.mark_completed()
    key.refresh_from_db()
    assert key.status == IdempotencyStatus.COMPLETED
    assert key.completed_at is not None


def test_idempotency_key_mark_completed_with_result():
    key = IdempotencyKey.objects.create(key="op:1")
    key.mark_completed(result={"total": 3}, result_type="orders.Order", result_id=42)
    key.refresh_from_db()
    assert key.result_data == {"total": 3}
    assert key.result_type == "orders.Order"
    assert key.result_id == "42"
    other = IdempotencyKey.objects.create(key="op:2")
    other.mark_completed(result=7)
    assert other.result_data == {"value": 7}


def test_idempotency_key_mark_failed():
    key = IdempotencyKey.objects.create(key="op:1")
    key.mark_failed("card declined")
    key.refresh_from_db()
    assert key.status == IdempotencyStatus.FAILED
    assert key.error_message == "card declined"
    assert key.completed_at is not None


def test_idempotency_key_result_data_json():
    data = {"items": [1, 2], "nested": {"ok": True}, "none": None}
    key = IdempotencyKey.objects.create(key="op:1", result_data=data)
    key.refresh_from_db()
    assert key.result_data == data


def test_idempotency_key_expires_at_optional():
    key = IdempotencyKey.objects.create(key="op:1")
    assert key.expires_at is None
    assert not key.is_expired
    later = IdempotencyKey.objects.create(key="op:2", expires_at=timezone.now() - timedelta(1))
    assert later.is_expired


def test_idempotency_key_str_representation():
    key = IdempotencyKey.objects.create(key="op:1")
    assert str(key) == "op:1 (in_flight)"


def test_idempotency_key_indexes():
    indexed = [tuple(index.fields) for index in IdempotencyKey._meta.indexes]
    assert ("status", "started_at") in indexed
    assert ("expires_at",) in indexed
    assert IdempotencyKey._meta.get_field("key").db_index


# Decision


def test_decision_creation(ticket, user):
    decision = Decision.objects.create(
        target=ticket,
        decision_type="refund",
        outcome=DecisionOutcome.APPROVED,
        reason="Within policy",
        decided_by=user,
    )
    decision.refresh_from_db()
    assert decision.decision_type == "refund"
    assert decision.outcome == "approved"
    assert decision.reason == "Within policy"
    assert str(decision) == "refund: approved"


def test_decision_has_uuid_pk(ticket):
    decision = Decision.objects.create(target=ticket, decision_type="refund")
    assert isinstance(decision.pk, uuid.UUID)


def test_decision_has_time_semantics(ticket):
    decision = Decision.objects.create(target=ticket, decision_type="refund")
    assert decision.effective_at is not None
    assert decision.recorded_at is not None
    assert decision.effective_at <= decision.recorded_at


def test_decision_target_generic_fk(ticket):
    decision = Decision.objects.create(target=ticket, decision_type="refund")
    decision = Decision.objects.get(pk=decision.pk)
    assert decision.target == ticket
    assert decision.target_content_type == ContentType.objects.get_for_model(Ticket)
    assert decision.target_id == str(ticket.pk)


def test_decision_outcome_choices(ticket):
    for outcome in DecisionOutcome:
        decision = Decision.objects.create(target=ticket, decision_type="t", outcome=outcome)
        decision.refresh_from_db()
        assert decision.outcome == outcome
    assert Decision._meta.get_field("outcome").default == DecisionOutcome.PENDING
    assert len(DecisionOutcome.values) == 5


def test_decision_decided_by_optional(ticket):
    decision = Decision.objects.create(target=ticket, decision_type="auto")
    assert decision.decided_by is None


def test_decision_context_json(ticket):
    decision = Decision.objects.create(
        target=ticket, decision_type="credit", context={"credit_score": 720, "tags": ["a"]}
    )
    decision.refresh_from_db()
    assert decision.context == {"credit_score": 720, "tags": ["a"]}


def test_decision_evidence_json(ticket):
    decision = Decision.objects.create(
        target=ticket, decision_type="credit", evidence={"report_id": "CR-123"}
    )
    decision.refresh_from_db()
    assert decision.evidence == {"report_id": "CR-123"}


def test_decision_soft_delete(ticket):
    decision = Decision.objects.create(target=ticket, decision_type="refund")
    decision.delete()
    assert decision.is_deleted
    assert not Decision.objects.filter(pk=decision.pk).exists()
    assert Decision.all_objects.filter(pk=decision.pk).exists()
    decision.restore()
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_decision_ordering(ticket):
    now = timezone.now()
    old = Decision.objects.create(target=ticket, decision_type="a", effective_at=now - timedelta(2))
    new = Decision.objects.create(target=ticket, decision_type="b", effective_at=now)
    middle = Decision.objects.create(
        target=ticket, decision_type="c", effective_at=now - timedelta(1)
    )
    assert list(Decision.objects.all()) == [new, middle, old]


def test_decision_target_id_stored_as_string(ticket):
    decision = Decision(target_content_type=ContentType.objects.get_for_model(Ticket))
    decision.target_id = ticket.pk
    decision.decision_type = "x"
    decision.save()
    assert decision.target_id == str(ticket.pk)


def test_decision_refuses_future_effective_at(ticket):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Decision.objects.create(
            target=ticket, decision_type="x", effective_at=timezone.now() + timedelta(hours=1)
        )
    assert not Decision.objects.exists()


def test_decision_superseded_at_most_once_by_constraint(ticket):
    first = Decision.objects.create(target=ticket, decision_type="x")
    Decision.objects.create(target=ticket, decision_type="x", supersedes=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(target=ticket, decision_type="x", supersedes=first)
