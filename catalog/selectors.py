"""Reads the catalog's pages need, each in a fixed number of queries whatever the data size."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404

from worklog.models import WorkSession

from .models import (
    DISPENSE,
    Basket,
    BasketItem,
    CatalogItem,
    DispenseLog,
    WorkItem,
)
from .models import work_type_choices as work_type_choices
from .services import Commit

CATALOG_PAGE_SIZE = 25
WORK_QUEUE_PAGE_SIZE = 50


def catalog_page(*, search: str = "", category: str = "", page: int | str = 1) -> Page:
    items = CatalogItem.objects.search(search)
    if category:
        items = items.by_category(category)
    return Paginator(items.order_by("sort_order", "name", "pk"), CATALOG_PAGE_SIZE).get_page(page)


def catalog_categories() -> list[str]:
    return list(
        CatalogItem.objects.exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def visible_basket(user, pk) -> Basket:
    """The basket, if `user` may see it; otherwise 404."""
    return get_object_or_404(
        Basket.objects.visible_to(user).select_related("created_by", "committed_by"), pk=pk
    )


def visible_line(user, basket_pk, line_pk, *, removed_too: bool = False) -> BasketItem:
    lines = BasketItem.all_objects if removed_too else BasketItem.objects
    return get_object_or_404(
        lines.filter(basket__in=Basket.objects.visible_to(user)),
        pk=line_pk,
        basket_id=basket_pk,
    )


def current_draft(user, *, pk=None, key_prefix: str = "", latest: bool = True):
    """The draft `user` is filling: the one named by `pk`, else the newest one whose idempotency
    key starts with `key_prefix`, else (with `latest`) the last one they started."""
    drafts = Basket.objects.visible_to(user).drafts()
    if pk and (named := drafts.filter(pk=pk).first()):
        return named
    if key_prefix and (keyed := drafts.filter(idempotency_key__startswith=key_prefix).first()):
        return keyed
    return drafts.filter(created_by=user).first() if latest else None


def visible_baskets(user, *, page: int | str = 1) -> Page:
    baskets = (
        Basket.objects.visible_to(user)
        .select_related("created_by")
        .prefetch_related("context")
        .annotate(line_count=Count("items", filter=Q(items__deleted_at__isnull=True)))
        .order_by("-created_at", "pk")
    )
    return Paginator(baskets, CATALOG_PAGE_SIZE).get_page(page)


@dataclass
class BasketView:
    """A basket with its lines and the totals its page shows."""

    basket: Basket
    lines: list[BasketItem]
    can_dispense: bool = False
    totals: dict[str, Decimal] = field(default_factory=dict)
    unpriced_lines: int = 0

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @property
    def unavailable_lines(self) -> list[BasketItem]:
        return [line for line in self.lines if not line.catalog_item.is_orderable()]

    @property
    def has_line_notices(self) -> bool:
        """Some line of this draft shows a notice: its item can no longer be ordered, or its
        catalog price changed."""
        return any(
            not line.catalog_item.is_orderable() or line.catalog_price_changed
            for line in self.lines
        )

    @property
    def work_items(self) -> list[WorkItem]:
        return [work for line in self.lines for work in line.work]


def basket_view(user, basket: Basket) -> BasketView:
    """The basket's lines with their items; for a committed basket also their dispensed totals,
    work items (`line.work`) and dispense history (`line.dispenses`). One query, or three when
    committed, however many lines."""
    lines = BasketItem.objects.filter(basket=basket).select_related("catalog_item")
    if basket.is_committed:
        # Only a commit spawns work, and only committed lines are dispensed.
        lines = lines.prefetch_related(
            Prefetch(
                "work_items",
                queryset=WorkItem.objects.select_related("assigned_to").order_by(
                    "-priority", "created_at"
                ),
                to_attr="work",
            ),
            Prefetch(
                "dispense_logs",
                queryset=DispenseLog.objects.select_related("dispensed_by"),
                to_attr="dispenses",
            ),
        )
    lines = list(lines)
    if basket.is_committed:
        # What with_dispensed() would annotate, summed from the dispenses read anyway.
        for line in lines:
            line.dispensed_quantity = sum(
                (log.quantity_dispensed for log in line.dispenses), Decimal("0")
            )
    return _basket_view(user, basket, lines)


def just_committed_basket_view(user, commit: Commit) -> BasketView:
    """The view of a basket this request committed, from the lines its commit locked and their
    work: nothing of them can have been dispensed yet, so it reads nothing."""
    work_of = defaultdict(list)
    for work in sorted(commit.work_items, key=lambda work: (-work.priority, work.created_at)):
        work_of[work.basket_item_id].append(work)
    for line in commit.lines:
        line.dispensed_quantity = Decimal("0")
        line.work = work_of[line.pk]
        line.dispenses = []
    return _basket_view(user, commit.basket, commit.lines)


def _basket_view(user, basket: Basket, lines: list[BasketItem]) -> BasketView:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    unpriced = 0
    for line in lines:
        if line.line_total is None:
            unpriced += 1
        else:
            totals[line.currency] += line.line_total
    return BasketView(
        basket=basket,
        lines=lines,
        can_dispense=basket.is_committed and user.has_perm(DISPENSE),
        totals=dict(sorted(totals.items())),
        unpriced_lines=unpriced,
    )


def item_dispense_history(user, item: CatalogItem, *, page: int | str = 1) -> Page:
    """Dispenses of `item` on the baskets `user` may see, newest first."""
    logs = DispenseLog.objects.filter(
        basket_item__catalog_item=item,
        basket_item__basket__in=Basket.objects.visible_to(user),
    ).select_related("basket_item__basket", "dispensed_by")
    return Paginator(logs, CATALOG_PAGE_SIZE).get_page(page)


def work_queue_page(user, *, status="", work_type="", assignee="", page: int | str = 1) -> Page:
    """Work `user` may see, filtered, ordered by priority then age."""
    work = WorkItem.objects.visible_to(user).select_related(
        "assigned_to", "basket_item__catalog_item", "basket_item__basket"
    )
    if status:
        work = work.filter(status=status)
    if work_type:
        work = work.filter(work_type=work_type)
    if assignee == "me":
        work = work.filter(assigned_to=user)
    elif assignee == "none":
        work = work.filter(assigned_to__isnull=True)
    elif assignee:
        work = work.filter(assigned_to_id=assignee)
    # Work spawned by one commit shares (almost) one creation time: its lines' order breaks ties.
    ordered = work.order_by("-priority", "created_at", "basket_item__created_at", "pk")
    return Paginator(ordered, WORK_QUEUE_PAGE_SIZE).get_page(page)


def with_time_logged(work_items) -> list[WorkItem]:
    """Sets `seconds_logged` (stopped timer sessions, everyone's) and `timer_running` on each work
    item, in one query."""
    work_items = list(work_items)
    totals = {
        row["target_id"]: row
        for row in WorkSession.objects.filter(
            target_content_type=ContentType.objects.get_for_model(WorkItem),
            target_id__in=[str(work.pk) for work in work_items],
        )
        .order_by()
        .values("target_id")
        .annotate(
            logged=Sum("duration_seconds"), running=Count("pk", filter=Q(stopped_at__isnull=True))
        )
    }
    for work in work_items:
        row = totals.get(str(work.pk), {})
        work.seconds_logged = row.get("logged") or 0
        work.timer_running = bool(row.get("running"))
    return work_items


def work_queue_assignees(user) -> list:
    """Everyone assigned to some work `user` may see, for the assignee filter."""
    assigned = WorkItem.objects.visible_to(user).filter(assigned_to__isnull=False)
    return list(
        get_user_model().objects.filter(pk__in=assigned.values("assigned_to")).order_by("username")
    )
