"""Order catalog: baskets with an idempotent commit, the work they spawn, and dispensing."""

__version__ = "0.1.0"

__all__ = [
    # Models
    "CatalogItem",
    "Basket",
    "BasketStatus",
    "BasketItem",
    "WorkItem",
    "WorkItemStatus",
    "DispenseLog",
    # Services
    "create_basket",
    "add_item",
    "commit_basket",
    "cancel_basket",
    # Exceptions
    "CatalogError",
    "BasketError",
    "BasketAlreadyCommittedError",
    "BasketEmptyError",
    "ItemNotAvailableError",
]

_MODELS = ("CatalogItem", "Basket", "BasketStatus", "BasketItem", "WorkItem", "WorkItemStatus")
_SERVICES = ("create_basket", "add_item", "commit_basket", "cancel_basket")
_EXCEPTIONS = (
    "CatalogError",
    "BasketError",
    "BasketAlreadyCommittedError",
    "BasketEmptyError",
    "ItemNotAvailableError",
)


def __getattr__(name):
    # Lazy, so importing the package does not import models before the app registry is ready.
    if name in (*_MODELS, "DispenseLog"):
        from . import models

        return getattr(models, name)
    if name in _SERVICES:
        from . import services

        return getattr(services, name)
    if name in _EXCEPTIONS:
        from . import exceptions

        return getattr(exceptions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
