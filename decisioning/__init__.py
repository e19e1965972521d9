"""Time semantics, idempotency and the decision log (see README and each module's docstring).

The public API is importable from the package itself, lazily so that importing `decisioning`
does not load models before the app registry is ready.
"""

__version__ = "0.1.0"

__all__ = [
    # Models
    "IdempotencyKey",
    "IdempotencyStatus",
    "Decision",
    "DecisionOutcome",
    # Mixins
    "TimeSemanticsMixin",
    "EffectiveDatedMixin",
    # QuerySets
    "EventAsOfQuerySet",
    "EffectiveDatedQuerySet",
    # Decorators
    "idempotent",
    # Utils
    "get_target_ref",
    "resolve_target_ref",
    # Exceptions
    "DecisioningError",
    "IdempotencyError",
    "OperationInFlightError",
    "DuplicateOperationError",
    "IdempotencyKeyReusedError",
    "LeaseLostError",
    "NonSerializableResultError",
    "ReplayedObjectMissingError",
]

_EXPORTS = {
    "IdempotencyKey": "models",
    "IdempotencyStatus": "models",
    "Decision": "models",
    "DecisionOutcome": "models",
    "TimeSemanticsMixin": "mixins",
    "EffectiveDatedMixin": "mixins",
    "EventAsOfQuerySet": "querysets",
    "EffectiveDatedQuerySet": "querysets",
    "idempotent": "decorators",
    "get_target_ref": "utils",
    "resolve_target_ref": "utils",
    "DecisioningError": "exceptions",
    "IdempotencyError": "exceptions",
    "OperationInFlightError": "exceptions",
    "DuplicateOperationError": "exceptions",
    "IdempotencyKeyReusedError": "exceptions",
    "LeaseLostError": "exceptions",
    "NonSerializableResultError": "exceptions",
    "ReplayedObjectMissingError": "exceptions",
}


def __getattr__(name):
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
