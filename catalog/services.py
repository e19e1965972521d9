"""Every write to baskets, their lines, work items and dispenses.

Locks are always taken in one order: the basket row, then its lines ordered by primary key. A
dispense locks only its line and never a basket afterwards; starting a work item locks it, then
(through the timer) the user's row, which no timer path holds while asking for a work item. So no
two writers can wait on each other in a cycle.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from worklog.models import WorkSession
from worklog.services import start_session, stop_running_session
from worklog.teams.locks import refuses_locked_weeks

from .exceptions import (
    BasketAlreadyCommittedError,
    BasketCancelledError,
    BasketChangedError,
    BasketEmptyError,
    BasketError,
    BasketIdempotencyKeyError,
    BasketItemsUnavailableError,
    DispenseError,
    FractionalQuantityError,
    InvalidPriceError,
    InvalidQuantityError,
    ItemNotAvailableError,
    OverDispenseError,
    WorkItemTransitionError,
)
from .models import (
    Basket,
    BasketItem,
    BasketStatus,
    CatalogItem,
    DispenseLog,
    WorkItem,
    WorkItemStatus,
)


def create_basket(
    context=None,
    idempotency_key: str | None = None,
    notes: str = "",
    metadata: dict | None = None,
    created_by=None,
) -> Basket:
    """
    Create a new basket, or return the one already created with `idempotency_key`.

    Raises:
        BasketIdempotencyKeyError: If the key names a basket created by someone else
    """
    if idempotency_key:
        existing = Basket.all_objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return _owned_by(existing, created_by, idempotency_key)

    fields: dict[str, Any] = {
        "idempotency_key": idempotency_key or None,
        "notes": notes,
        "metadata": metadata or {},
        "created_by": created_by,
    }
    if context is not None:
        fields["context"] = context
    try:
        # A savepoint: a concurrent create with the same key makes this insert fail (PostgreSQL
        # waits for the other transaction first), and the caller's transaction must survive it.
        with transaction.atomic():
            return Basket.objects.create(**fields)
    except IntegrityError:
        if not idempotency_key:
            raise
        existing = Basket.all_objects.get(idempotency_key=idempotency_key)
        return _owned_by(existing, created_by, idempotency_key)


def _owned_by(basket: Basket, user, idempotency_key: str) -> Basket:
    if user is not None and basket.created_by_id != user.pk:
        raise BasketIdempotencyKeyError(idempotency_key)
    return basket


QUANTITY_STEP = Decimal("0.01")
QUANTITY_LIMIT = Decimal("100000000")  # what DecimalField(max_digits=10, decimal_places=2) holds


def _positive_quantity(quantity) -> Decimal:
    """`quantity` as a Decimal the quantity columns store exactly, or InvalidQuantityError."""
    try:
        value = Decimal(str(quantity))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidQuantityError(quantity) from None
    if not value.is_finite() or not 0 < value < QUANTITY_LIMIT:
        raise InvalidQuantityError(quantity)
    if value != value.quantize(QUANTITY_STEP):
        raise InvalidQuantityError(quantity)
    return value


def _whole_if_counted(quantity: Decimal, item: CatalogItem) -> Decimal:
    """`quantity`, unless `item` is counted in whole units and it is a fraction."""
    if not item.allows_fractions and quantity != quantity.to_integral_value():
        raise FractionalQuantityError(quantity, item.name)
    return quantity


def _price(price) -> Decimal:
    try:
        value = Decimal(str(price))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidPriceError(price) from None
    if not value.is_finite() or not 0 <= value < QUANTITY_LIMIT:
        raise InvalidPriceError(price)
    if value != value.quantize(QUANTITY_STEP):
        raise InvalidPriceError(price)
    return value


def _lock_draft(basket: Basket) -> Basket:
    """Locks the basket row and refreshes `basket` from it; refuses unless it is a draft."""
    basket.refresh_from_db(from_queryset=Basket.all_objects.select_for_update())
    return _draft_only(basket)


def _draft_only(basket: Basket) -> Basket:
    if basket.is_committed:
        raise BasketAlreadyCommittedError(basket.pk)
    if basket.is_cancelled:
        raise BasketCancelledError(basket.pk)
    return basket


def _touch(basket: Basket) -> None:
    basket.revision += 1
    basket.save(update_fields=["revision", "updated_at"])


@transaction.atomic
def add_item(
    basket: Basket,
    catalog_item: CatalogItem,
    quantity=1,
    unit_price=None,
    instructions: str = "",
    metadata: dict | None = None,
) -> BasketItem:
    """
    Add a line to a draft basket, capturing the item's current price.

    Raises:
        BasketAlreadyCommittedError / BasketCancelledError: If the basket is not a draft
        ItemNotAvailableError: If the item is unavailable, outside its window, or deleted
        InvalidQuantityError: If the quantity is not positive
        InvalidPriceError: If an overriding unit price is negative
    """
    quantity = _positive_quantity(quantity)
    if unit_price is not None:
        unit_price = _price(unit_price)
    _lock_draft(basket)
    current = CatalogItem.all_objects.filter(pk=catalog_item.pk).first()
    reason = current.unavailable_reason() if current else "it does not exist"
    if reason:
        raise ItemNotAvailableError(catalog_item.pk, reason)
    _whole_if_counted(quantity, current)

    if unit_price is None:
        unit_price = current.unit_price

    item = BasketItem.objects.create(
        basket=basket,
        catalog_item=current,
        quantity=quantity,
        unit_price=unit_price,
        currency=current.currency,
        instructions=instructions,
        metadata=metadata or {},
    )
    _touch(basket)
    return item


def _lock_draft_line(line: BasketItem) -> tuple[Basket, BasketItem]:
    basket = _draft_only(Basket.all_objects.select_for_update().get(pk=line.basket_id))
    line.refresh_from_db(from_queryset=BasketItem.all_objects.select_for_update())
    return basket, line


@transaction.atomic
def change_quantity(line: BasketItem, quantity, instructions: str | None = None) -> BasketItem:
    """Set a draft line's quantity (and instructions, if given). The captured price stays."""
    quantity = _positive_quantity(quantity)
    basket, line = _lock_draft_line(line)
    if line.is_deleted:
        raise BasketError("This line has been removed from the basket.")
    _whole_if_counted(quantity, line.catalog_item)
    line.quantity = quantity
    if instructions is not None:
        line.instructions = instructions
    line.save(update_fields=["quantity", "instructions", "updated_at"])
    _touch(basket)
    return line


