"""Catalog items, baskets and their lines, the work a committed basket spawns, and dispenses.

A basket moves draft -> committed (immutable) or draft -> cancelled. Its lines keep the price the
item had when it was added; committing spawns one work item per line and work type.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from core.models import BaseModel, SoftDeleteQuerySet, UUIDModel, soft_delete_manager

VIEW_ALL_BASKETS = "catalog.view_all_baskets"
MANAGE_CATALOG = "catalog.change_catalogitem"
DISPENSE = "catalog.add_dispenselog"
DEFAULT_WORK_TYPES = [("prepare", "Prepare"), ("deliver", "Deliver"), ("review", "Review")]


def work_type_choices() -> list[tuple[str, str]]:
    """The work a commit can spawn; settings.CATALOG_WORK_TYPES overrides the default list."""
    return list(getattr(settings, "CATALOG_WORK_TYPES", DEFAULT_WORK_TYPES))


class CatalogItemQuerySet(SoftDeleteQuerySet):
    """QuerySet for catalog items."""

    def for_owner(self, owner):
        """Get items for a specific owner."""
        content_type = ContentType.objects.get_for_model(owner)
        return self.filter(owner_content_type=content_type, owner_id=str(owner.pk))

    def available(self, at=None):
        """Items that can be ordered now: flagged available and inside their window."""
        at = at or timezone.now()
        return self.filter(
            Q(available_from__isnull=True) | Q(available_from__lte=at),
            Q(available_to__isnull=True) | Q(available_to__gt=at),
            is_available=True,
        )

    def by_category(self, category):
        """Filter by category."""
        if "\x00" in category:
            # No category holds NUL, and PostgreSQL refuses it in a text parameter.
            return self.none()
        return self.filter(category=category)

    def search(self, text: str):
        """Items whose name, code or category contains `text` (case-insensitive)."""
        # PostgreSQL refuses NUL in text parameters; nobody searches for one.
        text = text.replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(code__icontains=text) | Q(category__icontains=text)
        )


class CatalogItem(UUIDModel, BaseModel):
    """An item available in the catalog for ordering."""

    # Who offers this item.
    owner_content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    owner_id = models.CharField(max_length=255)
    owner = GenericForeignKey("owner_content_type", "owner_id")

    name = models.CharField(max_length=255)
    code = models.CharField(max_length=100, blank=True, default="")
    description = models.TextField(blank=True, default="")
    category = models.CharField(max_length=100, blank=True, default="")

    unit_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    allows_fractions = models.BooleanField(
        "sold in fractions",
        default=True,
        help_text="Whether a quantity may be a fraction (1.5 kg). Untick for things counted "
        "whole: packs, devices, tests.",
    )

    is_available = models.BooleanField(default=True)
    available_from = models.DateTimeField(null=True, blank=True)
    available_to = models.DateTimeField(null=True, blank=True)

    sort_order = models.IntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)

    objects = soft_delete_manager(CatalogItemQuerySet)
    all_objects = CatalogItemQuerySet.as_manager()

    class Meta:
        verbose_name = "catalog item"
        verbose_name_plural = "catalog items"
        ordering = ["sort_order", "name"]
        indexes = [
            models.Index(fields=["owner_content_type", "owner_id"]),
            models.Index(fields=["category"]),
            models.Index(fields=["is_available"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gte=0),
                name="catalog_item_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_to__isnull=True)
                | Q(available_to__gt=models.F("available_from")),
                name="catalog_item_window_ends_after_start",
            ),
        ]

    def save(self, *args, **kwargs):
        self.owner_id = str(self.owner_id)
        super().save(*args, **kwargs)

    def __str__(self):
        return self.name

    def unavailable_reason(self, at=None) -> str:
        """Why this item cannot be ordered at `at` (now), or '' when it can."""
        at = at or timezone.now()
        if self.is_deleted:
            return "it has been removed from the catalog"
        if not self.is_available:
            return "it is not available"
        if self.available_from is not None and at < self.available_from:
            return "it is not available yet"
        if self.available_to is not None and at >= self.available_to:
            return "it is no longer available"
        return ""

    def is_orderable(self, at=None) -> bool:
        return not self.unavailable_reason(at)


class BasketStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMMITTED = "committed", "Committed"
    CANCELLED = "cancelled", "Cancelled"


class BasketQuerySet(SoftDeleteQuerySet):
    def visible_to(self, user):
        """Baskets `user` may see: their own, or every basket with the back-office permission."""
        if user.has_perm(VIEW_ALL_BASKETS):
            return self
        return self.filter(created_by=user)

    def drafts(self):
        return self.filter(status=BasketStatus.DRAFT)


class Basket(UUIDModel, BaseModel):
    """A collection of items being ordered."""

    # What this basket is for (any object, e.g. a project).
    context_content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    context_id = models.CharField(max_length=255, blank=True, default="")
    context = GenericForeignKey("context_content_type", "context_id")

    status = models.CharField(
        max_length=20, choices=BasketStatus.choices, default=BasketStatus.DRAFT
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="baskets_created",
    )
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="baskets_committed",
    )

    idempotency_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    # Bumped by every change to the lines; a commit form carries the revision it was shown, so
    # a stale form cannot commit lines its user never saw.
    revision = models.PositiveIntegerField(default=0)

    notes = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)

    objects = soft_delete_manager(BasketQuerySet)
    all_objects = BasketQuerySet.as_manager()

    class Meta:
        verbose_name = "basket"
        verbose_name_plural = "baskets"
        ordering = ["-created_at"]
        permissions = [("view_all_baskets", "Can see and handle every basket (back office)")]
        indexes = [models.Index(fields=["created_by", "status"])]

    def save(self, *args, **kwargs):
        self.context_id = str(self.context_id) if self.context_id else ""
        super().save(*args, **kwargs)

    @property
    def is_committed(self) -> bool:
        return self.status == BasketStatus.COMMITTED

    @property
    def is_draft(self) -> bool:
        return self.status == BasketStatus.DRAFT

    @property
    def is_cancelled(self) -> bool:
        return self.status == BasketStatus.CANCELLED

    @property
    def total_items(self) -> int:
        return self.items.count()

    @property
    def total_quantity(self):
        return self.items.aggregate(total=Sum("quantity"))["total"] or 0

    def __str__(self):
        return f"Basket {self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("catalog:basket-detail", args=[self.pk])


class BasketItemQuerySet(SoftDeleteQuerySet):
    def with_dispensed(self):
        """Annotates `dispensed_quantity`: the sum of the line's dispenses (0 when none)."""
        dispensed = (
            DispenseLog.objects.filter(basket_item=models.OuterRef("pk"))
            .order_by()
            .values("basket_item")
            .annotate(total=Sum("quantity_dispensed"))
            .values("total")
        )
        return self.annotate(
            dispensed_quantity=Coalesce(
                models.Subquery(dispensed),
                Decimal("0"),
                output_field=models.DecimalField(max_digits=12, decimal_places=2),
            )
        )


