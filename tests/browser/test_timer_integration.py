"""The timer and the other modules in a real browser: a procedure session runs the timer while
it is open, and stopping a timer on a journal task offers a draft work log."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.worklog.journal.helpers import make_tree
from worklog.models import WorkLog, WorkLogSource, WorkLogStatus, WorkSession
from worklog.procedures import services as procedures
from worklog.timer.services import start_session

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_procedure_runs_the_timer_until_it_completes(signed_in_page, live_server, user):
    sop = procedures.create_sop(user=user, title="Ladder inspection")
    task = procedures.add_task(sop=sop, user=user, title="Inspect")
    procedures.add_step(task=task, user=user, instruction="Check the rungs")
    sop = procedures.confirm_sop(sop=sop, user=user)
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:sop-detail", args=[sop.pk]))
    page.click("[data-testid=start-session]")
    page.wait_for_url("**/procedures/sessions/*/")
    run_url = page.url

    page.goto(live_server.url + reverse("worklog:dashboard"))
    expect(page.locator("[data-testid=active-target]")).to_contain_text("Ladder inspection")

    page.goto(run_url)
    page.locator("[data-testid=check-form] input[name=result][value=passed]").check()
    page.locator("[data-testid=check-form] button", has_text="Record check").click()
    expect(page.locator("[data-testid=session-status]")).to_have_text("Completed")

    page.goto(live_server.url + reverse("worklog:dashboard"))
    expect(page.locator("#active-session h2")).to_have_text("No session running")
    expect(page.locator("[data-testid=today-sessions]")).to_contain_text("Ladder inspection")
    screenshot(page, "timer-after-procedure")
    timer = WorkSession.objects.get()
    assert timer.stopped_at is not None and timer.target.sop == sop


@pytest.mark.parametrize("level", ["task", "project"])
def test_stopping_a_timer_on_a_journal_node_offers_a_draft_log(
    signed_in_page, live_server, user, level
):
    tree = make_tree(user)
    node = getattr(tree, level)
    start_session(user, target=node)
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:dashboard"))
    expect(page.locator("[data-testid=active-target]")).to_contain_text(node.name)
    page.locator("#active-session button", has_text="Stop").click()
    offer = page.locator("[data-testid=log-work]")
    expect(offer).to_be_visible()
    offer.locator("a").click()
    page.wait_for_url("**/journal/new/?session=*")
    expect(page.locator(f"select[name={level}] option:checked")).to_have_text(node.name)
    expect(page.locator("select[name=client] option:checked")).to_have_text("Acme")
    expect(page.locator("input[name=effort_minutes]")).to_have_value("1")
    page.fill("textarea[name=content]", "Worked on it")
    page.click("form button[type=submit]:has-text('Save')")
    page.wait_for_url("**/journal/logs/*/")
    worklog = WorkLog.objects.get()
    assert getattr(worklog, level) == node and worklog.client == tree.client
    assert worklog.source == WorkLogSource.TIMER and worklog.status == WorkLogStatus.DRAFT
    assert worklog.source_ref == str(WorkSession.objects.get().pk)
