import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import (
    Basket,
    BasketItem,
    BasketStatus,
    CatalogItem,
    DispenseLog,
    WorkItem,
    WorkItemStatus,
)

pytestmark = pytest.mark.django_db


# CatalogItem


def test_catalog_item_creation(owner):
    item = CatalogItem.objects.create(owner=owner, name="Blood test", code="LAB-001")
    item.refresh_from_db()
    assert item.name == "Blood test"
    assert item.code == "LAB-001"
    assert item.currency == "USD"
    assert item.created_at is not None


def test_catalog_item_has_uuid_pk(catalog_item):
    assert isinstance(catalog_item.pk, uuid.UUID)


def test_catalog_item_owner_generic_fk(owner):
    item = CatalogItem.objects.create(owner=owner, name="X")
    item = CatalogItem.objects.get(pk=item.pk)
    assert item.owner == owner
    assert item.owner_content_type == ContentType.objects.get_for_model(owner)
    assert item.owner_id == str(owner.pk)


def test_catalog_item_price_optional(owner):
    item = CatalogItem.objects.create(owner=owner, name="Free advice")
    item.refresh_from_db()
    assert item.unit_price is None


def test_catalog_item_is_available_default(owner):
    assert CatalogItem.objects.create(owner=owner, name="X").is_available is True


def test_catalog_item_soft_delete(catalog_item):
    catalog_item.delete()
    assert not CatalogItem.objects.filter(pk=catalog_item.pk).exists()
    assert CatalogItem.all_objects.filter(pk=catalog_item.pk).exists()
    assert CatalogItem.all_objects.get(pk=catalog_item.pk).is_deleted


def test_catalog_item_ordering(make_item):
    make_item("Charlie", sort_order=1)
    make_item("Bravo", sort_order=1)
    make_item("Zulu", sort_order=0)
    assert [item.name for item in CatalogItem.objects.all()] == ["Zulu", "Bravo", "Charlie"]


def test_catalog_item_for_owner_query(make_item, owner, other_user):
    mine = make_item("Mine")
    CatalogItem.objects.create(owner=other_user, name="Theirs")
    assert list(CatalogItem.objects.for_owner(owner)) == [mine]


def test_catalog_item_available_query(make_item):
    available = make_item("On offer")
    make_item("Off", is_available=False)
    make_item("Later", available_from=timezone.now() + timedelta(days=1))
    make_item("Over", available_to=timezone.now() - timedelta(seconds=1))
    assert list(CatalogItem.objects.available()) == [available]


def test_catalog_item_by_category_query(make_item):
    lab = make_item("Blood test", category="laboratory")
    make_item("X-ray", category="imaging")
    assert list(CatalogItem.objects.by_category("laboratory")) == [lab]


def test_catalog_item_metadata_json(owner):
    item = CatalogItem.objects.create(owner=owner, name="X", metadata={"tags": ["a", "b"], "n": 1})
    item.refresh_from_db()
    assert item.metadata == {"tags": ["a", "b"], "n": 1}


def test_catalog_item_str_representation(catalog_item):
    assert str(catalog_item) == "Blood test"


# Basket


def test_basket_creation(user):
    basket = Basket.objects.create(created_by=user, notes="For the lab")
    basket.refresh_from_db()
    assert basket.notes == "For the lab"
    assert basket.created_by == user
    assert basket.context_id == ""


def test_basket_has_uuid_pk(basket):
    assert isinstance(basket.pk, uuid.UUID)


def test_basket_status_default_draft():
    assert Basket.objects.create().status == BasketStatus.DRAFT


def test_basket_context_generic_fk(catalog_item):
    basket = Basket.objects.create(context=catalog_item)
    basket = Basket.objects.get(pk=basket.pk)
    assert basket.context == catalog_item
    assert basket.context_id == str(catalog_item.pk)


def test_basket_context_optional():
    basket = Basket.objects.create()
    basket.refresh_from_db()
    assert basket.context is None
    assert basket.context_content_type is None


def test_basket_is_committed_property():
    assert Basket(status=BasketStatus.COMMITTED).is_committed
    assert not Basket(status=BasketStatus.DRAFT).is_committed


