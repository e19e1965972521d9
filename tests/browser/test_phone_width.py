"""Every procedures and journal page at phone width (375 px): nothing wider than the screen,
so no page needs sideways scrolling."""

from datetime import date

import pytest
from django.urls import reverse

from tests.worklog.journal.helpers import make_tree
from worklog.journal.enrichment import run_enrichment
from worklog.journal.reports import generate_report
from worklog.journal.services import create_preset, create_worklog
from worklog.procedures import services as procedures

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
# When the page scrolls sideways: the elements reaching past the screen's right edge.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .map(el => el.outerHTML.slice(0, 120));
}"""


def phone_pages(user, supervisor) -> list[tuple[str, str, object]]:
    sop = procedures.create_sop(user=user, title="Forklift pre-use check with a long title")
    task = procedures.add_task(sop=sop, user=user, title="Inspect the forks and the mast")
    procedures.add_step(
        task=task,
        user=user,
        instruction="Check the forks for cracks, bends and wear at the heel",
        check_description="No cracks",
    )
    draft = procedures.create_sop(user=user, title="Draft procedure")
    procedures.add_step(
        task=procedures.add_task(sop=draft, user=user, title="Only task"),
        user=user,
        instruction="A step",
    )
    sop = procedures.confirm_sop(sop=sop, user=user)
    session = procedures.start_procedure_session(worker=user, sop=sop)
    tree = make_tree(user)
    worklog = create_worklog(
        user,
        occurred_on=date(2026, 12, 2),
        title="Card form with Django and PostgreSQL",
        content="Built the card form and its tests with Django.",
        task=tree.task,
        effort_minutes=90,
        tags="payments, checkout",
    )
    run_enrichment(worklog.pk)
    preset = create_preset(user, name="Acme delivery", project=tree.project)
    report = generate_report(user, kind="weekly", anchor=date(2026, 12, 2))
    return [
        ("dashboard", reverse("worklog:dashboard"), user),
        ("procedures", reverse("worklog:procedures"), user),
        ("sop-detail", reverse("worklog:sop-detail", args=[sop.pk]), user),
        ("sop-editor", reverse("worklog:sop-editor", args=[draft.pk]), user),
        ("session-run", reverse("worklog:session-run", args=[session.pk]), user),
        ("session-history", reverse("worklog:session-history"), user),
        ("journal", reverse("worklog:journal") + "?date=2026-12-02", user),
        ("journal-entry", reverse("worklog:journal-entry") + f"?preset={preset.pk}", user),
        ("journal-detail", reverse("worklog:journal-detail", args=[worklog.pk]), user),
        ("journal-hierarchy", reverse("worklog:journal-hierarchy"), user),
        (
            "journal-node-edit",
            reverse("worklog:journal-node-edit", args=["project", tree.project.pk]),
            user,
        ),
        ("journal-presets", reverse("worklog:journal-presets"), user),
        ("journal-reports", reverse("worklog:journal-reports"), user),
        ("journal-report", reverse("worklog:journal-report", args=[report.pk]), user),
        ("approval-queue", reverse("worklog:approval-queue"), supervisor),
    ]


def test_pages_fit_a_phone_screen(browser, live_server, user, django_user_model):
    from tests.conftest import PASSWORD

    supervisor = django_user_model.objects.create_user(username="sam", password=PASSWORD)
    supervisor.groups.add(procedures.ensure_supervisors_group())
    pages = phone_pages(user, supervisor)
    overflow = {}
    for who in (user, supervisor):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.goto(live_server.url + reverse("core:login"))
        page.fill("input[name=username]", who.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_url(live_server.url + reverse("worklog:dashboard"))
        for name, url, owner in pages:
            if owner != who:
                continue
            page.goto(live_server.url + url)
            screenshot(page, f"phone-{name}")
            wide = page.evaluate(OVERFLOWING)
            if wide:
                overflow[name] = wide[:5]
        context.close()
    assert overflow == {}
