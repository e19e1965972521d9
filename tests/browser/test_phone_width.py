"""Every procedures and journal page at phone width (375 px): nothing wider than the screen,
so no page needs sideways scrolling."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

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


PHONE_390 = {"width": 390, "height": 844}
TARGET_SIZE = 44
BOX = "element => { const box = element.getBoundingClientRect(); return [box.width, box.height]; }"


def phone_page(browser, live_server, user, **options):
    from .conftest import sign_in

    context = browser.new_context(viewport=PHONE_390, **options)
    page = context.new_page()
    sign_in(page, live_server, user)
    return page


def test_at_390px_every_section_is_in_reach_without_sideways_scrolling(browser, live_server, user):
    user.is_staff = user.is_superuser = True
    user.save()
    page = phone_page(browser, live_server, user)
    nav = page.locator("nav[aria-label=Main]")
    assert nav.evaluate("nav => nav.scrollWidth <= nav.clientWidth")
    links = nav.locator("a")
    assert links.count() == 8
    for index in range(links.count()):
        link = links.nth(index)
        box = link.bounding_box()
        assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390, (
            link.inner_text()
        )
        assert box["height"] >= TARGET_SIZE, link.inner_text()
    page.context.close()


def test_at_390px_todays_rows_wrap_and_their_actions_are_44px_targets(browser, live_server, user):
    from worklog.journal.services import create_node
    from worklog.timer.services import start_session, stop_session

    client = create_node(user, level="client", name="Northwind Traders")
    project = create_node(user, level="project", name="Warehouse scanner rollout", parent=client)
    start_session(user, target=project, started_at=timezone.now() - timedelta(minutes=40))
    stop_session(user)
    page = phone_page(browser, live_server, user)
    row = page.locator("#today li[data-session]").first
    name = row.get_by_test_id("session-target")
    assert name.evaluate("span => span.scrollWidth <= span.clientWidth"), "the name is cut"
    assert "Warehouse scanner rollout" in name.inner_text()
    for action in (row.locator("a", has_text="Correct"), row.locator("button", has_text="Delete")):
        width, height = action.evaluate(BOX)
        assert width >= TARGET_SIZE and height >= TARGET_SIZE, (action.inner_text(), width, height)
    page.context.close()


def test_the_keyboard_hints_show_only_where_there_is_a_keyboard(browser, live_server, user):
    touch = phone_page(browser, live_server, user, is_mobile=True, has_touch=True)
    assert not touch.get_by_test_id("keyboard-hint").is_visible()
    assert not touch.locator("footer", has_text="keyboard shortcuts").is_visible()
    touch.context.close()
    desk = phone_page(browser, live_server, user)
    assert desk.get_by_test_id("keyboard-hint").is_visible()
    desk.context.close()