@transaction.atomic
def remove_line(line: BasketItem) -> None:
    """Remove a line from a draft basket; removing it again changes nothing."""
    basket, line = _lock_draft_line(line)
    if line.is_deleted:
        return
    line.delete()
    _touch(basket)


def commit_basket(
    basket: Basket,
    committed_by=None,
    spawn_work: bool = True,
    work_types: list | None = None,
    expected_revision: int | None = None,
) -> Basket:
    """
    Commit a basket, making it immutable and optionally spawning work items.

    The basket row stays locked until the commit ends, so of two concurrent commits one does the
    work and the other finds it committed and returns it as it is.

    Raises:
        BasketCancelledError: If the basket was cancelled
        BasketEmptyError: If basket has no items
        BasketChangedError: If `expected_revision` is not the basket's current revision
        BasketItemsUnavailableError: If some lines' items can no longer be ordered
    """
    return commit_basket_with_work(
        basket,
        committed_by=committed_by,
        spawn_work=spawn_work,
        work_types=work_types,
        expected_revision=expected_revision,
    ).basket


@dataclass(frozen=True)
class Commit:
    """What a commit_basket_with_work call did: when it committed the basket itself, the lines
    it committed (in the order they were added) and the work it spawned for them."""

    basket: Basket
    committed_now: bool = False
    lines: list[BasketItem] = field(default_factory=list)
    work_items: list[WorkItem] = field(default_factory=list)


