"""Every state-changing catalog form is idempotent: a double click or a resubmitted form (one
Idempotency-Key) acts once, and the second response replays the first."""

import re
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Basket, BasketItem, BasketStatus, CatalogItem, DispenseLog, WorkItem
from decisioning.http import IDEMPOTENCY_FIELD, REPLAYED_HEADER
from worklog.models import WorkSession

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
KEY_FIELD = re.compile(rf'name="{IDEMPOTENCY_FIELD}" value="([^"]+)"')


def post_twice(client, url, data, headers=None):
    data = {**data, IDEMPOTENCY_FIELD: str(uuid.uuid4())}
    first = client.post(url, data, headers=headers or {})
    second = client.post(url, data, headers=headers or {})
    return first, second


def assert_replayed(first, second):
    assert REPLAYED_HEADER not in first
    assert second[REPLAYED_HEADER] == "true"
    assert second.status_code == first.status_code
    # The first HTMX response also carries its messages (added after the view, out of band).
    assert first.content.startswith(second.content)


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain-form"])
def test_add_to_basket_twice_with_one_key_adds_one_line(user_client, basket, catalog_item, headers):
    data = {"catalog_item": catalog_item.pk, "basket": basket.pk, "quantity": "2"}
    first, second = post_twice(user_client, reverse("catalog:basket-add"), data, headers)
    assert_replayed(first, second)
    [line] = BasketItem.objects.filter(basket=basket)
    assert line.quantity == Decimal("2")


def test_add_to_basket_with_a_new_key_is_a_new_add(user_client, basket, catalog_item):
    data = {"catalog_item": catalog_item.pk, "basket": basket.pk, "quantity": "1"}
    for _ in range(2):
        data[IDEMPOTENCY_FIELD] = str(uuid.uuid4())
        response = user_client.post(reverse("catalog:basket-add"), data, headers=HTMX)
        assert REPLAYED_HEADER not in response
    assert sum(line.quantity for line in BasketItem.objects.filter(basket=basket)) == 2


def test_same_key_with_other_values_is_refused_and_changes_nothing(
    user_client, basket, catalog_item
):
    key = str(uuid.uuid4())
    url = reverse("catalog:basket-add")
    data = {"catalog_item": catalog_item.pk, "basket": basket.pk, IDEMPOTENCY_FIELD: key}
    user_client.post(url, {**data, "quantity": "1"}, headers=HTMX)
    response = user_client.post(url, {**data, "quantity": "5"}, headers=HTMX)
    assert response.status_code == 422
    assert BasketItem.objects.get(basket=basket).quantity == 1


def test_the_swapped_basket_fragment_carries_new_keys(user_client, basket, catalog_item):
    key = str(uuid.uuid4())
    data = {"catalog_item": catalog_item.pk, "basket": basket.pk, "quantity": "1"}
    response = user_client.post(
        reverse("catalog:basket-add"), {**data, IDEMPOTENCY_FIELD: key}, headers=HTMX
    )
    keys = KEY_FIELD.findall(response.content.decode())
    assert keys and key not in keys and len(set(keys)) == len(keys)


def test_commit_twice_with_one_key_commits_once(user_client, basket, line):
    url = reverse("catalog:basket-commit", args=[basket.pk])
    data = {"revision": basket.revision, "work_types": ["prepare", "deliver"]}
    first, second = post_twice(user_client, url, data, HTMX)
    assert_replayed(first, second)
    basket.refresh_from_db()
    assert basket.status == BasketStatus.COMMITTED
    assert WorkItem.objects.filter(basket_item__basket=basket).count() == 2


def test_dispense_twice_with_one_key_dispenses_once(back_office_user, committed_line):
    client = Client()
    client.force_login(back_office_user)
    url = reverse("catalog:line-dispense", args=[committed_line.basket_id, committed_line.pk])
    first, second = post_twice(client, url, {"quantity": "1"}, HTMX)
    assert_replayed(first, second)
    assert DispenseLog.objects.filter(basket_item=committed_line).count() == 1


def test_start_with_timer_twice_with_one_key_starts_one_session(user_client, committed_line):
    work = committed_line.work_items.get(spawn_role="prepare")
    url = reverse("catalog:work-item-start-timer", args=[work.pk])
    first, second = post_twice(user_client, url, {}, HTMX)
    assert_replayed(first, second)
    assert WorkSession.objects.count() == 1


def test_create_catalog_item_twice_with_one_key_creates_one(manager_user):
    client = Client()
    client.force_login(manager_user)
    data = {"name": "MRI", "currency": "EUR", "unit_price": "10", "is_available": "on"}
    data["sort_order"] = "0"
    first, second = post_twice(client, reverse("catalog:item-create"), data)
    assert first.status_code == 302, first.content.decode()
    assert_replayed(first, second)
    assert CatalogItem.objects.filter(name="MRI").count() == 1


@pytest.mark.parametrize(
    "action, data",
    [
        ("line-quantity", {"quantity": "4"}),
        ("line-remove", {}),
        ("basket-cancel", {}),
    ],
)
def test_draft_basket_actions_replay(user_client, basket, line, action, data):
    args = [basket.pk] if action.startswith("basket") else [basket.pk, line.pk]
    first, second = post_twice(user_client, reverse(f"catalog:{action}", args=args), data, HTMX)
    assert first.status_code == 200
    assert_replayed(first, second)


@pytest.mark.parametrize("action", ["start", "block", "complete"])
def test_work_item_actions_replay(user_client, committed_line, action):
    work = committed_line.work_items.get(spawn_role="prepare")
    url = reverse(f"catalog:work-item-{action}", args=[work.pk])
    first, second = post_twice(user_client, url, {}, HTMX)
    assert first.status_code == 200
    assert_replayed(first, second)


def test_every_post_form_of_the_catalog_pages_carries_a_key(
    back_office_user, make_item, committed_line
):
    client = Client()
    client.force_login(back_office_user)
    draft = Basket.objects.create(created_by=back_office_user)
    BasketItem.objects.create(basket=draft, catalog_item=make_item("X"), unit_price=1)
    work = committed_line.work_items.get(spawn_role="prepare")
    pages = [
        reverse("catalog:catalog"),
        reverse("catalog:work-item-detail", args=[work.pk]),
        reverse("catalog:basket-detail", args=[draft.pk]),
        reverse("catalog:basket-detail", args=[committed_line.basket_id]),
        reverse("catalog:work-queue"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        main = html[html.index('<main id="main"') :]
        forms = re.findall(r'<form method="post".*?</form>', main, re.S)
        assert forms, url
        for form in forms:
            assert f'name="{IDEMPOTENCY_FIELD}"' in form, f"{url}: {form[:200]}"
