from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from catalog.access import BACK_OFFICE_GROUP, ensure_groups
from catalog.models import Basket, BasketStatus, CatalogItem, DispenseLog, WorkItem, WorkItemStatus
from catalog.services import add_item, commit_basket, create_basket, dispense
from worklog.services import get_active_session

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def items(user):
    return [
        CatalogItem.objects.create(
            owner=user,
            name="Blood panel",
            code="LAB-001",
            category="laboratory",
            unit_price=Decimal("45.00"),
        ),
        CatalogItem.objects.create(
            owner=user,
            name="MRI scan",
            code="IMG-002",
            category="imaging",
            unit_price=Decimal("640.00"),
            currency="EUR",
        ),
        CatalogItem.objects.create(
            owner=user, name="Retired kit", category="supplies", is_available=False
        ),
    ]


@pytest.fixture
def back_office(user):
    ensure_groups()
    user.groups.add(Group.objects.get(name=BACK_OFFICE_GROUP))
    return user


def test_order_commit_twice_time_work_and_dispense(
    signed_in_page, live_server, user, items, back_office
):
    page = signed_in_page
    page.goto(live_server.url + reverse("catalog:catalog"))
    cards = page.locator("[data-testid=catalog-item]")
    assert cards.count() == 3
    assert "Not available for ordering" in cards.filter(has_text="Retired kit").inner_text()

    # Search swaps the list in place.
    page.fill("input[name=q]", "lab-0")
    expect(cards).to_have_count(1)
    page.fill("input[name=q]", "")
    expect(cards).to_have_count(3)

    blood = cards.filter(has_text="Blood panel")
    blood.locator("input[name=quantity]").fill("2")
    blood.locator("input[name=instructions]").fill("Fasting")
    blood.locator("button", has_text="Add to basket").click()
    basket = page.locator("#basket")
    basket.locator("[data-testid=basket-line]").first.wait_for()
    assert basket.locator("[data-testid=total-USD]").inner_text() == "90.00 USD"
    # The card is ready for the next order.
    expect(blood.locator("input[name=instructions]")).to_have_value("")
    expect(blood.locator("input[name=quantity]")).to_have_value("1")

    cards.filter(has_text="MRI scan").locator("button", has_text="Add to basket").click()
    expect(basket.locator("[data-testid=basket-line]")).to_have_count(2)
    assert basket.locator("[data-testid=line-count]").inner_text() == "2"
    assert basket.locator("[data-testid=total-EUR]").inner_text() == "640.00 EUR"
    assert Basket.objects.get().items.count() == 2

    # Change the MRI's quantity; the totals follow.
    mri_line = basket.locator("[data-testid=basket-line]", has_text="MRI scan")
    mri_line.locator("input[name=quantity]").fill("3")
    mri_line.locator("button", has_text="Update").click()
    expect(basket.locator("[data-testid=total-EUR]")).to_have_text("1920.00 EUR")
    assert mri_line.locator("input[name=quantity]").input_value() == "3"
    screenshot(page, "catalog-basket-draft")

    # Commit with a double click: one commit, one set of work.
    basket.locator("input[value=deliver]").check()
    basket.locator("[data-testid=commit-form] button").dblclick()
    page.locator("[data-testid=basket-status]", has_text="Committed").wait_for()
    page.wait_for_load_state("networkidle")
    committed = Basket.objects.get()
    assert committed.status == BasketStatus.COMMITTED
    assert WorkItem.objects.count() == 4
    assert "4 work items" in page.locator("[data-testid=committed-summary]").inner_text()
    screenshot(page, "catalog-basket-committed")

    # The page's next add starts a new draft basket.
    blood.locator("button", has_text="Add to basket").click()
    expect(page.locator("[data-testid=basket-status]")).to_have_text("Draft")
    expect(basket.locator("[data-testid=basket-line]")).to_have_count(1)
    assert Basket.objects.drafts().get().items.count() == 1

    # Start a work item with the timer.
    page.goto(live_server.url + reverse("catalog:work-queue"))
    rows = page.locator("[data-testid=work-item]")
    assert rows.count() == 4
    first = rows.first
    work_id = first.get_attribute("id").removeprefix("work-item-")
    first.locator("button", has_text="Start with timer").click()
    page.locator(f"#work-item-{work_id}[data-status=in_progress]").wait_for()
    assert "assigned to alice" in page.locator(f"#work-item-{work_id}").inner_text()
    work = WorkItem.objects.get(pk=work_id)
    assert work.status == WorkItemStatus.IN_PROGRESS
    assert get_active_session(user).target == work
    screenshot(page, "catalog-work-queue")
    page.goto(live_server.url + reverse("worklog:dashboard"))
    assert work.basket_item.catalog_item.name == "Blood panel"
    assert "Blood panel" in page.locator("[data-testid=active-target]").inner_text()

    # Dispense part of the blood panel line.
    page.goto(live_server.url + reverse("catalog:basket-detail", args=[committed.pk]))
    line = page.locator("[data-testid=basket-line]", has_text="Blood panel")
    line.locator("summary", has_text="Record a dispense").click()
    form = line.locator("[data-testid=dispense-form]")
    form.locator("input[name=quantity]").fill("1")
    form.locator("input[name=lot_number]").fill("LOT-42")
    form.locator("button", has_text="Dispense").click()
    page.locator("[data-testid=basket-line]", has_text="Blood panel").locator(
        "[data-testid=dispensed]", has_text="Dispensed 1 / 2"
    ).wait_for()
    assert "lot LOT-42" in page.locator("#basket").inner_text()
    assert "Dispensed 1 of Blood panel." in page.locator("#messages").inner_text()
    log = DispenseLog.objects.get()
    assert (log.quantity_dispensed, log.lot_number, log.dispensed_by) == (1, "LOT-42", user)
    screenshot(page, "catalog-dispensed")


