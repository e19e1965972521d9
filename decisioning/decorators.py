"""`@idempotent`: run a function once per key, whoever calls it and however often.

    @idempotent(
        key_func=lambda order_id, **kw: f"process_order:{order_id}",
        expires_in=timedelta(hours=24),
        scope=lambda order_id, *, user, **kw: f"user:{user.pk}",
        fingerprint_func=fingerprint_arguments,
    )
    def process_order(order_id, *, user, items): ...

The first caller runs the function; callers while it runs get `OperationInFlightError`; later
callers get the stored result (or `DuplicateOperationError` with `raise_on_duplicate=True`).
`scope` keeps keys of different users or operations apart; `fingerprint_func` hashes the call
so that reusing a key for other arguments raises `IdempotencyKeyReusedError`; `lease` is how
long a crashed caller's `in_flight` key blocks others. See decisioning.idempotency for the
guarantees; call it outside `transaction.atomic()` so its claim is visible to others at once.
"""

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import models
from django.utils import timezone

from .exceptions import DuplicateOperationError
from .idempotency import claim_key, decode_result, encode_result, run_claimed
from .models import IdempotencyKey


def _canonical(value):
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}"
    return str(value)


def fingerprint_arguments(*args, **kwargs) -> str:
    """A SHA-256 of the call's arguments (model instances count by class and pk)."""
    payload = json.dumps([args, kwargs], sort_keys=True, default=_canonical)
    return hashlib.sha256(payload.encode()).hexdigest()


def idempotent(
    key_func: Callable[..., str] | None = None,
    expires_in: timedelta | None = None,
    raise_on_duplicate: bool = False,
    *,
    scope: str | Callable[..., str] = "",
    fingerprint_func: Callable[..., str] | None = None,
    lease: timedelta | None = None,
):
    """
    Decorator to make a function idempotent.

    Args:
        key_func: Function to generate idempotency key from args/kwargs.
                  If None, uses first positional arg as key.
        expires_in: How long until the idempotency key expires.
        raise_on_duplicate: If True, raise error on duplicate. If False, return cached result.
        scope: A string, or a function of the call's arguments, naming whose key this is.
        fingerprint_func: Function of the call's arguments identifying the request.
        lease: How long an in-flight key is trusted before a new caller may take it over.
    """

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if key_func:
                key = key_func(*args, **kwargs)
            elif args:
                key = f"{func.__module__}.{func.__name__}:{args[0]}"
            else:
                raise ValueError(
                    "Cannot generate idempotency key - provide key_func or positional arg"
                )
            outcome = claim_key(
                key=key,
                scope=scope(*args, **kwargs) if callable(scope) else scope,
                fingerprint=fingerprint_func(*args, **kwargs) if fingerprint_func else "",
                expires_at=timezone.now() + expires_in if expires_in else None,
                lease=lease,
            )
            if isinstance(outcome, IdempotencyKey):
                if raise_on_duplicate:
                    raise DuplicateOperationError(key, outcome.completed_at, outcome.result_data)
                return decode_result(outcome)
            return run_claimed(
                outcome,
                lambda: func(*args, **kwargs),
                store=functools.partial(encode_result, key),
            )

        return wrapper

    return decorator
