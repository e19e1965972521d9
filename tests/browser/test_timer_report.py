"""The timer report in a real browser: from the dashboard to last month's report, a preset
through HTMX, then CSV and XLSX downloads in chosen columns, read back."""

import csv
import io
from datetime import UTC, datetime, time, timedelta

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.worklog.journal.helpers import make_tree
from worklog.models import TimerPreferences, WorkSession

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_downloads_csv_and_xlsx_in_the_chosen_columns(
    signed_in_page, live_server, user, problems
):
    tree = make_tree(user)
    start = datetime(2025, 12, 1, 9, tzinfo=UTC)
    WorkSession.objects.create(
        user=user,
        target=tree.task,
        session_type="dev",
        notes="=SUM(1,2)",
        started_at=start,
        stopped_at=start + timedelta(minutes=95),
    )
    page = signed_in_page
    page.get_by_role("link", name="Reports and exports").click()
    page.wait_for_url(f"**{reverse('worklog:timer-report')}")
    expect(page.get_by_test_id("report-period")).to_be_visible()

    page.locator("[data-preset=this_year]").click()
    expect(page.get_by_test_id("report-period")).to_have_text(str(datetime.now(UTC).year))
    assert "preset=this_year" in page.url  # the fragment swap pushed its address

    page.get_by_label("Period", exact=True).select_option("month")
    page.get_by_label("Day in it").fill("2025-12-15")
    page.get_by_label("Round to").select_option("15")
    page.get_by_label("Round", exact=True).select_option("up")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("report-period")).to_have_text("December 2025")
    expect(page.get_by_test_id("report-hours")).to_have_text("1.75")
    expect(page.get_by_test_id("report-rounding")).to_contain_text("rounded up to 15 minutes")

    form = page.get_by_test_id("download-form")
    for column in ("Start", "End", "Target type", "Client", "Project", "Type"):
        form.get_by_label(column, exact=True).uncheck()
    with page.expect_download() as csv_download:
        form.get_by_role("button", name="CSV").click()
    assert csv_download.value.suggested_filename == "timer-report-20251201-20251231.csv"
    rows = list(csv.reader(io.StringIO(csv_download.value.path().read_text(encoding="utf-8"))))
    assert rows == [
        ["date", "hours", "target", "notes"],
        ["2025-12-01", "1.75", "Card form", "'=SUM(1,2)"],
    ]
    assert TimerPreferences.objects.get(user=user).report_columns == [
        "date",
        "hours",
        "target",
        "notes",
    ]

    form.get_by_label("Start", exact=True).check()
    with page.expect_download() as xlsx_download:
        form.get_by_role("button", name="Excel (XLSX)").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    rows = list(workbook["Sessions"].iter_rows(values_only=True))
    assert rows[0] == ("Date", "Start", "Hours", "Target", "Notes")
    assert rows[1] == (datetime(2025, 12, 1), time(9), 1.75, "Card form", "=SUM(1,2)")
    assert workbook["Sessions"].cell(row=2, column=1).is_date
    assert rows[2] == ("Total", None, 1.75, None, None)
    screenshot(page, "timer-report")
    problems.assert_none()