def test_adds_to_the_shown_basket_swap_in_only_the_new_line(
    signed_in_page, live_server, user, items
):
    page = signed_in_page
    page.goto(live_server.url + reverse("catalog:catalog"))
    cards = page.locator("[data-testid=catalog-item]")
    basket = page.locator("#basket")
    lines = basket.locator("[data-testid=basket-line]")
    cards.filter(has_text="Blood panel").locator("button", has_text="Add to basket").click()
    expect(lines).to_have_count(1)
    # A mark on the basket's element: the next adds leave it in place, a whole swap drops it.
    page.evaluate("document.querySelector('#basket').dataset.kept = 'yes'")

    cards.filter(has_text="MRI scan").locator("button", has_text="Add to basket").click()
    expect(lines).to_have_count(2)
    cards.filter(has_text="Blood panel").locator("input[name=quantity]").fill("2")
    cards.filter(has_text="Blood panel").locator("button", has_text="Add to basket").click()
    expect(lines).to_have_count(3)
    expect(basket).to_have_attribute("data-kept", "yes")
    assert [line.split("\n")[0] for line in lines.all_inner_texts()] == [
        "Blood panel LAB-001",
        "MRI scan IMG-002",
        "Blood panel LAB-001",
    ]
    assert basket.locator("[data-testid=line-count]").inner_text() == "3"
    assert basket.locator("[data-testid=total-USD]").inner_text() == "135.00 USD"
    assert basket.locator("[data-testid=total-EUR]").inner_text() == "640.00 EUR"
    assert "Added 2 × Blood panel." in page.locator("#messages").inner_text()
    expect(cards.filter(has_text="Blood panel").locator("input[name=quantity]")).to_have_value("1")

    # Another tab adds a line: this page's next add gets the whole basket, with both lines.
    draft = Basket.objects.get()
    add_item(draft, items[1])
    cards.filter(has_text="MRI scan").locator("button", has_text="Add to basket").click()
    expect(lines).to_have_count(5)
    expect(basket).not_to_have_attribute("data-kept", "yes")

    # The commit form carries the revision of all it shows: the commit goes through.
    basket.locator("[data-testid=commit-form] button").click()
    page.locator("[data-testid=basket-status]", has_text="Committed").wait_for()
    assert Basket.objects.get().status == BasketStatus.COMMITTED


def test_refused_dispense_shows_message_and_changes_nothing(
    signed_in_page, live_server, user, items, back_office
):
    basket = create_basket(created_by=user)
    add_item(basket, items[0], quantity=2)
    commit_basket(basket)
    page = signed_in_page
    page.goto(live_server.url + reverse("catalog:basket-detail", args=[basket.pk]))
    page.locator("summary", has_text="Record a dispense").click()
    form = page.locator("[data-testid=dispense-form]")
    # Someone else dispenses meanwhile; this page still offers the full quantity.
    dispense(basket.items.get(), 1)
    form.locator("input[name=quantity]").fill("2")
    form.locator("button", has_text="Dispense").click()
    page.locator("#messages [role=alert]").wait_for()
    assert "Only 1.00 left to dispense" in page.locator("#messages").inner_text()
    assert DispenseLog.objects.count() == 1


def test_catalog_and_basket_fit_a_phone_screen(
    signed_in_page, live_server, user, items, back_office
):
    basket = create_basket(created_by=user)
    add_item(basket, items[0], quantity=2, instructions="A rather long instruction " * 4)
    add_item(basket, items[1])
    page = signed_in_page
    page.set_viewport_size({"width": 375, "height": 740})
    for url in (
        reverse("catalog:catalog"),
        reverse("catalog:basket-detail", args=[basket.pk]),
        reverse("catalog:work-queue"),
    ):
        page.goto(live_server.url + url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, url
    commit_basket(basket, work_types=["prepare"])
    page.goto(live_server.url + reverse("catalog:work-queue"))
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, "catalog-phone-work-queue")
