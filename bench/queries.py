"""Query counts per page and action at three data sizes. One user owns the data; for each kind
of row (timer sessions, decisions, orders, ...) the rows grow from a few to 1,000 to 100,000 and
every page that reads that kind is asked again. A count that grows with the data fails the run."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

SIZES = (10, 1_000, 100_000)
BATCH = 5_000
NOT_COUNTED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@dataclass
class Page:
    name: str
    # Sends the request with `client`; what it needs prepared is prepared before the count.
    request: Callable[[Client], Callable[[], object]]


@dataclass
class Kind:
    name: str
    grow: Callable[[object, int], None]  # (user, rows wanted in total)
    pages: list[Page]


def captured_queries(send: Callable[[], object]) -> list[str]:
    """The SQL one request sends, savepoints left out."""
    with CaptureQueriesContext(connection) as captured:
        response = send()
    status = getattr(response, "status_code", 200)
    if status >= 400:
        raise RuntimeError(f"the request answered {status}: {response.content[:300]!r}")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(NOT_COUNTED)]


def _bulk(model, objects) -> None:
    model.objects.bulk_create(objects, batch_size=BATCH)


# -- timer sessions ------------------------------------------------------------------------------


def _grow_sessions(user, total: int) -> None:
    from worklog.models import WorkSession

    existing = WorkSession.all_objects.filter(user=user).count()
    now = timezone.now() - timedelta(days=1)
    _bulk(
        WorkSession,
        (
            WorkSession(
                user=user,
                started_at=now - timedelta(hours=2 * n),
                stopped_at=now - timedelta(hours=2 * n) + timedelta(minutes=45),
                duration_seconds=2700,
                end_reason="stopped",
            )
            for n in range(existing, total)
        ),
    )


def _week_url() -> str:
    """The week before this one: the grown sessions end yesterday, and this week may be empty."""
    return f"/timer/week/?date={timezone.localdate() - timedelta(days=7):%Y-%m-%d}"


def _day_url() -> str:
    return f"/timer/day/?date={timezone.localdate() - timedelta(days=1):%Y-%m-%d}"


def _api_toggle(token: str) -> Callable[[Client], Callable[[], object]]:
    hotkey = Client(headers={"Authorization": f"Bearer {token}"})
    return lambda client: lambda: hotkey.generic("POST", "/api/v1/timer/toggle")


def _api_sessions(token: str) -> Callable[[Client], Callable[[], object]]:
    reader = Client(headers={"Authorization": f"Bearer {token}"})
    return lambda client: lambda: reader.get("/api/v1/timer/sessions")


def timer_kind(token: str) -> Kind:
    return Kind(
        "timer sessions",
        _grow_sessions,
        [
            Page("timer dashboard", lambda client: lambda: client.get("/")),
            Page("week page", lambda client: lambda: client.get(_week_url())),
            Page("day page", lambda client: lambda: client.get(_day_url())),
            Page(
                "timer toggle (HTMX)",
                lambda client: (
                    lambda: client.post("/timer/toggle/", headers={"HX-Request": "true"})
                ),
            ),
            Page("timer toggle (API)", _api_toggle(token)),
            Page("sessions API (the last 7 days)", _api_sessions(token)),
            Page(
                "timer month report",
                lambda client: lambda: client.get("/timer/report/", {"preset": "last_month"}),
            ),
        ],
    )


# -- decisions -----------------------------------------------------------------------------------


def _grow_decisions(user, total: int) -> None:
    """Decisions about the user's sessions and baskets: several target types."""
    from django.contrib.contenttypes.models import ContentType

    from catalog.models import Basket
    from decisioning.models import Decision
    from worklog.models import WorkSession

    targets = [
        *WorkSession.objects.filter(user=user)[:3],
        *Basket.objects.filter(created_by=user)[:3],
    ]
    existing = Decision.all_objects.filter(decided_by=user).count()
    now = timezone.now()
    _bulk(
        Decision,
        (
            Decision(
                target_content_type=ContentType.objects.get_for_model(targets[n % len(targets)]),
                target_id=str(targets[n % len(targets)].pk),
                target_repr=str(targets[n % len(targets)]),
                decision_type=("approve", "refund", "access")[n % 3],
                outcome="approved",
                reason=f"decision {n}",
                decided_by=user,
                effective_at=now - timedelta(minutes=n),
            )
            for n in range(existing, total)
        ),
    )


