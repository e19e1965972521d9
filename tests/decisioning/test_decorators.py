from datetime import timedelta

import pytest
from django.utils import timezone

from decisioning import (
    DuplicateOperationError,
    IdempotencyKey,
    IdempotencyKeyReusedError,
    IdempotencyStatus,
    NonSerializableResultError,
    OperationInFlightError,
    idempotent,
)
from decisioning.decorators import fingerprint_arguments
from decisioning.exceptions import LeaseLostError, ReplayedObjectMissingError
from decisioning.idempotency import claim_key, run_claimed
from tests.testapp_decisioning.models import Ticket

pytestmark = pytest.mark.django_db


class Calls:
    """Counts how often the decorated function actually ran."""

    def __init__(self):
        self.count = 0


@pytest.fixture
def calls():
    return Calls()


def test_first_call_executes_function(calls):
    @idempotent()
    def charge(order_id):
        calls.count += 1
        return {"charged": order_id}

    assert charge(7) == {"charged": 7}
    assert calls.count == 1


def test_second_call_returns_cached(calls):
    @idempotent()
    def charge(order_id):
        calls.count += 1
        return calls.count

    assert charge(7) == 1
    assert charge(7) == 1
    assert calls.count == 1
    assert charge(8) == 2


def test_in_flight_raises_error(calls):
    @idempotent(key_func=lambda order_id: f"charge:{order_id}")
    def charge(order_id):
        calls.count += 1

    IdempotencyKey.objects.create(key="charge:7", status=IdempotencyStatus.IN_FLIGHT)
    with pytest.raises(OperationInFlightError) as raised:
        charge(7)
    assert raised.value.key == "charge:7"
    assert "already in flight" in str(raised.value)
    assert calls.count == 0


def test_failed_allows_retry(calls):
    @idempotent()
    def charge(order_id):
        calls.count += 1
        if calls.count == 1:
            raise RuntimeError("gateway timeout")
        return "ok"

    with pytest.raises(RuntimeError):
        charge(7)
    assert charge(7) == "ok"
    assert calls.count == 2
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.COMPLETED


def test_custom_key_func():
    @idempotent(key_func=lambda order_id, **kw: f"process_order:{order_id}")
    def process(order_id, items):
        return len(items)

    process(5, items=[1, 2])
    assert IdempotencyKey.objects.filter(key="process_order:5").exists()


def test_default_key_from_args():
    @idempotent()
    def process(order_id):
        return None

    process(5)
    assert IdempotencyKey.objects.get().key == f"{__name__}.process:5"
    with pytest.raises(ValueError, match="key_func or positional arg"):
        process(order_id=6)


def test_raise_on_duplicate_true():
    @idempotent(raise_on_duplicate=True)
    def charge(order_id):
        return {"amount": 10}

    charge(1)
    with pytest.raises(DuplicateOperationError) as raised:
        charge(1)
    assert raised.value.completed_at is not None
    assert raised.value.result == {"amount": 10}


def test_expires_in_sets_expiry():
    @idempotent(expires_in=timedelta(hours=2))
    def charge(order_id):
        return 1

    before = timezone.now()
    charge(1)
    expires_at = IdempotencyKey.objects.get().expires_at
    assert before + timedelta(hours=2) <= expires_at <= timezone.now() + timedelta(hours=2)


def test_result_stored_in_key():
    @idempotent()
    def charge(order_id):
        return {"amount": 10, "currency": "EUR"}

    charge(1)
    key = IdempotencyKey.objects.get()
    assert key.status == IdempotencyStatus.COMPLETED
    assert key.completed_at is not None
    assert key.result_type == "builtins.dict"
    assert key.result_data == {"amount": 10, "currency": "EUR"}


def test_exception_marks_failed():
    @idempotent()
    def charge(order_id):
        raise ValueError("card declined")

    with pytest.raises(ValueError):
        charge(1)
    key = IdempotencyKey.objects.get()
    assert key.status == IdempotencyStatus.FAILED
    assert key.error_message == "card declined"


def test_atomic_transaction(user):
    @idempotent()
    def open_ticket(title):
        Ticket.objects.create(title=title, owner=user)
        raise RuntimeError("after the write")

    with pytest.raises(RuntimeError):
        open_ticket("lost")
    assert not Ticket.objects.exists()
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.FAILED


