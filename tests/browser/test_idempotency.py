"""In the browser: a double click on a state-changing button acts once, the next deliberate
click acts again, and a decision is recorded from the basket page's panel."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import BasketItem, CatalogItem
from catalog.services import add_item, create_basket
from decisioning.models import Decision
from worklog.models import WorkSession

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def blood_panel(user):
    return CatalogItem.objects.create(
        owner=user, name="Blood panel", code="LAB-001", unit_price=Decimal("45.00")
    )


def test_double_click_on_add_to_basket_adds_one_line(signed_in_page, live_server, blood_panel):
    page = signed_in_page
    page.goto(live_server.url + reverse("catalog:catalog"))
    card = page.locator("[data-testid=catalog-item]", has_text="Blood panel")
    key_field = card.locator("input[name=idempotency_key]")
    first_key = key_field.input_value()
    card.locator("button", has_text="Add to basket").dblclick()
    basket = page.locator("#basket")
    basket.locator("[data-testid=basket-line]").first.wait_for()
    page.wait_for_load_state("networkidle")
    [line] = BasketItem.objects.all()
    assert line.quantity == 1
    expect(basket.locator("[data-testid=line-count]")).to_have_text("1")

    # Once answered, the form has a new key: the next click is a new add.
    expect(key_field).not_to_have_value(first_key)
    card.locator("button", has_text="Add to basket").click()
    expect(basket.locator("[data-testid=line-count]")).to_have_text("2")
    assert sum(line.quantity for line in BasketItem.objects.all()) == 2


def test_record_a_backdated_decision_from_the_basket_page(
    signed_in_page, live_server, user, blood_panel
):
    basket = create_basket(created_by=user)
    add_item(basket, blood_panel, quantity=2)
    page = signed_in_page
    page.goto(live_server.url + reverse("catalog:basket-detail", args=[basket.pk]))
    panel = page.locator("[data-testid=decision-panel]")
    expect(panel).to_contain_text("No decisions yet.")
    effective = timezone.localtime(timezone.now() - timedelta(days=2))
    panel.locator("input[name=decision_type]").fill("approval")
    panel.locator("select[name=outcome]").select_option("approved")
    panel.locator("textarea[name=reason]").fill("Within budget")
    panel.locator("input[name=effective_at]").fill(effective.strftime("%Y-%m-%dT%H:%M"))
    panel.locator("button", has_text="Record decision").dblclick()
    panel = page.locator("[data-testid=decision-panel]")
    expect(panel.locator("[data-testid=target-decisions]")).to_contain_text("approval")
    page.wait_for_load_state("networkidle")
    decision = Decision.objects.get()
    assert decision.target == basket and decision.decided_by == user
    assert decision.reason == "Within budget"
    assert decision.recorded_at - decision.effective_at > timedelta(days=1)
    assert page.url.endswith(reverse("catalog:basket-detail", args=[basket.pk]))
    screenshot(page, "basket-decision-panel")


def test_each_hotkey_press_sends_its_own_idempotency_key(signed_in_page, live_server, user):
    page = signed_in_page
    page.goto(live_server.url + reverse("catalog:catalog"))
    toggle_path = reverse("worklog:timer-toggle")
    keys = []
    # The header's toggle form carries the key as a field; each press gets a new one.
    page.on(
        "request",
        lambda request: (
            request.url.endswith(toggle_path)
            and keys.append(parse_qs(request.post_data or "").get("idempotency_key", [None])[0])
        ),
    )
    for expected in ("Timer started", "Timer stopped"):
        page.keyboard.press("t")
        expect(page.locator("#timer-announcer")).to_contain_text(expected)
    assert len(keys) == 2 and all(keys) and keys[0] != keys[1]
    session = WorkSession.objects.get(user=user)
    assert not session.is_active
