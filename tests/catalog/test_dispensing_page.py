from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import DispenseLog
from catalog.services import add_item, create_basket, dispense
from tests.conftest import HEADER_QUERIES

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def back_office(back_office_user):
    client = Client()
    client.force_login(back_office_user)
    return client


def dispense_url(line):
    return reverse("catalog:line-dispense", args=[line.basket_id, line.pk])


def test_dispense_records_log_and_shows_dispensed_of_ordered(
    back_office, committed_line, back_office_user
):
    expiry = timezone.localdate() + timedelta(days=30)
    response = back_office.post(
        dispense_url(committed_line),
        {"quantity": "1", "lot_number": "LOT-9", "expiry_date": expiry, "notes": "Left arm"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "Dispensed 1 / 3" in html
    assert "lot LOT-9" in html
    assert "Dispensed 1 of Blood test." in html
    log = DispenseLog.objects.get()
    assert log.dispensed_by == back_office_user
    assert (log.lot_number, log.expiry_date, log.notes) == ("LOT-9", expiry, "Left arm")


def test_fully_dispensed_line_shows_complete_and_no_form(back_office, committed_line):
    response = back_office.post(dispense_url(committed_line), {"quantity": "3"}, headers=HTMX)
    html = response.content.decode()
    assert "Dispensed 3 / 3" in html
    assert ">Complete<" in html
    assert 'data-testid="dispense-form"' not in html


def test_over_dispense_is_refused_with_message(back_office, committed_line):
    dispense(committed_line, 2)
    response = back_office.post(dispense_url(committed_line), {"quantity": "2"}, headers=HTMX)
    assert "Only 1.00 left to dispense on this line" in response.content.decode()
    assert back_office.post(dispense_url(committed_line), {"quantity": "2"}).status_code == 409
    assert DispenseLog.objects.count() == 1


def test_expired_lot_is_refused(back_office, committed_line):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = back_office.post(
        dispense_url(committed_line), {"quantity": "1", "expiry_date": yesterday}
    )
    assert response.status_code == 400
    assert "This lot has expired." in response.content.decode()
    assert not DispenseLog.objects.exists()


def test_dispense_on_draft_basket_is_refused(back_office, line):
    response = back_office.post(dispense_url(line), {"quantity": "1"})
    assert response.status_code == 409
    assert "Only lines of committed baskets can be dispensed." in response.content.decode()


def test_dispensing_needs_the_permission(user_client, committed_line):
    html = user_client.get(
        reverse("catalog:basket-detail", args=[committed_line.basket_id])
    ).content.decode()
    assert "Dispensed 0 / 3" in html
    assert 'data-testid="dispense-form"' not in html
    assert user_client.post(dispense_url(committed_line), {"quantity": "1"}).status_code == 403
    assert not DispenseLog.objects.exists()


def test_dispense_history_per_catalog_item(back_office, user_client, committed_line, other_user):
    dispense(committed_line, 1, lot_number="A1")
    dispense(committed_line, 2, lot_number="A2")
    theirs = create_basket(created_by=other_user)
    their_line = add_item(theirs, committed_line.catalog_item)
    from catalog.services import commit_basket

    commit_basket(theirs)
    # A lot number no random token on the page can contain (they have no hyphen and no
    # capitals together): a bare "B1" once turned up inside the CSRF token.
    their_lot = "LOT-OF-BOB"
    dispense(their_line, 1, lot_number=their_lot)
    url = reverse("catalog:item-detail", args=[committed_line.catalog_item_id])
    mine = user_client.get(url).content.decode()
    assert mine.count('data-testid="item-dispense-log"') == 2
    assert their_lot not in mine
    everything = back_office.get(url).content.decode()
    assert everything.count('data-testid="item-dispense-log"') == 3
    assert their_lot in everything


def test_dispensed_totals_add_up_across_lines(back_office, basket, make_item, user):
    from catalog.services import commit_basket

    first = add_item(basket, make_item("A"), quantity=Decimal("2.5"))
    second = add_item(basket, make_item("B"), quantity=4)
    commit_basket(basket)
    dispense(first, "1.5")
    dispense(second, 4)
    html = back_office.get(reverse("catalog:basket-detail", args=[basket.pk])).content.decode()
    assert "Dispensed 1.5 / 2.5" in html
    assert "Dispensed 4 / 4" in html


@pytest.mark.parametrize("count", [1, 20])
def test_item_history_query_count_does_not_grow(
    back_office, back_office_user, catalog_item, count, django_assert_num_queries
):
    from catalog.services import commit_basket

    for _ in range(count):
        basket = create_basket(created_by=back_office_user)
        line = add_item(basket, catalog_item)
        commit_basket(basket)
        dispense(line, 1, dispensed_by=back_office_user)
    url = reverse("catalog:item-detail", args=[catalog_item.pk])
    # Session, user, the user's permissions, the item, history count and page.
    with django_assert_num_queries(6 + HEADER_QUERIES):
        response = back_office.get(url)
    assert response.content.decode().count('data-testid="item-dispense-log"') == count