class BasketItem(UUIDModel, BaseModel):
    """A line item in a basket."""

    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="items")
    catalog_item = models.ForeignKey(
        CatalogItem, on_delete=models.PROTECT, related_name="basket_items"
    )

    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=1)

    # The price when the line was added; later catalog changes do not touch it.
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")

    instructions = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)

    objects = soft_delete_manager(BasketItemQuerySet)
    all_objects = BasketItemQuerySet.as_manager()

    class Meta:
        verbose_name = "basket item"
        verbose_name_plural = "basket items"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="basket_item_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gte=0),
                name="basket_item_price_not_negative",
            ),
        ]

    @property
    def line_total(self):
        if self.unit_price is None:
            return None
        return self.quantity * self.unit_price

    @property
    def catalog_price_changed(self) -> bool:
        """The catalog's price or currency differs from the one captured on this line."""
        item = self.catalog_item
        return (item.unit_price, item.currency) != (self.unit_price, self.currency)

    @property
    def remaining_quantity(self):
        """Still to dispense; needs the `with_dispensed()` annotation."""
        return max(self.quantity - self.dispensed_quantity, Decimal("0"))

    @property
    def is_fully_dispensed(self) -> bool:
        """Needs the `with_dispensed()` annotation."""
        return self.dispensed_quantity >= self.quantity

    def __str__(self):
        return f"{self.quantity}x {self.catalog_item.name}"


class WorkItemStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In Progress"
    BLOCKED = "blocked", "Blocked"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class WorkItemQuerySet(SoftDeleteQuerySet):
    def open(self):
        """Work not finished yet: pending, in progress or blocked."""
        return self.exclude(status__in=[WorkItemStatus.COMPLETED, WorkItemStatus.CANCELLED])

    def visible_to(self, user):
        """Work from committed baskets that `user` may see (their own baskets, or all with the
        back-office permission), plus any work item assigned to them."""
        committed = self.filter(basket_item__basket__status=BasketStatus.COMMITTED)
        if user.has_perm(VIEW_ALL_BASKETS):
            return committed
        return committed.filter(Q(basket_item__basket__created_by=user) | Q(assigned_to=user))


class WorkItem(UUIDModel, BaseModel):
    """Work spawned from a basket item."""

    basket_item = models.ForeignKey(BasketItem, on_delete=models.CASCADE, related_name="work_items")

    work_type = models.CharField(max_length=100)
    spawn_role = models.CharField(max_length=100, blank=True, default="")

    status = models.CharField(
        max_length=20, choices=WorkItemStatus.choices, default=WorkItemStatus.PENDING
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_items_assigned",
    )

    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    priority = models.IntegerField(default=0)

    notes = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)

    objects = soft_delete_manager(WorkItemQuerySet)
    all_objects = WorkItemQuerySet.as_manager()

    class Meta:
        verbose_name = "work item"
        verbose_name_plural = "work items"
        ordering = ["-priority", "created_at"]
        constraints = [
            # Only one work item per basket_item + spawn_role
            models.UniqueConstraint(
                fields=["basket_item", "spawn_role"], name="unique_basket_item_spawn_role"
            )
        ]
        indexes = [models.Index(fields=["status", "-priority"])]

    @property
    def is_complete(self) -> bool:
        return self.status == WorkItemStatus.COMPLETED

    @property
    def work_type_label(self) -> str:
        return dict(work_type_choices()).get(self.work_type, self.work_type.capitalize())

    @property
    def display_name(self) -> str:
        """What people call it, "Prepare: Blood panel × 2" (`__str__` is the seed's)."""
        line = self.basket_item
        quantity = f"{line.quantity.normalize():f}"
        return f"{self.work_type_label}: {line.catalog_item.name} × {quantity}"

    def start(self, user=None):
        """Mark work item as in progress."""
        self.status = WorkItemStatus.IN_PROGRESS
        self.started_at = timezone.now()
        if user:
            self.assigned_to = user
        self.save()

    def complete(self):
        """Mark work item as completed."""
        self.status = WorkItemStatus.COMPLETED
        self.completed_at = timezone.now()
        self.save()

    def __str__(self):
        return f"{self.work_type} for {self.basket_item}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:work-item-detail", args=[self.pk])


class DispenseLog(UUIDModel, BaseModel):
    """Record of an item being dispensed."""

    basket_item = models.ForeignKey(
        BasketItem, on_delete=models.CASCADE, related_name="dispense_logs"
    )
    quantity_dispensed = models.DecimalField(max_digits=10, decimal_places=2)

    dispensed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items_dispensed",
    )
    dispensed_at = models.DateTimeField(default=timezone.now)

    lot_number = models.CharField(max_length=100, blank=True, default="")
    expiry_date = models.DateField(null=True, blank=True)

    notes = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "dispense log"
        verbose_name_plural = "dispense logs"
        ordering = ["-dispensed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_dispensed__gt=0), name="dispense_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"Dispensed {self.quantity_dispensed} of {self.basket_item.catalog_item.name}"