def test_basket_is_draft_property():
    assert Basket(status=BasketStatus.DRAFT).is_draft
    assert not Basket(status=BasketStatus.CANCELLED).is_draft


def test_basket_total_items_property(basket, make_item):
    BasketItem.objects.create(basket=basket, catalog_item=make_item("A"))
    BasketItem.objects.create(basket=basket, catalog_item=make_item("B"))
    assert basket.total_items == 2


def test_basket_total_quantity_property(basket, make_item):
    assert basket.total_quantity == 0
    BasketItem.objects.create(basket=basket, catalog_item=make_item("A"), quantity=2)
    BasketItem.objects.create(basket=basket, catalog_item=make_item("B"), quantity="1.5")
    assert basket.total_quantity == Decimal("3.5")


def test_basket_idempotency_key_unique():
    Basket.objects.create(idempotency_key="visit-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Basket.objects.create(idempotency_key="visit-1")
    # Baskets without a key do not collide.
    Basket.objects.create()
    Basket.objects.create()


def test_basket_soft_delete(basket):
    basket.delete()
    assert not Basket.objects.filter(pk=basket.pk).exists()
    assert Basket.all_objects.filter(pk=basket.pk).exists()


def test_basket_ordering():
    first = Basket.objects.create()
    second = Basket.objects.create()
    Basket.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert list(Basket.objects.all()) == [second, first]


def test_basket_committed_at_nullable(basket):
    basket.refresh_from_db()
    assert basket.committed_at is None
    assert basket.committed_by is None


def test_basket_str_representation(basket):
    assert str(basket) == f"Basket {basket.pk} (draft)"


# BasketItem


def test_basket_item_creation(basket, catalog_item):
    line = BasketItem.objects.create(basket=basket, catalog_item=catalog_item)
    line.refresh_from_db()
    assert line.basket == basket
    assert line.catalog_item == catalog_item
    assert line.currency == "USD"


def test_basket_item_has_uuid_pk(line):
    assert isinstance(line.pk, uuid.UUID)


def test_basket_item_basket_fk(basket, line):
    assert line.basket == basket
    assert list(basket.items.all()) == [line]


def test_basket_item_catalog_item_fk(catalog_item, line):
    assert line.catalog_item == catalog_item
    assert list(catalog_item.basket_items.all()) == [line]


def test_basket_item_quantity_default(basket, catalog_item):
    line = BasketItem.objects.create(basket=basket, catalog_item=catalog_item)
    line.refresh_from_db()
    assert line.quantity == Decimal("1")


def test_basket_item_price_snapshot(basket, catalog_item):
    line = BasketItem.objects.create(basket=basket, catalog_item=catalog_item, unit_price="50.00")
    catalog_item.unit_price = Decimal("75.00")
    catalog_item.save()
    line.refresh_from_db()
    assert line.unit_price == Decimal("50.00")


def test_basket_item_line_total_property(basket, catalog_item):
    line = BasketItem(basket=basket, catalog_item=catalog_item, quantity=Decimal("3"))
    line.unit_price = Decimal("12.50")
    assert line.line_total == Decimal("37.50")


def test_basket_item_line_total_null_price(basket, catalog_item):
    assert BasketItem(basket=basket, catalog_item=catalog_item, quantity=2).line_total is None


def test_basket_item_instructions_optional(basket, catalog_item):
    line = BasketItem.objects.create(basket=basket, catalog_item=catalog_item)
    assert line.instructions == ""
    with_instructions = BasketItem.objects.create(
        basket=basket, catalog_item=catalog_item, instructions="Fasting required"
    )
    with_instructions.refresh_from_db()
    assert with_instructions.instructions == "Fasting required"


def test_basket_item_str_representation(basket, catalog_item):
    line = BasketItem.objects.create(basket=basket, catalog_item=catalog_item, quantity=2)
    line.refresh_from_db()
    assert str(line) == "2.00x Blood test"


# WorkItem


@pytest.fixture
def work_item(line):
    return WorkItem.objects.create(basket_item=line, work_type="collect", spawn_role="collect")


def test_work_item_creation(line):
    work = WorkItem.objects.create(basket_item=line, work_type="collect", notes="Fasting")
    work.refresh_from_db()
    assert work.work_type == "collect"
    assert work.spawn_role == ""
    assert work.priority == 0
    assert work.notes == "Fasting"


def test_work_item_has_uuid_pk(work_item):
    assert isinstance(work_item.pk, uuid.UUID)


def test_work_item_basket_item_fk(work_item, line):
    assert work_item.basket_item == line
    assert list(line.work_items.all()) == [work_item]


def test_work_item_status_default_pending(work_item):
    assert work_item.status == WorkItemStatus.PENDING


def test_work_item_assigned_to_optional(work_item, user):
    assert work_item.assigned_to is None
    work_item.assigned_to = user
    work_item.save()
    work_item.refresh_from_db()
    assert work_item.assigned_to == user


def test_work_item_is_complete_property(work_item):
    assert not work_item.is_complete
    work_item.status = WorkItemStatus.COMPLETED
    assert work_item.is_complete


def test_work_item_start_method(work_item, user):
    work_item.start(user)
    work_item.refresh_from_db()
    assert work_item.status == WorkItemStatus.IN_PROGRESS
    assert work_item.started_at is not None
    assert work_item.assigned_to == user


def test_work_item_complete_method(work_item):
    work_item.complete()
    work_item.refresh_from_db()
    assert work_item.status == WorkItemStatus.COMPLETED
    assert work_item.completed_at is not None


def test_work_item_unique_constraint(work_item, line):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkItem.objects.create(basket_item=line, work_type="other", spawn_role="collect")
    WorkItem.objects.create(basket_item=line, work_type="collect", spawn_role="process")


def test_work_item_ordering(line):
    low = WorkItem.objects.create(basket_item=line, work_type="a", spawn_role="a", priority=0)
    high = WorkItem.objects.create(basket_item=line, work_type="b", spawn_role="b", priority=5)
    low_later = WorkItem.objects.create(basket_item=line, work_type="c", spawn_role="c")
    assert list(WorkItem.objects.all()) == [high, low, low_later]


def test_work_item_soft_delete(work_item):
    work_item.delete()
    assert not WorkItem.objects.filter(pk=work_item.pk).exists()
    assert WorkItem.all_objects.filter(pk=work_item.pk).exists()


def test_work_item_str_representation(work_item):
    work_item.basket_item.refresh_from_db()
    assert str(work_item) == "collect for 3.00x Blood test"


# DispenseLog


def test_dispense_log_creation(line, user):
    log = DispenseLog.objects.create(
        basket_item=line, quantity_dispensed=2, dispensed_by=user, notes="Left arm"
    )
    log.refresh_from_db()
    assert log.quantity_dispensed == Decimal("2")
    assert log.dispensed_by == user
    assert log.notes == "Left arm"


def test_dispense_log_has_uuid_pk(line):
    log = DispenseLog.objects.create(basket_item=line, quantity_dispensed=1)
    assert isinstance(log.pk, uuid.UUID)


def test_dispense_log_basket_item_fk(line):
    log = DispenseLog.objects.create(basket_item=line, quantity_dispensed=1)
    assert log.basket_item == line
    assert list(line.dispense_logs.all()) == [log]


def test_dispense_log_dispensed_by_optional(line):
    log = DispenseLog.objects.create(basket_item=line, quantity_dispensed=1)
    log.refresh_from_db()
    assert log.dispensed_by is None


def test_dispense_log_dispensed_at_default(line):
    before = timezone.now()
    log = DispenseLog.objects.create(basket_item=line, quantity_dispensed=1)
    assert before <= log.dispensed_at <= timezone.now()


def test_dispense_log_lot_number_optional(line):
    log = DispenseLog.objects.create(basket_item=line, quantity_dispensed=1)
    assert log.lot_number == ""
    assert log.expiry_date is None


def test_dispense_log_ordering(line):
    now = timezone.now()
    old = DispenseLog.objects.create(
        basket_item=line, quantity_dispensed=1, dispensed_at=now - timedelta(days=1)
    )
    new = DispenseLog.objects.create(basket_item=line, quantity_dispensed=1, dispensed_at=now)
    assert list(DispenseLog.objects.all()) == [new, old]


def test_dispense_log_str_representation(line):
    log = DispenseLog.objects.create(basket_item=line, quantity_dispensed=Decimal("2.00"))
    assert str(log) == "Dispensed 2.00 of Blood test"
