from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Basket, BasketItem, CatalogItem, WorkItem
from catalog.services import commit_basket, dispense

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin_user)
    return client


def _inline(basket, lines, **extra):
    data = {
        "notes": basket.notes,
        "metadata": "{}",
        "items-TOTAL_FORMS": str(len(lines) + len(extra.get("new", []))),
        "items-INITIAL_FORMS": str(len(lines)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, (line, quantity) in enumerate(lines):
        data[f"items-{index}-id"] = str(line.pk)
        data[f"items-{index}-basket"] = str(basket.pk)
        data[f"items-{index}-catalog_item"] = str(line.catalog_item_id)
        data[f"items-{index}-quantity"] = quantity
        data[f"items-{index}-instructions"] = ""
    for offset, (item, quantity) in enumerate(extra.get("new", [])):
        index = len(lines) + offset
        data[f"items-{index}-basket"] = str(basket.pk)
        data[f"items-{index}-catalog_item"] = str(item.pk)
        data[f"items-{index}-quantity"] = quantity
        data[f"items-{index}-instructions"] = ""
    return data


def test_every_admin_list_and_change_page_opens(admin_client, committed_line):
    dispense(committed_line, 1)
    for model in (CatalogItem, Basket, WorkItem):
        obj = model.objects.first()
        opts = model._meta
        assert (
            admin_client.get(reverse(f"admin:catalog_{opts.model_name}_changelist")).status_code
            == 200
        )
        change = reverse(f"admin:catalog_{opts.model_name}_change", args=[obj.pk])
        assert admin_client.get(change).status_code == 200
    assert admin_client.get(reverse("admin:catalog_dispenselog_changelist")).status_code == 200


def test_catalog_item_list_edits_price_and_availability(admin_client, catalog_item):
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(catalog_item.pk),
        "form-0-unit_price": "65.00",
        "_save": "Save",
    }
    response = admin_client.post(reverse("admin:catalog_catalogitem_changelist"), data)
    assert response.status_code == 302
    catalog_item.refresh_from_db()
    assert catalog_item.unit_price == Decimal("65.00")
    assert catalog_item.is_available is False


def test_catalog_item_list_filters_by_category_and_availability_window(admin_client, make_item):
    now = timezone.now()
    orderable = make_item("Blood test", category="laboratory")
    make_item("X-ray", category="imaging")
    make_item("Flu shot", category="laboratory", available_from=now + timedelta(days=1))
    make_item("Old panel", category="laboratory", available_to=now - timedelta(days=1))
    make_item("Withdrawn", category="laboratory", is_available=False)
    changelist = reverse("admin:catalog_catalogitem_changelist")

    def listed(params):
        response = admin_client.get(changelist, params)
        assert response.status_code == 200
        return {item.name for item in response.context["cl"].result_list}

    assert listed({"category": "imaging"}) == {"X-ray"}
    assert listed({"category": "laboratory", "orderable": "yes"}) == {orderable.name}
    assert listed({"category": "laboratory", "orderable": "no"}) == {
        "Flu shot",
        "Old panel",
        "Withdrawn",
    }


def test_catalog_item_added_in_admin_is_owned_by_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:catalog_catalogitem_add"),
        {"name": "Scan", "currency": "USD", "sort_order": "0", "metadata": "{}"},
    )
    assert response.status_code == 302
    assert CatalogItem.objects.get().owner.username == "root"


def test_draft_basket_lines_are_edited_through_the_services(admin_client, basket, line, make_item):
    new_item = make_item("Scan", unit_price=Decimal("9.00"))
    url = reverse("admin:catalog_basket_change", args=[basket.pk])
    response = admin_client.post(url, _inline(basket, [(line, "4")], new=[(new_item, "2")]))
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.quantity == 4
    added = BasketItem.objects.get(catalog_item=new_item)
    assert added.unit_price == Decimal("9.00")
    assert Basket.objects.get(pk=basket.pk).revision == 3


def test_admin_refuses_unavailable_item_in_a_new_line(admin_client, basket, make_item):
    off = make_item("Off", is_available=False)
    url = reverse("admin:catalog_basket_change", args=[basket.pk])
    response = admin_client.post(url, _inline(basket, [], new=[(off, "1")]))
    assert response.status_code == 200
    assert "Not available" in response.content.decode()
    assert basket.total_items == 0


def test_committed_basket_is_read_only_in_admin(admin_client, basket, line):
    commit_basket(basket)
    url = reverse("admin:catalog_basket_change", args=[basket.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="items-0-quantity"' not in html
    assert 'name="notes"' not in html
    admin_client.post(url, _inline(basket, [(line, "9")]))
    line.refresh_from_db()
    assert line.quantity == 3


def test_dispense_logs_cannot_be_added_or_changed_in_admin(admin_client, committed_line):
    log = dispense(committed_line, 1)
    assert admin_client.get(reverse("admin:catalog_dispenselog_add")).status_code == 403
    change = reverse("admin:catalog_dispenselog_change", args=[log.pk])
    admin_client.post(change, {"quantity_dispensed": "3"})
    log.refresh_from_db()
    assert log.quantity_dispensed == 1


def test_deleting_an_ordered_catalog_item_in_admin_is_soft(admin_client, line, catalog_item):
    url = reverse("admin:catalog_catalogitem_delete", args=[catalog_item.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not CatalogItem.objects.filter(pk=catalog_item.pk).exists()
    line.refresh_from_db()
    assert line.catalog_item == catalog_item
    assert line.catalog_item.is_deleted
