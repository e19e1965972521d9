"""The idempotency protocol shared by `@idempotent` (functions) and `idempotent_view` (HTTP).

1. Claim: one atomic write. An INSERT of `(scope, key)` in state `in_flight`, which the unique
   constraint lets exactly one caller win. If the key exists, the row is read to tell the
   caller what happened (completed: replay; in flight: `OperationInFlightError`; used for a
   different request: `IdempotencyKeyReusedError`), and when it may be reused (failed with the
   same fingerprint, expired, or `in_flight` longer than the lease, i.e. its process died) one
   compare-and-set UPDATE takes it over, which succeeds only if the row is still as read.
   The claim commits on its own, so concurrent callers see it at once.
2. Run: the operation and the key's completion share one transaction, so the work and the
   record that it is done commit together or not at all. That transaction locks the key row:
   on PostgreSQL a takeover of a slow-but-alive holder waits for it instead of running twice,
   and a holder whose lease was taken over anyway finds its token changed and rolls back.
3. Fail: an exception rolls the work back and marks the key `failed`, which a retry with the
   same request may claim again. A crash (no exception handler ran) leaves the key `in_flight`
   until its lease lapses.

Results are stored at completion, inside the transaction, in the seed's format: `result_type`
is the result's class as `<module>.<ClassName>`; a saved model instance is a reference
(`result_id` = its pk, replayed as that row, soft-deleted or not), a dict is `result_data` as it
is, any other JSON value is `{"value": ...}` (tuples come back as lists). Anything else fails
loudly right there. The type tells the cases apart at replay, so a dict that has a "value" key
replays as itself, and a model is looked up in the app registry, so it is found again after its
class moved to another module of its app.
"""

import json
import logging
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .exceptions import (
    IdempotencyError,
    IdempotencyKeyReusedError,
    LeaseLostError,
    NonSerializableResultError,
    OperationInFlightError,
    ReplayedObjectMissingError,
)
from .models import IdempotencyKey, IdempotencyStatus

logger = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=5)
MAX_KEY_LENGTH = 255


def default_lease() -> timedelta:
    """How long an `in_flight` key is trusted before another caller may take it over
    (setting `DECISIONING_IDEMPOTENCY_LEASE`)."""
    return getattr(settings, "DECISIONING_IDEMPOTENCY_LEASE", DEFAULT_LEASE)


@dataclass(frozen=True)
class Claim:
    """The right to run the operation for `(scope, key)`, held while `lease_token` matches."""

    key: str
    scope: str
    lease_token: uuid.UUID

    def held(self):
        return IdempotencyKey.objects.filter(
            scope=self.scope,
            key=self.key,
            lease_token=self.lease_token,
            status=IdempotencyStatus.IN_FLIGHT,
        )


def claim_key(
    *,
    key: str,
    scope: str = "",
    fingerprint: str = "",
    expires_at: datetime | None = None,
    lease: timedelta | None = None,
) -> Claim | IdempotencyKey:
    """Claim `(scope, key)`: a `Claim` means run the operation; a completed `IdempotencyKey`
    means replay its result. Raises `OperationInFlightError` while another caller's claim is
    fresh and `IdempotencyKeyReusedError` when the key was used for a different fingerprint."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"An idempotency key has 1 to {MAX_KEY_LENGTH} characters.")
    lease = lease if lease is not None else default_lease()
    # A row can vanish between the failed writes and the read (purged, or released); try again.
    for _attempt in range(3):
        now = timezone.now()
        token = uuid.uuid4()
        try:
            with _own_statement():
                IdempotencyKey.objects.create(
                    key=key,
                    scope=scope,
                    fingerprint=fingerprint,
                    expires_at=expires_at,
                    lease_token=token,
                )
            return Claim(key=key, scope=scope, lease_token=token)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(scope=scope, key=key).first()
        if existing is None:
            continue
        if _may_take_over(existing, now=now, lease=lease, fingerprint=fingerprint):
            # Compare-and-set: only if nobody claimed, completed or released it since the read.
            taken_over = IdempotencyKey.objects.filter(
                pk=existing.pk, lease_token=existing.lease_token, status=existing.status
            ).update(
                status=IdempotencyStatus.IN_FLIGHT,
                lease_token=token,
                fingerprint=fingerprint,
                started_at=now,
                completed_at=None,
                expires_at=expires_at,
                result_type="",
                result_id="",
                result_data={},
                error_message="",
            )
            if taken_over:
                return Claim(key=key, scope=scope, lease_token=token)
            continue
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReusedError(key)
        if existing.status == IdempotencyStatus.IN_FLIGHT:
            raise OperationInFlightError(key, existing.started_at)
        return existing
    raise IdempotencyError(f"Could not claim idempotency key '{key}'; try again.")


def _own_statement():
    """Outside a transaction the claim's INSERT commits, or fails, on its own, so wrapping it in
    one would only add a BEGIN and a COMMIT (or ROLLBACK); inside a caller's transaction a
    savepoint keeps a conflicting INSERT from breaking it."""
    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return nullcontext()


def _may_take_over(row: IdempotencyKey, *, now, lease: timedelta, fingerprint: str) -> bool:
    """An expired key is absent, unless its operation may still be running; a failed key, or
    one whose holder's lease lapsed, may be retried with the same request."""
    stale = row.status == IdempotencyStatus.IN_FLIGHT and row.started_at <= now - lease
    if row.expires_at is not None and row.expires_at <= now:
        return row.status != IdempotencyStatus.IN_FLIGHT or stale
    return row.fingerprint == fingerprint and (row.status == IdempotencyStatus.FAILED or stale)