def test_model_result_stored(user, calls):
    @idempotent()
    def open_ticket(title):
        calls.count += 1
        return Ticket.objects.create(title=title, owner=user)

    ticket = open_ticket("first")
    key = IdempotencyKey.objects.get()
    assert key.result_id == str(ticket.pk)
    assert key.result_type == "tests.testapp_decisioning.models.Ticket"
    assert key.result_data == {}
    replayed = open_ticket("first")
    assert replayed == ticket
    assert isinstance(replayed, Ticket)
    assert calls.count == 1


# Beyond the seed


def test_replay_of_deleted_model_result_fails_clearly(user):
    @idempotent()
    def open_ticket(title):
        return Ticket.objects.create(title=title, owner=user)

    open_ticket("gone").delete()
    with pytest.raises(ReplayedObjectMissingError, match="no longer exists"):
        open_ticket("gone")


def test_non_json_result_fails_at_store_time_and_undoes_the_work(user):
    @idempotent()
    def open_ticket(title):
        Ticket.objects.create(title=title, owner=user)
        return {"when": timezone.now()}

    with pytest.raises(NonSerializableResultError):
        open_ticket("x")
    assert not Ticket.objects.exists()
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.FAILED


def test_unsaved_model_result_is_refused():
    @idempotent()
    def build(title):
        return Ticket(title=title)

    with pytest.raises(NonSerializableResultError):
        build("x")


def test_none_and_scalars_replay_as_returned(calls):
    @idempotent()
    def compute(value):
        calls.count += 1
        return value

    for value in (None, 0, "text", [1, 2], {"value": 3}):
        assert compute(value) == value
        assert compute(value) == value
    assert calls.count == 5


def test_other_json_results_are_stored_under_value():
    @idempotent()
    def compute(value):
        return value

    for value, type_name in ((3, "int"), ("x", "str"), ([1, 2], "list"), (None, "NoneType")):
        compute(value)
        key = IdempotencyKey.objects.get(key=f"{__name__}.compute:{value}")
        assert (key.result_type, key.result_data) == (f"builtins.{type_name}", {"value": value})


def test_dict_result_with_a_value_key_is_stored_as_is_and_replays_as_itself(calls):
    @idempotent()
    def compute(order_id):
        calls.count += 1
        return {"value": 3, "unit": "kg"}

    assert compute(1) == {"value": 3, "unit": "kg"}
    assert IdempotencyKey.objects.get().result_data == {"value": 3, "unit": "kg"}
    assert compute(1) == {"value": 3, "unit": "kg"}
    assert calls.count == 1


def test_model_result_is_found_after_its_class_moved_module(user, calls):
    @idempotent(key_func=lambda title: f"open:{title}")
    def open_ticket(title):
        calls.count += 1
        return Ticket.objects.create(title=title, owner=user)

    ticket = Ticket.objects.create(title="moved", owner=user)
    # Recorded when Ticket lived in the app's old models module.
    IdempotencyKey.objects.create(key="open:moved").mark_completed(
        result_type="tests.testapp_decisioning.old_models.Ticket", result_id=ticket.pk
    )
    assert open_ticket("moved") == ticket
    assert calls.count == 0


def test_model_reference_whose_class_is_gone_fails_clearly(user):
    @idempotent(key_func=lambda title: f"open:{title}")
    def open_ticket(title):
        return Ticket.objects.create(title=title, owner=user)

    IdempotencyKey.objects.create(key="open:gone").mark_completed(
        result_type="elsewhere.models.Gone", result_id="42"
    )
    with pytest.raises(ReplayedObjectMissingError, match="no longer exists"):
        open_ticket("gone")


def test_keys_completed_through_mark_completed_replay_as_the_seed_reads_them(calls):
    @idempotent(key_func=lambda n: f"job:{n}")
    def job(n):
        calls.count += 1

    IdempotencyKey.objects.create(key="job:1").mark_completed(result=7)
    IdempotencyKey.objects.create(key="job:2").mark_completed(result={"total": 3})
    assert job(1) == 7
    assert job(2) == {"total": 3}
    assert calls.count == 0


def test_stale_in_flight_key_is_taken_over(calls):
    @idempotent(key_func=lambda n: f"job:{n}", lease=timedelta(minutes=1))
    def job(n):
        calls.count += 1
        return "done"

    crashed = IdempotencyKey.objects.create(key="job:1")
    IdempotencyKey.objects.filter(pk=crashed.pk).update(
        started_at=timezone.now() - timedelta(minutes=2)
    )
    assert job(1) == "done"
    assert calls.count == 1
    crashed.refresh_from_db()
    assert crashed.status == IdempotencyStatus.COMPLETED


