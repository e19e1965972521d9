from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from decisioning.models import Decision
from tests.testapp_decisioning.models import Ticket

from .conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.testapp_decisioning.urls"),
]


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_record_backdate_and_time_travel(signed_in_page, live_server, user):
    page = signed_in_page
    now = timezone.now()
    ticket = Ticket.objects.create(title="Refund for order 42", owner=user)
    with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=3)):
        known_earlier = Decision.objects.create(
            target=ticket,
            decision_type="triage",
            outcome="escalated",
            decided_by=user,
            effective_at=now - timedelta(days=3),
        )

    # Record a decision from the target's own page, through the HTMX panel.
    page.goto(live_server.url + ticket.get_absolute_url())
    panel = page.locator("[data-testid=decision-panel]")
    panel.locator("input[name=decision_type]").fill("refund")
    panel.locator("select[name=outcome]").select_option("approved")
    panel.locator("textarea[name=reason]").fill("Customer was charged twice")
    panel.locator("button[type=submit]").click()
    page.locator("[data-testid=target-decisions] >> text=refund").wait_for()
    assert "Decision recorded" in page.locator("#messages").inner_text()
    recorded = Decision.objects.get(decision_type="refund")
    assert recorded.target == ticket
    assert recorded.reason == "Customer was charged twice"

    # Backdate another one by ten days.
    panel = page.locator("[data-testid=decision-panel]")
    panel.locator("input[name=decision_type]").fill("chargeback")
    panel.locator("select[name=outcome]").select_option("rejected")
    panel.locator("input[name=effective_at]").fill(local(now - timedelta(days=10)))
    panel.locator("button[type=submit]").click()
    page.locator("[data-testid=target-decisions] >> text=chargeback").wait_for()
    backdated = Decision.objects.get(decision_type="chargeback")
    assert backdated.effective_at.date() == (now - timedelta(days=10)).date()
    assert backdated.recorded_at > now - timedelta(minutes=5)
    screenshot(page, "decision-panel")

    # The log: every decision, then "effective as of" five days ago (business time).
    page.goto(live_server.url + reverse("decisioning:decision-list"))
    rows = page.locator("[data-testid=decision-row]")
    assert rows.count() == 3
    page.fill("input[name=as_of]", local(now - timedelta(days=5)))
    page.click("text=Apply filters")
    page.wait_for_load_state("networkidle")
    assert rows.count() == 1
    assert "chargeback" in rows.first.inner_text()
    assert "backdated" in rows.first.inner_text()
    assert page.locator("[data-testid=time-travel-banner]").is_visible()

    # "As known at" one day ago (system time) alone: only what had been recorded by then.
    page.fill("input[name=as_of]", "")
    page.fill("input[name=known_at]", local(now - timedelta(days=1)))
    page.click("text=Apply filters")
    page.wait_for_load_state("networkidle")
    assert rows.count() == 1
    assert "triage" in rows.first.inner_text()

    # Both combined: effective as of two days ago, as known one day ago.
    page.fill("input[name=as_of]", local(now - timedelta(days=2)))
    page.click("text=Apply filters")
    page.wait_for_load_state("networkidle")
    assert rows.count() == 1
    assert "triage" in rows.first.inner_text()
    screenshot(page, "decision-log-time-travel")

    # Open it and record a correction, which supersedes it.
    rows.first.locator("a", has_text="triage").click()
    page.wait_for_url(f"**{known_earlier.get_absolute_url()}")
    correction_form = page.locator("[data-testid=decision-panel]")
    correction_form.locator("input[name=decision_type]").fill("triage")
    correction_form.locator("select[name=outcome]").select_option("approved")
    correction_form.locator("button[type=submit]").click()
    page.wait_for_url("**/decisions/*/")
    page.locator("[data-testid=supersedes-link]").wait_for()
    correction = Decision.objects.get(supersedes=known_earlier)
    assert page.url.endswith(correction.get_absolute_url())
    screenshot(page, "decision-detail")
    assert Decision.objects.count() == 4


def test_double_click_records_one_decision(signed_in_page, live_server, user):
    page = signed_in_page
    ticket = Ticket.objects.create(title="Double", owner=user)
    page.goto(live_server.url + ticket.get_absolute_url())
    panel = page.locator("[data-testid=decision-panel]")
    panel.locator("input[name=decision_type]").fill("refund")
    panel.locator("button[type=submit]").dblclick()
    page.locator("[data-testid=target-decisions] >> text=refund").wait_for()
    page.wait_for_load_state("networkidle")
    assert Decision.objects.count() == 1


def test_each_recorded_decision_is_prepended_and_the_panel_keeps_showing_five(
    signed_in_page, live_server, user
):
    page = signed_in_page
    ticket = Ticket.objects.create(title="Busy", owner=user)
    page.goto(live_server.url + ticket.get_absolute_url())
    rows = page.locator("[data-testid=target-decisions] > li:visible")
    expect(rows).to_have_text(["No decisions yet."])
    for number in range(6):
        form = page.locator("[data-testid=decision-form]")
        form.locator("input[name=decision_type]").fill(f"step{number}")
        form.locator("button[type=submit]").click()
        # Each answer brings a fresh form (and key): the next submission is a new decision.
        expect(rows.first).to_contain_text(f"step{number}")
        expect(page.locator("input[name=decision_type]")).to_have_value("")
        expect(page.get_by_text("No decisions yet.")).to_be_hidden()
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("step5")
    assert Decision.objects.count() == 6
    page.reload()
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("step5")
