"""Errors raised by decisioning. Everything derives from `DecisioningError`; idempotency errors
from `IdempotencyError`, so a caller can catch the family or one precise case."""


class DecisioningError(Exception):
    """Base exception for decisioning errors."""


class IdempotencyError(DecisioningError):
    """Base exception for idempotency errors."""


class OperationInFlightError(IdempotencyError):
    """Raised when operation is already in progress."""

    def __init__(self, key: str, started_at):
        self.key = key
        self.started_at = started_at
        super().__init__(
            f"Operation with key '{key}' is already in flight (started at {started_at})"
        )


class DuplicateOperationError(IdempotencyError):
    """Raised when operation was already completed."""

    def __init__(self, key: str, completed_at, result):
        self.key = key
        self.completed_at = completed_at
        self.result = result
        super().__init__(f"Operation with key '{key}' already completed at {completed_at}")


class IdempotencyKeyReusedError(IdempotencyError):
    """Raised when a key comes back with a different request than the one it was first used for:
    replaying the first result would answer a question nobody asked."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(
            f"Idempotency key '{key}' was already used for a different request; "
            "use a new key for a new request."
        )


class LeaseLostError(IdempotencyError):
    """Raised when an operation outlived its lease and another caller took the key over; this
    caller's work is rolled back so that only one of them takes effect."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(
            f"Operation with key '{key}' lost its lease to another caller; its work was undone."
        )


class NonSerializableResultError(IdempotencyError, TypeError):
    """Raised when an idempotent operation returns something that cannot be stored for replay.
    Raised at store time, inside the operation's transaction, so the work is undone too."""

    def __init__(self, key: str, result):
        self.key = key
        self.result = result
        super().__init__(
            f"Result of operation with key '{key}' cannot be stored for replay: "
            f"{type(result).__name__} is neither JSON nor a saved model instance."
        )


class ReplayedObjectMissingError(IdempotencyError):
    """Raised when a completed operation's stored model instance no longer exists."""

    def __init__(self, key: str, result_type: str, result_id: str):
        self.key = key
        super().__init__(
            f"Operation with key '{key}' completed with {result_type} {result_id}, "
            "which no longer exists."
        )