def test_fresh_in_flight_key_within_lease_still_raises():
    @idempotent(key_func=lambda n: f"job:{n}", lease=timedelta(minutes=10))
    def job(n):
        return "done"

    key = IdempotencyKey.objects.create(key="job:1")
    IdempotencyKey.objects.filter(pk=key.pk).update(
        started_at=timezone.now() - timedelta(minutes=9)
    )
    with pytest.raises(OperationInFlightError):
        job(1)


def test_lease_defaults_to_setting(settings):
    settings.DECISIONING_IDEMPOTENCY_LEASE = timedelta(seconds=30)

    @idempotent(key_func=lambda n: f"job:{n}")
    def job(n):
        return "done"

    key = IdempotencyKey.objects.create(key="job:1")
    IdempotencyKey.objects.filter(pk=key.pk).update(
        started_at=timezone.now() - timedelta(seconds=31)
    )
    assert job(1) == "done"


def test_holder_that_lost_its_lease_rolls_back(user):
    claim = claim_key(key="job:1")
    IdempotencyKey.objects.filter(key="job:1").update(
        started_at=timezone.now() - timedelta(hours=1)
    )
    takeover = claim_key(key="job:1", lease=timedelta(minutes=5))
    assert takeover.lease_token != claim.lease_token

    def work():
        return Ticket.objects.create(title="late", owner=user).title

    with pytest.raises(LeaseLostError):
        run_claimed(claim, work, store=lambda result: {})
    assert not Ticket.objects.exists()
    assert run_claimed(takeover, work, store=lambda result: {}) == "late"
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.COMPLETED


def test_same_key_different_fingerprint_is_refused(calls):
    @idempotent(key_func=lambda amount, key: key, fingerprint_func=fingerprint_arguments)
    def pay(amount, key):
        calls.count += 1
        return amount

    assert pay(10, "k1") == 10
    with pytest.raises(IdempotencyKeyReusedError, match="different request"):
        pay(99, "k1")
    assert pay(10, "k1") == 10
    assert calls.count == 1


def test_failed_key_is_not_retried_with_another_request():
    @idempotent(key_func=lambda amount, key: key, fingerprint_func=fingerprint_arguments)
    def pay(amount, key):
        raise RuntimeError("declined")

    with pytest.raises(RuntimeError):
        pay(10, "k1")
    with pytest.raises(IdempotencyKeyReusedError):
        pay(11, "k1")


def test_scoped_keys_never_replay_or_block_each_other(user, other_user, calls):
    @idempotent(key_func=lambda who, key: key, scope=lambda who, key: f"user:{who.pk}")
    def act(who, key):
        calls.count += 1
        return who.username

    assert act(user, "same") == "alice"
    IdempotencyKey.objects.filter(scope=f"user:{user.pk}").update(
        status=IdempotencyStatus.IN_FLIGHT
    )
    assert act(other_user, "same") == "bob"
    assert calls.count == 2


def test_expired_key_is_treated_as_absent(calls):
    @idempotent(expires_in=timedelta(hours=1))
    def charge(order_id):
        calls.count += 1
        return calls.count

    assert charge(1) == 1
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert charge(1) == 2
    assert IdempotencyKey.objects.get().expires_at > timezone.now()


def test_expired_in_flight_key_is_still_protected_by_its_lease():
    @idempotent(expires_in=timedelta(hours=1))
    def charge(order_id):
        return 1

    IdempotencyKey.objects.create(
        key=f"{__name__}.charge:1", expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(OperationInFlightError):
        charge(1)


def test_key_longer_than_255_characters_is_refused():
    @idempotent(key_func=lambda: "k" * 256)
    def act():
        return 1

    with pytest.raises(ValueError, match="255"):
        act()


def test_lazy_exports():
    import decisioning

    for name in decisioning.__all__:
        assert getattr(decisioning, name) is not None
    with pytest.raises(AttributeError):
        decisioning.does_not_exist  # noqa: B018


def test_failure_to_release_keeps_the_original_error(monkeypatch):
    from django.db import DatabaseError

    from decisioning import idempotency

    def unreachable(claim, message):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(idempotency, "release", unreachable)

    @idempotent()
    def charge(order_id):
        raise ValueError("card declined")

    with pytest.raises(ValueError, match="card declined"):
        charge(1)
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.IN_FLIGHT
