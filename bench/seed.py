"""Data the load runs need: users signed in as a browser would be (a session cookie and a CSRF
token), each with an API token, a history of timer sessions, and catalog items to order."""

import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from bench import server

LOAD_HISTORY_PER_USER = 200
CATALOG_ITEMS = 50
LINES_PER_DRAFT = 2


def setup_django(database_url: str) -> None:
    """Django in this process, on the benchmark's database and settings."""
    os.environ.update(server.server_environment(database_url))
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    import django

    django.setup()


@dataclass
class LoadUser:
    pk: int
    username: str
    api_token: str
    browser: dict  # httpx.AsyncClient keyword arguments: cookies and headers
    drafts: list[tuple[str, int]] = field(default_factory=list)  # (basket id, revision)


def browser_session(user) -> dict:
    """A signed-in session and a CSRF token, as the login page would leave them, without paying
    for fifty password hashes."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "core.auth_backends.PermissionBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    csrf_secret = secrets.token_hex(16)  # Django accepts its 32-character secret unmasked
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: store.session_key,
            settings.CSRF_COOKIE_NAME: csrf_secret,
        },
        "headers": {"X-CSRFToken": csrf_secret, "HX-Request": "true"},
    }


def create_load_users(count: int) -> list[LoadUser]:
    """`count` users in the catalog back office, each with a token and a timer history."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from catalog.access import BACK_OFFICE_GROUP, ensure_groups
    from core.models import User
    from core.services import create_api_token
    from worklog.models import WorkSession

    ensure_groups()
    back_office = Group.objects.get(name=BACK_OFFICE_GROUP)
    now = timezone.now()
    users = []
    for index in range(count):
        user = User.objects.create_user(f"load{index}", password=secrets.token_hex(8))
        user.groups.add(back_office)
        _, token = create_api_token(user=user, name="bench")
        WorkSession.objects.bulk_create(
            WorkSession(
                user=user,
                started_at=now - timedelta(days=1, hours=8 * n),
                stopped_at=now - timedelta(days=1, hours=8 * n) + timedelta(minutes=90),
                duration_seconds=5400,
                end_reason="stopped",
            )
            for n in range(LOAD_HISTORY_PER_USER)
        )
        users.append(LoadUser(user.pk, user.username, token, browser_session(user)))
    return users


def create_catalog_items(owner_pk: int) -> list[str]:
    from catalog.models import CatalogItem
    from core.models import User

    owner = User.objects.get(pk=owner_pk)
    items = CatalogItem.objects.bulk_create(
        CatalogItem(
            owner=owner,
            name=f"Load item {n}",
            code=f"LOAD-{n:03}",
            category="load",
            unit_price=Decimal("9.99"),
        )
        for n in range(CATALOG_ITEMS)
    )
    return [str(item.pk) for item in items]


def create_drafts(users: list[LoadUser], per_user: int, item_ids: list[str]) -> None:
    """Replaces each user's draft baskets with `per_user` new ones of two lines each."""
    from catalog.models import CatalogItem
    from catalog.services import add_item, create_basket
    from core.models import User

    items = list(CatalogItem.objects.filter(pk__in=item_ids[:LINES_PER_DRAFT]))
    for load_user in users:
        user = User.objects.get(pk=load_user.pk)
        load_user.drafts = []
        for _ in range(per_user):
            basket = create_basket(created_by=user)
            for item in items:
                add_item(basket, item)
            basket.refresh_from_db(fields=["revision"])
            load_user.drafts.append((str(basket.pk), basket.revision))