def decisions_kind() -> Kind:
    return Kind(
        "decisions",
        _grow_decisions,
        [Page("decision log", lambda client: lambda: client.get("/decisions/"))],
    )


# -- orders: committed baskets with their lines and work -----------------------------------------


def _grow_orders(user, total: int) -> None:
    from catalog.models import Basket, BasketItem, CatalogItem, WorkItem

    item = CatalogItem.objects.order_by("code").first()
    existing = Basket.all_objects.filter(created_by=user, status="committed").count()
    now = timezone.now()
    for start in range(existing, total, BATCH):
        stop = min(start + BATCH, total)
        baskets = Basket.objects.bulk_create(
            Basket(created_by=user, status="committed", committed_at=now, committed_by=user)
            for _ in range(start, stop)
        )
        lines = BasketItem.objects.bulk_create(
            BasketItem(basket=basket, catalog_item=item, quantity=Decimal(1), unit_price=Decimal(5))
            for basket in baskets
        )
        WorkItem.objects.bulk_create(
            WorkItem(basket_item=line, work_type="prepare", spawn_role="prepare", priority=n % 5)
            for n, line in enumerate(lines)
        )


def _draft_with_lines(user, lines: int = 3):
    from catalog.models import CatalogItem
    from catalog.services import add_item, create_basket

    basket = create_basket(created_by=user)
    for item in CatalogItem.objects.order_by("code")[:lines]:
        add_item(basket, item)
    basket.refresh_from_db()
    return basket


def orders_kind(user) -> Kind:
    from catalog.models import CatalogItem
    from catalog.selectors import work_type_choices

    def basket_page(client: Client):
        basket = _draft_with_lines(user)
        return lambda: client.get(f"/catalog/baskets/{basket.pk}/")

    def add_to_basket(client: Client):
        basket = _draft_with_lines(user)
        item = CatalogItem.objects.order_by("-code").first()
        data = {"catalog_item": str(item.pk), "basket": str(basket.pk), "quantity": "1"}
        return lambda: client.post("/catalog/basket/add/", data, headers={"HX-Request": "true"})

    def commit(client: Client):
        basket = _draft_with_lines(user)
        data = {
            "revision": str(basket.revision),
            "work_types": [value for value, _ in work_type_choices()[:2]],
        }
        return lambda: client.post(
            f"/catalog/baskets/{basket.pk}/commit/", data, headers={"HX-Request": "true"}
        )

    return Kind(
        "orders (committed baskets with work items)",
        _grow_orders,
        [
            Page("basket page", basket_page),
            Page("add to basket", add_to_basket),
            Page("basket commit", commit),
            Page("work queue", lambda client: lambda: client.get("/catalog/work-queue/")),
            Page("basket list", lambda client: lambda: client.get("/catalog/baskets/")),
        ],
    )


# -- the run -------------------------------------------------------------------------------------


def measure(user, token: str) -> list[dict]:
    """Rows of {kind, page, counts per size, grows}."""
    from bench import journal, procedures

    client = Client()
    client.force_login(user)
    # Each kind is set up just before it is measured: a later kind's set-up (a procedure session
    # starts a timer) must not change the state an earlier kind is measured in.
    kinds = [
        lambda: [timer_kind(token)],
        lambda: [decisions_kind()],
        lambda: [orders_kind(user)],
        lambda: procedures.kinds(user),
        lambda: journal.kinds(user),
    ]
    return [row for make in kinds for kind in make() for row in _measure(client, user, kind)]


def _measure(client: Client, user, kind: Kind) -> list[dict]:
    queries: dict[str, dict[int, list[str]]] = {page.name: {} for page in kind.pages}
    for size in SIZES:
        kind.grow(user, size)
        for page in kind.pages:
            page.request(client)()  # warm caches (content types, templates)
            queries[page.name][size] = captured_queries(page.request(client))
    rows = []
    for page in kind.pages:
        by_size = queries[page.name]
        counts = {str(size): len(by_size[size]) for size in SIZES}
        row = {
            "kind": kind.name,
            "page": page.name,
            "queries": counts,
            "grows": len(set(counts.values())) > 1,
        }
        if row["grows"]:
            row["sql_by_size"] = {str(size): by_size[size] for size in SIZES}
        rows.append(row)
    return rows
