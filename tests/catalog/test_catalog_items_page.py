from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import CatalogItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(manager_user):
    client = Client()
    client.force_login(manager_user)
    return client


ITEM = {
    "name": "MRI scan",
    "code": "IMG-9",
    "category": "imaging",
    "unit_price": "300.00",
    "currency": "eur",
    "is_available": "on",
    "sort_order": "0",
}


def test_manager_creates_item_owned_by_them(manager, manager_user):
    response = manager.post(reverse("catalog:item-create"), ITEM)
    item = CatalogItem.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("catalog:item-detail", args=[item.pk])
    assert item.owner == manager_user
    assert item.currency == "EUR"
    assert item.unit_price == Decimal("300.00")


def test_manager_edits_item_and_owner_stays(manager, catalog_item, owner):
    data = {**ITEM, "name": "Blood panel"}
    manager.post(reverse("catalog:item-edit", args=[catalog_item.pk]), data)
    catalog_item.refresh_from_db()
    assert catalog_item.name == "Blood panel"
    assert catalog_item.owner == owner


def test_item_form_rejects_bad_window_and_currency(manager):
    data = {
        **ITEM,
        "currency": "E1R",
        "available_from": "2030-01-02T10:00",
        "available_to": "2030-01-01T10:00",
    }
    response = manager.post(reverse("catalog:item-create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "three-letter currency code" in html
    assert "The window must end after it starts." in html
    assert not CatalogItem.objects.exists()


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Pago_Pago"])
def test_item_form_refuses_a_window_at_the_ends_of_the_calendar(manager, manager_user, zone):
    manager_user.time_zone = zone
    manager_user.save()
    data = {**ITEM, "available_from": "0001-01-01T00:00", "available_to": "9999-12-31T23:59"}
    response = manager.post(reverse("catalog:item-create"), data)
    assert response.status_code == 400
    assert "between the years" in response.content.decode()
    assert not CatalogItem.objects.exists()


def test_item_form_refuses_an_offset_beyond_fourteen_hours(manager):
    data = {**ITEM, "available_from": "2026-01-01T00:00+22:01"}
    response = manager.post(reverse("catalog:item-create"), data)
    assert response.status_code == 400
    assert "time-zone offset between -14:00 and +14:00" in response.content.decode()
    assert not CatalogItem.objects.exists()


def test_signed_in_users_browse_but_do_not_manage(user_client, catalog_item):
    assert user_client.get(reverse("catalog:catalog")).status_code == 200
    assert (
        user_client.get(reverse("catalog:item-detail", args=[catalog_item.pk])).status_code == 200
    )
    assert user_client.get(reverse("catalog:item-create")).status_code == 403
    assert user_client.post(reverse("catalog:item-create"), ITEM).status_code == 403
    edit = reverse("catalog:item-edit", args=[catalog_item.pk])
    assert user_client.post(edit, {**ITEM, "name": "Hacked"}).status_code == 403
    catalog_item.refresh_from_db()
    assert catalog_item.name == "Blood test"
    assert "New item" not in user_client.get(reverse("catalog:catalog")).content.decode()


def test_manager_sees_manage_links(manager, catalog_item):
    assert "New item" in manager.get(reverse("catalog:catalog")).content.decode()
    detail = manager.get(reverse("catalog:item-detail", args=[catalog_item.pk]))
    assert "Edit item" in detail.content.decode()


def test_deleted_item_page_is_404(user_client, catalog_item):
    catalog_item.delete()
    assert (
        user_client.get(reverse("catalog:item-detail", args=[catalog_item.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    "name", ["catalog:basket-list", "catalog:item-create", "catalog:basket-add"]
)
def test_pages_require_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:login"))
