"""Add-to-basket and commit: latency and throughput over HTTP, on PostgreSQL under gunicorn.

    uv run python -m bench.catalog_checkout [--clients 4] [--requests 400] [--seconds 20]

Each client signs in as its own user. "add" posts catalog items into draft baskets of up to ten
lines (the HTMX request the catalog page sends, answered with the whole basket fragment);
"commit" commits one prepared three-line basket per request with two work types. Afterwards
the database is checked: every commit spawned its work exactly once.
"""

import argparse
import json
import logging
import os
import re
from itertools import count

import httpx

from bench.load import Request, run_load
from bench.server import DEFAULT_DATABASE_URL, gunicorn, manage, recreate_database

PASSWORD = "bench-password-123"
LINES_PER_BASKET = 3
LINES_PER_ADDED_BASKET = 10
WORK_TYPES = ["prepare", "deliver"]


def _setup_django(database_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database_url,
            "DEBUG": "1",
        }
    )
    import django

    django.setup()


def _seed(clients: int, baskets: int):
    """Users in the back office (so any client may commit any basket), items, and draft baskets
    with their revisions."""
    from decimal import Decimal

    from django.contrib.auth.models import Group

    from catalog.access import BACK_OFFICE_GROUP, ensure_groups
    from catalog.models import CatalogItem
    from catalog.services import add_item, create_basket
    from core.models import User

    ensure_groups()
    back_office = Group.objects.get(name=BACK_OFFICE_GROUP)
    users = []
    for index in range(clients):
        user = User.objects.create_user(f"bench{index}", password=PASSWORD)
        user.groups.add(back_office)
        users.append(user)
    items = CatalogItem.objects.bulk_create(
        CatalogItem(
            owner=users[0],
            name=f"Item {n}",
            code=f"BENCH-{n:03}",
            category="bench",
            unit_price=Decimal("9.99"),
        )
        for n in range(50)
    )
    drafts = []
    for number in range(baskets):
        basket = create_basket(created_by=users[number % clients])
        for item in items[:LINES_PER_BASKET]:
            add_item(basket, item)
        drafts.append((str(basket.pk), basket.revision))
    return [str(item.pk) for item in items], drafts


def _signed_in_client_kwargs(base_url: str, index: int) -> dict:
    with httpx.Client(base_url=base_url) as client:
        page = client.get("/accounts/login/")
        page.raise_for_status()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post(
            "/accounts/login/",
            data={
                "username": f"bench{index}",
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
            },
        )
        assert response.status_code == 302, f"bench{index} could not sign in"
        cookies = dict(client.cookies)
    return {
        "cookies": cookies,
        "headers": {"X-CSRFToken": cookies["csrftoken"], "HX-Request": "true"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL + "_catalog")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)

    recreate_database(args.database_url)
    manage(args.database_url, "migrate", "--no-input", "-v", "0")
    # The production server serves hashed static files from the manifest collectstatic writes.
    manage(args.database_url, "collectstatic", "--no-input", "-v", "0")
    _setup_django(args.database_url)
    item_ids, drafts = _seed(args.clients, args.requests)

    results = []
    with gunicorn(args.database_url, workers=args.workers) as (base_url, _pid):
        sessions = [_signed_in_client_kwargs(base_url, i) for i in range(args.clients)]
        sequence = count()

        def add(index: int) -> Request:
            # Each client fills baskets of LINES_PER_ADDED_BASKET lines, one after the other.
            number = next(sequence)
            basket = f"{index:08}-0000-4000-8000-{number // LINES_PER_ADDED_BASKET:012}"
            data = {"catalog_item": item_ids[number % len(item_ids)], "basket_key": basket}
            return Request("POST", "/catalog/basket/add/", data={**data, "quantity": "1"})

        results.append(
            run_load(
                "catalog add-to-basket",
                base_url,
                args.clients,
                add,
                lambda i: sessions[i],
                max_requests=args.requests,
                max_seconds=args.seconds,
            )
        )

        def commit(index: int) -> Request:
            basket_id, revision = drafts.pop()
            data = {"revision": str(revision), "work_types": WORK_TYPES}
            return Request("POST", f"/catalog/baskets/{basket_id}/commit/", data=data)

        results.append(
            run_load(
                "catalog commit",
                base_url,
                args.clients,
                commit,
                lambda i: sessions[i],
                max_requests=args.requests,
                max_seconds=args.seconds,
            )
        )

    from catalog.models import Basket, WorkItem

    committed = Basket.objects.filter(status="committed").count()
    work = WorkItem.objects.count()
    assert committed == results[1].requests - results[1].errors, (committed, results[1].as_dict())
    assert work == committed * LINES_PER_BASKET * len(WORK_TYPES), (work, committed)
    for result in results:
        print(json.dumps(result.as_dict()))
    print(json.dumps({"committed_baskets": committed, "work_items": work}))


if __name__ == "__main__":
    main()
