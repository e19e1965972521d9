"""axe-core on every page of the app, at desktop width and at a phone's (390 px): no serious or
critical violation, and no id used twice (a label would focus the wrong field; axe no longer
checks this). axe is injected into a context that bypasses the Content-Security-Policy
(the policy refuses injected scripts); the other browser tests keep the policy."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogItem, WorkItem
from catalog.services import add_item, commit_basket, create_basket
from decisioning.services import record_decision
from tests.worklog.journal.helpers import make_tree
from worklog.journal.enrichment import run_enrichment
from worklog.journal.reports import generate_report
from worklog.journal.services import create_preset, create_worklog
from worklog.procedures import services as procedures
from worklog.timer.services import start_session, stop_session

from .conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ` +
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join("; "));
}"""


def every_page(user) -> list[tuple[str, str]]:
    """Each page of the app (Django's admin aside), with data enough to show its parts; the
    timer is idle (its Start form shows)."""
    draft_sop = procedures.create_sop(user=user, title="Ladder inspection")
    procedures.add_step(
        task=procedures.add_task(sop=draft_sop, user=user, title="Inspect"),
        user=user,
        instruction="Check the rungs",
        check_description="No cracks",
    )
    sop = procedures.create_sop(user=user, title="Forklift pre-use check")
    procedures.add_step(
        task=procedures.add_task(sop=sop, user=user, title="Forks"),
        user=user,
        instruction="Check the forks for cracks",
        check_description="No cracks",
    )
    sop = procedures.confirm_sop(sop=sop, user=user)
    tree = make_tree(user)
    start_session(user, target=tree.task, started_at=timezone.now() - timedelta(hours=2))
    stopped = stop_session(user)
    session = procedures.start_procedure_session(worker=user, sop=sop)
    worklog = create_worklog(
        user,
        occurred_on=timezone.localdate(),
        title="Card form with Django",
        content="Built the card form and its tests with Django.",
        task=tree.task,
        effort_minutes=90,
        tags="payments, checkout",
    )
    run_enrichment(worklog.pk)
    preset = create_preset(user, name="Acme delivery", project=tree.project)
    report = generate_report(user, kind="weekly", anchor=timezone.localdate())
    item = CatalogItem.objects.create(
        owner=user, name="Blood panel", code="LAB-001", unit_price=Decimal("45.00")
    )
    committed = create_basket(created_by=user)
    add_item(committed, item, quantity=2)
    commit_basket(committed, committed_by=user, work_types=["prepare", "deliver"])
    work = committed.items.get().work_items.get(work_type="prepare")
    draft = create_basket(created_by=user)
    add_item(draft, item, quantity=1, instructions="Fasting required")
    decision = record_decision(
        target=draft, decision_type="refund", outcome="approved", decided_by=user, reason="ok"
    )
    record_decision(
        target=draft,
        decision_type="refund",
        outcome="rejected",
        decided_by=user,
        supersedes=decision,
    )
    stop_session(user)
    return [
        ("timer-idle", reverse("worklog:dashboard")),
        ("session-edit", reverse("worklog:session-edit", args=[stopped.pk])),
        ("timer-week", reverse("worklog:timer-week")),
        ("timer-day", reverse("worklog:timer-day")),
        ("session-add", reverse("worklog:session-add")),
        ("timer-report", reverse("worklog:timer-report")),
        ("timer-settings", reverse("worklog:timer-settings")),
        ("procedures", reverse("worklog:procedures")),
        ("sop-detail", reverse("worklog:sop-detail", args=[sop.pk])),
        ("sop-editor", reverse("worklog:sop-editor", args=[draft_sop.pk])),
        ("session-run", reverse("worklog:session-run", args=[session.pk])),
        ("session-history", reverse("worklog:session-history")),
        ("approval-queue", reverse("worklog:approval-queue")),
        ("journal", reverse("worklog:journal") + f"?date={date.today():%Y-%m-%d}"),
        ("journal-entry", reverse("worklog:journal-entry") + f"?preset={preset.pk}"),
        ("journal-detail", reverse("worklog:journal-detail", args=[worklog.pk])),
        ("journal-hierarchy", reverse("worklog:journal-hierarchy")),
        (
            "journal-node-edit",
            reverse("worklog:journal-node-edit", args=["project", tree.project.pk]),
        ),
        ("journal-presets", reverse("worklog:journal-presets")),
        ("journal-reports", reverse("worklog:journal-reports")),
        ("journal-report", reverse("worklog:journal-report", args=[report.pk])),
        ("catalog", reverse("catalog:catalog") + f"?basket={draft.pk}"),
        ("item-detail", reverse("catalog:item-detail", args=[item.pk])),
        ("item-form", reverse("catalog:item-create")),
        ("basket-list", reverse("catalog:basket-list")),
        ("basket-draft", reverse("catalog:basket-detail", args=[draft.pk])),
        ("basket-committed", reverse("catalog:basket-detail", args=[committed.pk])),
        ("work-queue", reverse("catalog:work-queue")),
        ("work-item", reverse("catalog:work-item-detail", args=[work.pk])),
        ("decisions", reverse("decisioning:decision-list")),
        ("decision-detail", reverse("decisioning:decision-detail", args=[decision.pk])),
        ("profile", reverse("core:profile")),
    ]


DUPLICATE_IDS = """() => {
  const seen = new Map();
  document.querySelectorAll("[id]").forEach(e => seen.set(e.id, (seen.get(e.id) || 0) + 1));
  return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `duplicate id (serious): ${id} ×${n}`);
}"""


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(SERIOUS) + page.evaluate(DUPLICATE_IDS)


@pytest.mark.parametrize("width", WIDTHS, ids=str)
def test_no_page_has_serious_accessibility_violations(browser, live_server, user, width):
    user.is_staff = user.is_superuser = True
    user.save()
    pages = every_page(user)
    context = browser.new_context(bypass_csp=True, viewport=WIDTHS[width])
    page = context.new_page()
    found = {}
    page.goto(live_server.url + reverse("core:login"))
    if violations := serious_violations(page):
        found["login"] = violations
    sign_in(page, live_server, user)
    work = WorkItem.objects.get(work_type="prepare")
    for name, url in [*pages, ("timer-running", reverse("worklog:dashboard"))]:
        if name == "timer-running":
            start_session(user, target=work)
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        if violations := serious_violations(page):
            found[name] = violations
            screenshot(page, f"axe-{width}-{name}")
    context.close()
    assert found == {}, "\n".join(f"{name}: {v}" for name, vs in found.items() for v in vs)


FOCUSED_OUTLINE = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    name: element.name || element.id || element.textContent.trim().slice(0, 30),
    tag: element.tagName,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""


def test_every_field_of_the_decision_and_work_log_forms_shows_the_keyboard_focus(
    signed_in_page, live_server, user
):
    basket = create_basket(created_by=user)
    make_tree(user)
    page = signed_in_page
    forms = [
        (reverse("catalog:basket-detail", args=[basket.pk]), "[data-testid=decision-form]"),
        (reverse("worklog:journal-entry"), f"form[action='{reverse('worklog:journal-entry')}']"),
    ]
    unmarked = []
    for url, form in forms:
        page.goto(live_server.url + url)
        first = page.locator(f"{form} :is(input, select, textarea, button):visible").first
        first.focus()
        for _ in range(40):
            if not page.evaluate("f => document.activeElement.closest(f) !== null", form):
                break
            focused = page.evaluate(FOCUSED_OUTLINE)
            if not focused["outline"]:
                unmarked.append(f"{url}: {focused['tag']} {focused['name']}")
            page.keyboard.press("Tab")
    assert unmarked == []
