"""The timer report page and its downloads: CSV, XLSX and Markdown, with remembered columns."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tests.worklog.journal.helpers import make_tree
from worklog.models import TimerPreferences, WorkSession

pytestmark = pytest.mark.django_db

URL = reverse("worklog:timer-report")
DOWNLOAD = reverse("worklog:timer-report-download")
DECEMBER = {"period": "month", "date": "2026-12-01"}


def session(user, start, minutes, **kwargs) -> WorkSession:
    return WorkSession.objects.create(
        user=user,
        started_at=start,
        stopped_at=start + timedelta(minutes=minutes),
        duration_seconds=minutes * 60,
        end_reason="stopped",
        **kwargs,
    )


@pytest.fixture
def december(user, other_user):
    tree = make_tree(user)
    session(
        user,
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        90,
        target=tree.task,
        session_type="dev",
        notes='=HYPERLINK("http://evil")',
    )
    session(user, datetime(2026, 12, 2, 23, tzinfo=UTC), 120, notes="late | night")
    session(other_user, datetime(2026, 12, 3, 9, tzinfo=UTC), 600, notes="not yours")
    return tree


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (URL, DOWNLOAD + "?format=csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))
    assert client.post(DOWNLOAD, {"format": "csv"}).status_code == 302


def test_the_dashboard_links_to_the_report(user_client):
    page = user_client.get(reverse("worklog:dashboard")).content.decode()
    assert f'href="{URL}"' in page


def test_the_report_page_shows_the_periods_totals_chart_and_groupings(user_client, december):
    response = user_client.get(URL, {**DECEMBER, "rounding": "15", "rounding_mode": "up"})
    assert response.status_code == 200
    page = response.content.decode()
    report = response.context["report"]
    assert report.period.label == "December 2026"
    assert report.total_hours == "3.50" and report.session_count == 2
    assert "<svg" in page and "Hours per day, December 2026" in page
    assert "rounded up to 15 minutes" in page
    assert "Card form" in page and "Acme / Acme site" in page and "not yours" not in page
    assert response.context["previous_query"] == (
        "period=month&date=2026-11-01&rounding=15&rounding_mode=up&rounding_scope=entries"
    )


def test_a_preset_shows_its_dates_in_the_filters(user_client, december):
    response = user_client.get(URL, {"preset": "this_week"})
    assert response.status_code == 200
    shown = {field.name: field.value() for field in response.context["filters"]}
    assert shown["period"] == "week"


def test_the_filters_answer_htmx_with_the_report_fragment(user_client, december):
    response = user_client.get(URL, DECEMBER, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="report-page"') and "<html" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-12-05", "end": "2026-12-01"},
        {"period": "fortnight"},
        {"date": "2026-13-01"},
        {"rounding": "7"},
        {"period": "day", "date": "3001-01-01"},
    ],
)
def test_bad_filters_answer_422_with_the_reason(user_client, params):
    for headers in ({}, {"HX-Request": "true"}):
        response = user_client.get(URL, params, headers=headers)
        assert response.status_code == 422
        assert 'data-testid="report-errors"' in response.content.decode()
        assert "report" not in response.context


def test_csv_download_is_formula_safe_and_holds_only_the_users_sessions(user_client, december):
    response = user_client.get(DOWNLOAD, {**DECEMBER, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="timer-report-20261201-20261231.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    assert [row["notes"] for row in rows] == [
        '\'=HYPERLINK("http://evil")',
        "late | night",
        "late | night",
    ]
    first = rows[0]
    assert (first["date"], first["start"], first["end"], first["hours"]) == (
        "2026-12-01",
        "09:00",
        "10:30",
        "1.50",
    )
    assert (first["target"], first["client"], first["project"]) == (
        "Card form",
        "Acme",
        "Acme site",
    )
    # The late session is split at midnight (the user's zone is UTC).
    assert [(row["date"], row["hours"]) for row in rows[1:]] == [
        ("2026-12-02", "1.00"),
        ("2026-12-03", "1.00"),
    ]


def test_xlsx_download_has_typed_cells_and_a_totals_row(user_client, december):
    response = user_client.get(
        DOWNLOAD, {**DECEMBER, "format": "xlsx", "rounding": "30", "rounding_mode": "up"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    sheet = workbook["Sessions"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("Date", "Start", "End", "Hours")
    first = dict(zip(header, rows[1], strict=False))
    assert first["Date"] == datetime(2026, 12, 1)
    assert sheet.cell(row=2, column=1).is_date
    assert first["Start"] == time(9) and first["End"] == time(10, 30)
    assert first["Hours"] == 1.5 and isinstance(first["Hours"], float)
    # A formula-looking note is a string cell, not a formula.
    assert first["Notes"] == '=HYPERLINK("http://evil")'
    assert sheet.cell(row=2, column=header.index("Notes") + 1).data_type == "s"
    total = rows[-1]
    assert total[0] == "Total" and len(rows) == 5
    assert total[header.index("Hours")] == 3.5
    assert sum(row[header.index("Hours")] for row in rows[1:-1]) == 3.5
    summary = [row for row in workbook["Summary"].iter_rows(values_only=True) if row[0]]
    assert ("Hours", 3.5) in summary and ("Card form", 1.5) in summary


def test_markdown_download_in_the_journals_style(user_client, december):
    response = user_client.get(DOWNLOAD, {**DECEMBER, "format": "md"})
    assert response["Content-Type"].startswith("text/markdown")
    text = body(response).decode()
    assert text.startswith("# Timer report: December 2026\n")
    assert "- Hours: 3.50" in text and "- Rounding: Not rounded" in text
    assert (
        "## By client\n\n| | Hours |\n| --- | ---: |\n| No client | 2.00 |\n| Acme | 1.50 |\n"
        in text
    )
    assert "| Tue 2026-12-01 | 1.50 |" in text
    assert "| 2026-12-02 | 23:00 | 00:00 | 1.00 |" in text and "late \\| night" in text


def test_the_chosen_columns_are_remembered(user_client, user, december):
    response = user_client.post(
        DOWNLOAD, {**DECEMBER, "format": "csv", "columns": ["hours", "date", "notes"]}
    )
    assert response.status_code == 200
    assert body(response).decode().splitlines()[0] == "date,hours,notes"
    assert TimerPreferences.objects.get(user=user).report_columns == ["date", "hours", "notes"]
    again = user_client.get(DOWNLOAD, {**DECEMBER, "format": "csv"})
    assert body(again).decode().splitlines()[0] == "date,hours,notes"
    page = user_client.get(URL, DECEMBER)
    assert page.context["columns"] == ["date", "hours", "notes"]
    assert 'value="notes" checked' in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"format": "csv"}, "Choose at least one column."),
        ({"format": "csv", "columns": ["date", "salary"]}, "salary is not one of"),
        ({"columns": ["date"]}, "Choose CSV, XLSX or Markdown."),
        ({"format": "pdf", "columns": ["date"]}, "pdf is not one of"),
    ],
)
def test_a_download_without_columns_or_format_is_refused(user_client, user, data, message):
    TimerPreferences.objects.create(user=user, report_columns=["hours"])
    response = user_client.post(DOWNLOAD, {**DECEMBER, **data})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert TimerPreferences.objects.get(user=user).report_columns == ["hours"]


def test_the_download_form_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(DOWNLOAD, {**DECEMBER, "format": "csv", "columns": ["date"]})
    assert response.status_code == 403
    assert not TimerPreferences.objects.exists()


def test_another_users_report_is_their_own(client, other_user, december):
    client.force_login(other_user)
    report = client.get(URL, DECEMBER).context["report"]
    assert (report.total_hours, report.session_count) == ("10.00", 1)
    rows = list(
        csv.DictReader(
            io.StringIO(body(client.get(DOWNLOAD, {**DECEMBER, "format": "csv"})).decode())
        )
    )
    assert [row["notes"] for row in rows] == ["not yours"]


def test_a_year_is_charted_by_month(user_client, december):
    response = user_client.get(URL, {"period": "year", "date": "2026-06-01"})
    chart = response.context["chart"]
    assert len(chart.bars) == 12 and chart.bars[11].label == "Dec"
    assert [day.day for day in response.context["day_rows"]] == [
        date(2026, 12, 1),
        date(2026, 12, 2),
        date(2026, 12, 3),
    ]