def commit_basket_with_work(
    basket: Basket,
    *,
    committed_by=None,
    spawn_work: bool = True,
    work_types: list | None = None,
    expected_revision: int | None = None,
) -> Commit:
    """commit_basket, also handing back the lines it committed and their work, so a caller
    showing them need not read them again. Raises as commit_basket does."""
    # Committed is final: a basket already read as committed is returned as it is, unlocked.
    if basket.is_committed:
        return Commit(basket)
    with transaction.atomic():
        return _commit_locked(basket, committed_by, spawn_work, work_types, expected_revision)


def _commit_locked(basket, committed_by, spawn_work, work_types, expected_revision) -> Commit:
    basket.refresh_from_db(from_queryset=Basket.all_objects.select_for_update())
    if basket.is_committed:
        return Commit(basket)
    if basket.is_cancelled:
        raise BasketCancelledError(basket.pk)
    if expected_revision is not None and expected_revision != basket.revision:
        raise BasketChangedError(basket.pk)

    spawning = bool(spawn_work and work_types)
    lines = basket.items.select_for_update(of=("self",)).select_related("catalog_item")
    if spawning:
        lines = lines.annotate(
            has_work=Exists(WorkItem.all_objects.filter(basket_item=OuterRef("pk")))
        )
    lines = list(lines.order_by("pk"))
    if not lines:
        raise BasketEmptyError(basket.pk)
    now = timezone.now()
    unavailable = [line for line in lines if not line.catalog_item.is_orderable(now)]
    if unavailable:
        raise BasketItemsUnavailableError(basket.pk, unavailable)

    basket.status = BasketStatus.COMMITTED
    basket.committed_at = now
    basket.committed_by = committed_by
    basket.save()

    # The locks went by key; lines are shown, and their work queued, in the order they were added.
    lines.sort(key=lambda line: (line.created_at, line.pk))
    work_items = _spawn_work(lines, work_types) if spawning else []
    return Commit(basket, committed_now=True, lines=lines, work_items=work_items)


def _spawn_work(lines: list[BasketItem], work_types: list) -> list[WorkItem]:
    """Each line's work for each type, as the seed's get_or_create per (line, spawn role) gives
    it: work that exists already (made by an integration, the admin, an earlier partial run) is
    kept as it is, and a removed one stays removed; the rest is inserted in one statement.
    Returns the lines' live work, kept and new."""
    kept: list[WorkItem] = []
    taken: set[tuple] = set()
    with_work = [line for line in lines if line.has_work]
    if with_work:
        for work in WorkItem.all_objects.filter(basket_item__in=with_work).select_related(
            "assigned_to"
        ):
            taken.add((work.basket_item_id, work.spawn_role))
            if not work.is_deleted:
                kept.append(work)
    missing = [
        WorkItem(basket_item=line, spawn_role=work_type, work_type=work_type, priority=priority)
        for line in lines
        for priority, work_type in _priorities(work_types)
        if (line.pk, work_type) not in taken
    ]
    # The lines are locked, so no other writer can add their work meanwhile on PostgreSQL;
    # ignoring conflicts keeps the seed's tolerance wherever that lock is weaker.
    return kept + WorkItem.objects.bulk_create(missing, ignore_conflicts=True)


def _priorities(work_types: list) -> list[tuple[int, str]]:
    """Earlier work types come first in the queue: the first gets the highest priority."""
    unique = list(dict.fromkeys(work_types))
    return [(len(unique) - index, work_type) for index, work_type in enumerate(unique)]


@transaction.atomic
def cancel_basket(basket: Basket) -> Basket:
    """
    Cancel a draft basket; cancelling a cancelled basket changes nothing.

    Raises:
        BasketAlreadyCommittedError: If basket is already committed
    """
    basket.refresh_from_db(from_queryset=Basket.all_objects.select_for_update())
    if basket.is_committed:
        raise BasketAlreadyCommittedError(basket.pk)
    if basket.is_draft:
        basket.status = BasketStatus.CANCELLED
        basket.save()
    return basket


