"""Procedures in a real browser: write an SOP in the editor, run it (a failed check, a pause, a
refused second start) and have a supervisor approve it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from decisioning.models import Decision
from tests.conftest import PASSWORD
from worklog.models import SOP, ProcedureSession, SessionStatus, SOPStatus, WorkSession
from worklog.procedures import services

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def supervisor(django_user_model):
    supervisor = django_user_model.objects.create_user(username="sam", password=PASSWORD)
    supervisor.groups.add(services.ensure_supervisors_group())
    return supervisor


@pytest.fixture
def other_sop(user):
    sop = services.create_sop(user=user, title="Ladder inspection")
    task = services.add_task(sop=sop, user=user, title="Inspect")
    services.add_step(task=task, user=user, instruction="Check the rungs")
    return services.confirm_sop(sop=sop, user=user)


def add_step(task, instruction: str, check: str) -> None:
    form = task.locator("[data-testid=add-step-form]")
    form.locator("textarea[name=instruction]").fill(instruction)
    form.locator("input[name=check_description]").fill(check)
    form.locator("button", has_text="Add step").click()


def record_check(page, result: str, notes: str = "") -> None:
    form = page.locator("[data-testid=check-form]")
    form.locator(f"input[name=result][value={result}]").check()
    form.locator("input[name=notes]").fill(notes)
    form.locator("button", has_text="Record check").click()


def test_write_run_and_approve_an_sop(
    signed_in_page, live_server, user, supervisor, other_sop, browser
):
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:procedures"))
    page.fill("input[name=title]", "Forklift pre-use check")
    page.click("button:has-text('Create draft')")
    sop = SOP.objects.get(title="Forklift pre-use check")
    page.wait_for_url(live_server.url + reverse("worklog:sop-editor", args=[sop.pk]))

    # The editor: tasks and steps added and reordered in place by htmx.
    tasks = page.locator("[data-testid=editor-task]")
    add_task = page.locator("[data-testid=add-task-form]")
    add_task.locator("input[name=title]").fill("Inspect")
    add_task.locator("button").click()
    expect(tasks).to_have_count(1)
    add_step(tasks.nth(0), "Check the forks for cracks", "No cracks")
    expect(tasks.nth(0).locator("[data-testid=editor-step]")).to_have_count(1)
    add_step(tasks.nth(0), "Test the horn", "Horn audible")
    expect(tasks.nth(0).locator("[data-testid=editor-step]")).to_have_count(2)
    add_task.locator("input[name=title]").fill("Drive")
    add_task.locator("button").click()
    expect(tasks).to_have_count(2)
    add_step(tasks.nth(1), "Drive a test lap", "Brakes hold")
    expect(tasks.nth(1).locator("[data-testid=editor-step]")).to_have_count(1)
    tasks.nth(0).get_by_label("Move step 2 up").click()
    expect(tasks.nth(0).locator("textarea[name=instruction]").first).to_have_value("Test the horn")
    screenshot(page, "procedures-editor")
    page.click("[data-testid=confirm-sop]")
    page.wait_for_url(live_server.url + reverse("worklog:sop-detail", args=[sop.pk]))
    expect(page.locator("h1 [data-testid=sop-status]")).to_have_text("Confirmed")

    # Run it: a failed check keeps the step, a passed one advances.
    page.click("[data-testid=start-session]")
    session = ProcedureSession.objects.get(sop=sop)
    run_url = live_server.url + reverse("worklog:session-run", args=[session.pk])
    page.wait_for_url(run_url)
    current = page.locator("[data-testid=current-instruction]")
    expect(current).to_have_text("Test the horn")
    record_check(page, "failed", "Horn silent")
    expect(page.locator("#messages")).to_contain_text("Check failed")
    expect(current).to_have_text("Test the horn")
    expect(page.locator("[data-testid=step-check][data-result=failed]")).to_have_count(1)
    expect(page.locator("[data-testid=check-form] input[name=notes]")).to_have_value("")
    record_check(page, "passed", "Fuse replaced")
    expect(current).to_have_text("Check the forks for cracks")
    expect(page.locator("[data-testid=progress-text]")).to_contain_text("1 of 3")
    # Only the changed parts were swapped: the outline shows the step done with both checks,
    # the next one current, and the form is ready for it.
    outline = page.locator("[data-testid=outline-step]")
    expect(outline).to_have_count(3)
    expect(outline.nth(0)).to_have_attribute("data-state", "done")
    expect(outline.nth(0).locator("[data-testid=step-check]")).to_have_count(2)
    expect(outline.nth(1)).to_have_attribute("data-state", "current")
    expect(outline.nth(2)).to_have_attribute("data-state", "todo")
    expect(page.locator("[data-testid=next-step]")).to_contain_text("Drive a test lap")
    expect(page.locator("[data-testid=check-form] input[name=notes]")).to_have_value("")
    expect(page.locator("#messages [data-message]")).to_have_count(1)
    expect(page.locator("#messages")).to_contain_text("Check passed")

    # Pause and resume keep the step.
    page.click("button:has-text('Pause')")
    expect(page.locator("[data-testid=paused-note]")).to_be_visible()
    expect(page.locator("[data-testid=session-status]")).to_have_text("Paused")
    page.click("button:has-text('Resume')")
    expect(page.locator("[data-testid=session-status]")).to_have_text("In progress")
    expect(current).to_have_text("Check the forks for cracks")

    # A second start is refused, with a link back to the open session.
    page.goto(live_server.url + reverse("worklog:sop-detail", args=[other_sop.pk]))
    page.click("[data-testid=start-session]")
    alert = page.locator("#messages [role=alert]")
    expect(alert).to_contain_text("You already have an active procedure session")
    # Back on the SOP's page: a reload shows it again rather than posting the start again.
    assert page.url == live_server.url + reverse("worklog:sop-detail", args=[other_sop.pk])
    screenshot(page, "procedures-refused-start")
    alert.locator("[data-testid=open-session-link]").click()
    page.wait_for_url(run_url)

    record_check(page, "passed")
    expect(current).to_have_text("Drive a test lap")
    record_check(page, "passed", "All good")
    expect(page.locator("[data-testid=completed-note]")).to_contain_text("waiting for approval")
    expect(page.locator("[data-testid=run-panel]")).to_have_count(1)
    expect(page.locator("[data-testid=outline-step][data-state=done]")).to_have_count(3)
    expect(page.locator("[data-testid=session-status]")).to_have_text("Completed")
    screenshot(page, "procedures-completed")

    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED and session.current_step is None
    assert [c.result for c in session.checks.order_by("checked_at")] == [
        "failed",
        "passed",
        "passed",
        "passed",
    ]
    assert not ProcedureSession.objects.filter(sop=other_sop).exists()
    timers = WorkSession.objects.for_target(session)
    assert timers.count() == 2 and not timers.active().exists()  # paused once

    # The supervisor approves from the queue; the session is locked.
    context = browser.new_context()
    boss = context.new_page()
    boss.goto(live_server.url + reverse("core:login"))
    boss.fill("input[name=username]", supervisor.username)
    boss.fill("input[name=password]", PASSWORD)
    boss.click("button[type=submit], input[type=submit]")
    boss.wait_for_url(live_server.url + reverse("worklog:dashboard"))
    boss.goto(live_server.url + reverse("worklog:approval-queue"))
    row = boss.locator("[data-testid=queue-row]", has_text="Forklift pre-use check")
    row.locator("input[name=reason]").fill("Checked the fuse log")
    row.locator("button", has_text="Approve").click()
    expect(boss.locator("[data-testid=locked-row]")).to_have_count(1)
    expect(boss.locator("[data-testid=queue-row]")).to_have_count(0)
    screenshot(boss, "procedures-approved")
    context.close()

    page.goto(run_url)
    expect(page.locator("[data-testid=session-locked]")).to_be_visible()
    expect(page.locator("button:has-text('Complete now')")).to_have_count(0)
    session.refresh_from_db()
    assert session.locked and session.approved_by == supervisor
    approval = Decision.objects.for_target(session).get()
    assert (approval.outcome, approval.reason) == ("approved", "Checked the fuse log")
    assert SOP.objects.get(pk=sop.pk).status == SOPStatus.CONFIRMED


def test_supervisor_corrects_a_check_then_reopens_the_session(
    page, live_server, problems, user, supervisor, other_sop
):
    session = services.start_procedure_session(worker=user, sop=other_sop)
    services.record_check(
        session=session, user=user, step_id=session.current_step_id, result="passed"
    )
    page.goto(live_server.url + reverse("core:login"))
    page.fill("input[name=username]", supervisor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(live_server.url + reverse("worklog:dashboard"))
    page.goto(live_server.url + reverse("worklog:session-run", args=[session.pk]))

    correct = page.locator("[data-testid=correct-check-form]")
    correct.locator("input[name=result][value=failed]").check()
    correct.locator("input[name=reason]").fill("The rungs photo shows a crack")
    correct.locator("button", has_text="Correct check").click()
    expect(page.locator("[data-testid=check-corrected]")).to_contain_text("corrected by sam")
    expect(page.locator("[data-testid=step-check]")).to_have_attribute("data-result", "failed")

    reopen = page.locator("[data-testid=reopen-form]")
    reopen.locator("input[name=reason]").fill("Replace the ladder and check again")
    reopen.locator("button").click()
    expect(page.locator("[data-testid=session-status]")).to_have_text("Paused")
    expect(page.locator("[data-testid=session-decisions]")).to_contain_text(
        "Replace the ladder and check again"
    )
    screenshot(page, "procedures-reopened")
    problems.assert_none()

    session.refresh_from_db()
    assert session.status == SessionStatus.PAUSED and session.current_step is not None
    assert set(Decision.objects.for_target(session).values_list("decision_type", flat=True)) == {
        services.CHECK_CORRECTION_DECISION,
        services.REOPEN_DECISION,
    }
