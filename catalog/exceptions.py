class CatalogError(Exception):
    """Base exception for catalog errors."""


class BasketError(CatalogError):
    """Base exception for basket errors."""


class BasketAlreadyCommittedError(BasketError):
    """Raised when trying to modify a committed basket."""

    def __init__(self, basket_id):
        self.basket_id = basket_id
        super().__init__(f"Basket {basket_id} is already committed")


class BasketEmptyError(BasketError):
    """Raised when trying to commit an empty basket."""

    def __init__(self, basket_id):
        self.basket_id = basket_id
        super().__init__(f"Cannot commit empty basket {basket_id}")


class BasketCancelledError(BasketError):
    """Raised when trying to change or commit a cancelled basket."""

    def __init__(self, basket_id):
        self.basket_id = basket_id
        super().__init__(f"Basket {basket_id} is cancelled")


class BasketChangedError(BasketError):
    """Raised when a commit form was shown for an older revision of the basket's lines."""

    def __init__(self, basket_id):
        self.basket_id = basket_id
        super().__init__(
            "The basket changed since this page was shown; review it and commit again."
        )


class BasketIdempotencyKeyError(BasketError):
    """Raised when an idempotency key already names another user's basket."""

    def __init__(self, idempotency_key):
        self.idempotency_key = idempotency_key
        super().__init__("This idempotency key already belongs to another basket.")


class ItemNotAvailableError(CatalogError):
    """Raised when an item is not available for ordering."""

    def __init__(self, item_id, reason=""):
        self.item_id = item_id
        self.reason = reason
        message = f"Item {item_id} is not available"
        if reason:
            message += f": {reason}"
        super().__init__(message)


class BasketItemsUnavailableError(BasketError):
    """Raised at commit when some lines' items can no longer be ordered; names those lines."""

    def __init__(self, basket_id, lines):
        self.basket_id = basket_id
        self.lines = list(lines)
        names = ", ".join(line.catalog_item.name for line in self.lines)
        super().__init__(f"No longer available: {names}. Remove these lines to commit.")


class InvalidQuantityError(CatalogError, ValueError):
    """Raised for a quantity that is not a positive number."""

    def __init__(self, quantity):
        self.quantity = quantity
        super().__init__(
            f"Quantity must be a positive number with at most two decimals, not {quantity!r}"
        )


class FractionalQuantityError(InvalidQuantityError):
    """Raised for a fraction of an item that is counted in whole units."""

    def __init__(self, quantity, item_name):
        self.quantity = quantity
        self.item_name = item_name
        CatalogError.__init__(
            self, f"{item_name} is counted in whole units: {quantity:f} is not a whole number."
        )


class InvalidPriceError(CatalogError, ValueError):
    """Raised for a unit price that is negative or finer than a cent."""

    def __init__(self, price):
        self.price = price
        super().__init__(f"A unit price must be zero or more, in cents, not {price!r}")


class DispenseError(CatalogError):
    """Raised when a dispense cannot be recorded."""


class OverDispenseError(DispenseError):
    """Raised when a dispense would take a line past its ordered quantity."""

    def __init__(self, basket_item_id, remaining):
        self.basket_item_id = basket_item_id
        self.remaining = remaining
        super().__init__(f"Only {remaining} left to dispense on this line")


class WorkItemTransitionError(CatalogError):
    """Raised when a work item cannot move to the requested status."""

    def __init__(self, work_item_id, message):
        self.work_item_id = work_item_id
        super().__init__(message)