@transaction.atomic
def dispense(
    basket_item: BasketItem,
    quantity,
    dispensed_by=None,
    lot_number: str = "",
    expiry_date: date | None = None,
    notes: str = "",
    metadata: dict | None = None,
) -> DispenseLog:
    """
    Record a dispense against a line of a committed basket.

    The line stays locked while the dispensed total is checked and the log written, so
    concurrent dispenses cannot together exceed the ordered quantity.

    Raises:
        InvalidQuantityError: If the quantity is not positive
        DispenseError: If the basket is not committed or the lot has expired
        OverDispenseError: If the line would be dispensed beyond its ordered quantity
        FractionalQuantityError: If the item is counted whole and the quantity is a fraction
            (unless it is all that is left of a line ordered before the item was counted whole)
    """
    quantity = _positive_quantity(quantity)
    if expiry_date is not None and expiry_date < timezone.localdate():
        raise DispenseError(f"The lot expired on {expiry_date:%Y-%m-%d}.")
    line = (
        BasketItem.objects.select_for_update(of=("self",))
        .select_related("basket", "catalog_item")
        .get(pk=basket_item.pk)
    )
    if not line.basket.is_committed:
        raise DispenseError("Only lines of committed baskets can be dispensed.")
    dispensed = BasketItem.objects.with_dispensed().get(pk=line.pk).dispensed_quantity
    remaining = line.quantity - dispensed
    if quantity > remaining:
        raise OverDispenseError(line.pk, remaining)
    if quantity != remaining:
        _whole_if_counted(quantity, line.catalog_item)
    return DispenseLog.objects.create(
        basket_item=line,
        quantity_dispensed=quantity,
        dispensed_by=dispensed_by,
        lot_number=lot_number,
        expiry_date=expiry_date,
        notes=notes,
        metadata=metadata or {},
    )


def _lock_work_item(work_item: WorkItem) -> WorkItem:
    work_item.refresh_from_db(from_queryset=WorkItem.objects.select_for_update())
    return work_item


def _refuse(work_item: WorkItem, action: str) -> None:
    raise WorkItemTransitionError(
        work_item.pk, f"A {work_item.get_status_display().lower()} work item cannot be {action}."
    )


@refuses_locked_weeks
@transaction.atomic
def start_work_item(work_item: WorkItem, user, start_timer: bool = False) -> WorkItem:
    """
    Start a pending or blocked work item and assign it to `user`; with `start_timer`, also start
    the user's timer on it (the timer's switch policy stops whatever ran before).

    Raises:
        WorkItemTransitionError: If it is finished, or in progress for someone else
    """
    _lock_work_item(work_item)
    if work_item.status == WorkItemStatus.IN_PROGRESS:
        if work_item.assigned_to_id not in (None, user.pk):
            raise WorkItemTransitionError(
                work_item.pk, f"{work_item.assigned_to} is already working on this."
            )
    elif work_item.status in (WorkItemStatus.PENDING, WorkItemStatus.BLOCKED):
        work_item.start(user)
    else:
        _refuse(work_item, "started")
    if work_item.assigned_to_id != user.pk:
        work_item.assigned_to = user
        work_item.save(update_fields=["assigned_to", "updated_at"])
    if start_timer:
        start_session(user, target=work_item)
    return work_item


@transaction.atomic
def block_work_item(work_item: WorkItem, notes: str = "") -> WorkItem:
    """Mark a pending or in-progress work item as blocked."""
    _lock_work_item(work_item)
    if work_item.status not in (WorkItemStatus.PENDING, WorkItemStatus.IN_PROGRESS):
        _refuse(work_item, "blocked")
    work_item.status = WorkItemStatus.BLOCKED
    if notes:
        work_item.notes = notes
    work_item.save(update_fields=["status", "notes", "updated_at"])
    return work_item


@refuses_locked_weeks
@transaction.atomic
def complete_work_item(work_item: WorkItem) -> WorkItem:
    """Complete an open (pending, in-progress or blocked) work item; a timer running on it
    stops, since the work it times is done."""
    _lock_work_item(work_item)
    if work_item.status in (WorkItemStatus.COMPLETED, WorkItemStatus.CANCELLED):
        _refuse(work_item, "completed")
    work_item.complete()
    for session in WorkSession.objects.for_target(work_item).active():
        stop_running_session(session=session)
    return work_item
