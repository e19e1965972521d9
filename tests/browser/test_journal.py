"""The journal in a real browser: a work log entered from a preset, enriched, a bullet
accepted, and a weekly report generated with it as a highlight."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.worklog.journal.helpers import make_tree
from worklog.journal.services import create_preset
from worklog.models import EnrichmentStatus, SignalStatus, WorkLog, WorkLogReport

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_preset_entry_enrich_accept_and_weekly_report(signed_in_page, live_server, user):
    tree = make_tree(user)
    make_tree(user, name="Globex")
    preset = create_preset(
        user,
        name="Acme delivery",
        project=tree.project,
        default_work_type="delivery",
        default_tags="acme",
        intake_prompt="What did you ship?",
    )
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:journal-entry"))
    page.get_by_role("link", name="Acme delivery").click()
    expect(page.locator("#id_content")).to_have_value("What did you ship?")
    expect(page.locator("#id_tags")).to_have_value("acme")
    expect(page.locator("#id_project")).to_have_value(str(tree.project.pk))

    # Choosing the epic narrows the features offered, by HTMX.
    page.select_option("#id_epic", str(tree.epic.pk))
    expect(page.locator("#id_feature option")).to_have_count(2)
    page.select_option("#id_feature", str(tree.feature.pk))
    expect(page.locator("#id_story option")).to_have_count(2)

    page.fill("#id_title", "Sped up the Django report queries")
    page.fill("#id_content", "Profiled the PostgreSQL queries and added an index.")
    page.fill("#id_outcome", "reports load in 80 ms")
    page.fill("#id_effort_minutes", "90")
    page.get_by_role("button", name="Save work log").click()
    expect(page.locator("h1")).to_have_text("Sped up the Django report queries")

    page.get_by_role("button", name="Enrich").click()
    expect(page.get_by_test_id("enrichment-status")).to_have_text("Enriched")
    expect(page.get_by_test_id("skills")).to_contain_text("SQL")
    page.get_by_role("button", name="Accept bullet").first.click()
    expect(page.get_by_test_id("enrichment-status")).to_have_text("Reviewed")
    expect(page.get_by_test_id("bullets")).to_contain_text("in reports")
    screenshot(page, "journal-enriched")

    page.goto(live_server.url + reverse("worklog:journal-reports"))
    page.select_option("#id_kind", "weekly")
    page.get_by_role("button", name="Generate report").click()
    expect(page.get_by_test_id("highlights")).to_contain_text(
        "Sped up the Django report queries, reports load in 80 ms"
    )
    expect(page.get_by_test_id("report-hours")).to_have_text("1.50")
    expect(page.locator("svg[aria-labelledby=hours-chart-title] rect")).to_have_count(1)
    screenshot(page, "journal-report")

    worklog = WorkLog.objects.get()
    assert worklog.source == "preset" and worklog.source_ref == str(preset.pk)
    assert (worklog.client, worklog.project, worklog.epic, worklog.feature) == (
        tree.client,
        tree.project,
        tree.epic,
        tree.feature,
    )
    assert worklog.tags == ["acme"] and worklog.effort_minutes == 90
    assert worklog.occurred_on == timezone.localdate()
    assert worklog.enrichment_status == EnrichmentStatus.REVIEWED
    bullet = worklog.bullets.get(status=SignalStatus.ACCEPTED)
    assert bullet.is_selected
    report = WorkLogReport.objects.get()
    assert report.kind == "weekly" and report.user == user
    assert report.metadata["highlights"] == [bullet.text]
    assert report.metadata["minutes"] == 90


def test_picking_a_task_fills_in_its_parents(signed_in_page, live_server, user):
    tree = make_tree(user)
    other = make_tree(user, name="Globex")
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:journal-entry"))
    expect(page.locator("#id_task option")).to_have_count(3)
    page.select_option("#id_task", str(other.task.pk))
    expect(page.locator("#id_client")).to_have_value(str(other.client.pk))
    expect(page.locator("#id_story")).to_have_value(str(other.story.pk))
    page.select_option("#id_client", str(tree.client.pk))
    expect(page.locator("#id_task")).to_have_value("")
    expect(page.locator("#id_project option")).to_have_count(2)


def test_own_skills_bullet_metrics_and_order_then_final_is_read_only(
    signed_in_page, live_server, user, problems
):
    from worklog.journal.enrichment import add_bullet
    from worklog.journal.services import create_worklog

    worklog = create_worklog(
        user, occurred_on=timezone.localdate(), title="Indexes", content="Added an index."
    )
    add_bullet(worklog, text="First bullet")
    page = signed_in_page
    page.goto(live_server.url + reverse("worklog:journal-detail", args=[worklog.pk]))

    page.fill("#id_signal_name", "Query tuning")
    page.get_by_role("button", name="Add skill").click()
    expect(page.get_by_test_id("skills")).to_contain_text("Query tuning")
    page.get_by_role("link", name="Edit Query tuning").click()
    page.fill("#id_edited_signal_name", "Index design")
    page.get_by_role("button", name="Save skill").click()
    expect(page.get_by_test_id("skills")).to_contain_text("Index design")

    page.fill("#id_text", "Cut report load time")
    page.fill("#id_metrics", "p95 latency: 80 ms")
    page.get_by_role("button", name="Add bullet").click()
    expect(page.get_by_test_id("bullet-metric")).to_have_text("p95 latency: 80 ms")
    page.get_by_role("button", name="Move “Cut report load time” up").click()
    expect(page.locator("[data-bullet] > p:first-child").first).to_have_text("Cut report load time")
    screenshot(page, "journal-own-skills-and-bullets")

    page.get_by_role("button", name="Mark final").click()
    expect(page.get_by_test_id("read-only")).to_be_visible()
    expect(page.get_by_role("button", name="Add skill")).to_have_count(0)
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_role("button", name="Add skill")).to_be_visible()
    problems.assert_none()

    signal = worklog.skill_signals.get()
    assert (signal.name, signal.source) == ("Index design", "manual")
    assert list(worklog.bullets.values_list("text", flat=True)) == [
        "Cut report load time",
        "First bullet",
    ]