def run_claimed(claim: Claim, operation: Callable[[], Any], *, store: Callable[[Any], dict]) -> Any:
    """Run `operation` under `claim`; `store(result)` gives the completion's result fields.
    The operation's writes and the completion commit together."""
    try:
        with transaction.atomic():
            held = list(claim.held().select_for_update().values_list("pk", flat=True))
            if not held:
                raise LeaseLostError(claim.key)
            result = operation()
            IdempotencyKey.objects.filter(pk=held[0]).update(
                status=IdempotencyStatus.COMPLETED, completed_at=timezone.now(), **store(result)
            )
    except Exception as error:
        try:
            release(claim, str(error))
        except DatabaseError:
            # The database is unreachable: the key stays in flight until its lease lapses.
            logger.exception("Could not release idempotency key %r", claim.key)
        raise
    return result


def release(claim: Claim, error_message: str) -> None:
    """Mark a claim that failed as `failed`, so that a retry of the same request may run."""
    claim.held().update(
        status=IdempotencyStatus.FAILED, completed_at=timezone.now(), error_message=error_message
    )


def result_type_of(result: Any) -> str:
    """The seed's `result_type`: the result's class as `<module>.<ClassName>`."""
    return f"{type(result).__module__}.{type(result).__name__}"


def encode_result(key: str, result: Any) -> dict:
    """The result fields of a completed key; raises `NonSerializableResultError` now rather
    than at replay."""
    if isinstance(result, models.Model):
        if result.pk is None or result._state.adding:
            raise NonSerializableResultError(key, result)
        return {
            "result_type": result_type_of(result),
            "result_id": str(result.pk),
            "result_data": {},
        }
    try:
        json.dumps(result, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise NonSerializableResultError(key, result) from error
    data = dict(result) if isinstance(result, dict) else {"value": result}
    return {"result_type": result_type_of(result), "result_id": "", "result_data": data}


def model_for_result_type(result_type: str) -> type[models.Model] | None:
    """The installed model a `<module>.<ClassName>` names: the class at that path, or else the
    one class of that name in the app whose package held the module (the class moved)."""
    module, _, name = result_type.rpartition(".")
    named = [model for model in apps.get_models() if model.__name__ == name]
    for model in named:
        if model.__module__ == module:
            return model
    moved = [model for model in named if f"{module}.".startswith(f"{model._meta.app_config.name}.")]
    return moved[0] if len(moved) == 1 else None


def _is_dict_type(result_type: str) -> bool:
    if result_type == "builtins.dict":
        return True
    try:
        cls = import_string(result_type)
    except ImportError:
        return False
    return isinstance(cls, type) and issubclass(cls, dict)


def decode_result(row: IdempotencyKey) -> Any:
    """The stored result of a completed key, as the operation returned it."""
    if row.result_id:
        model = model_for_result_type(row.result_type)
        if model is not None:
            try:
                return model._base_manager.get(pk=row.result_id)
            except (model.DoesNotExist, ValueError, ValidationError):
                raise ReplayedObjectMissingError(row.key, row.result_type, row.result_id) from None
        if not row.result_data:
            raise ReplayedObjectMissingError(row.key, row.result_type, row.result_id)
    if _is_dict_type(row.result_type):
        return row.result_data
    # Another JSON value, or a key completed through IdempotencyKey.mark_completed() with a type
    # of the caller's choosing: read as the seed's decorator reads it.
    return row.result_data.get("value", row.result_data)
