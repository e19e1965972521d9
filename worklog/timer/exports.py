"""The timer report's downloads, one row per entry (a session's part of one day) in the columns
the user chose. CSV and Markdown are produced as a stream of text; XLSX is written row by row
with xlsxwriter's constant-memory mode into a file. Each reads the entries in chunks
(`reports.report_entries`), so a year of sessions needs no more server memory than a day."""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from worklog.timer.reports import (
    REPORT_COLUMNS,
    Entry,
    ReportRow,
    TimerReport,
    report_entries,
)

EXPORT_FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "md": "Markdown"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}
LINES_PER_WRITE = 500

# A cell starting with one of these is run as a formula by spreadsheets opening a CSV file; the
# journal's CSV neutralises them the same way.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """Text a spreadsheet opening a CSV file shows as text rather than runs as a formula."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def download(report: TimerReport, columns: list[str], export_format: str) -> HttpResponseBase:
    """The response that sends the report as `export_format`: CSV and Markdown streamed as they
    are written; XLSX written to a temporary file first (a workbook is a zip archive, finished
    only at its end), then sent from it."""
    period = report.period
    name = f"timer-report-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.{export_format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    content_type = CONTENT_TYPES[export_format]
    if export_format == "xlsx":
        # FileResponse closes the file once sent, which deletes it.
        workbook = tempfile.TemporaryFile()  # noqa: SIM115
        write_xlsx(report, columns, workbook)
        workbook.seek(0)
        return FileResponse(workbook, content_type=content_type, headers=headers)
    lines = csv_lines if export_format == "csv" else markdown_lines
    return StreamingHttpResponse(lines(report, columns), content_type=content_type, headers=headers)


def _duration(seconds: int) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours}:{minutes:02d}"


# Each column's value of an entry, as text (CSV and Markdown).
TEXT_VALUES: dict[str, Callable[[Entry], str]] = {
    "date": lambda entry: entry.day.isoformat(),
    "start": lambda entry: f"{entry.start.hour:02}:{entry.start.minute:02}",
    "end": lambda entry: f"{entry.end.hour:02}:{entry.end.minute:02}",
    "hours": lambda entry: f"{entry.hours:.2f}",
    "duration": lambda entry: _duration(entry.seconds),
    "target": lambda entry: entry.target.label,
    "target_type": lambda entry: entry.target.type_label,
    "client": lambda entry: entry.target.client,
    "project": lambda entry: entry.target.project,
    "session_type": lambda entry: entry.session_type,
    "notes": lambda entry: entry.notes,
}


def _batched(lines: Iterable[str]) -> Iterator[str]:
    """Lines joined into fewer, larger writes."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == LINES_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


class _Echo:
    """A file whose `write` hands back the line, so that csv.writer formats one row at a time."""

    def write(self, line: str) -> str:
        return line


def csv_lines(report: TimerReport, columns: list[str]) -> Iterator[str]:
    """The header (the columns' keys) and one line per entry; text cells formula-safe."""
    writer = csv.writer(_Echo())
    values = [TEXT_VALUES[column] for column in columns]

    def lines():
        yield writer.writerow(columns)
        for entry in report_entries(report):
            yield writer.writerow([spreadsheet_text(value(entry)) for value in values])

    return _batched(lines())


def _markdown_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _markdown_table(heading: str, rows: list[ReportRow]) -> list[str]:
    lines = [f"## {heading}", "", "| | Hours |", "| --- | ---: |"]
    lines += [f"| {_markdown_cell(row.label)} | {row.hours} |" for row in rows]
    return [*lines, ""]


def markdown_lines(report: TimerReport, columns: list[str]) -> Iterator[str]:
    """The report in the journal's Markdown style: its totals, each grouping as a table, then
    the entries as a table of the chosen columns."""
    period = report.period

    def lines():
        yield from (
            f"# Timer report: {period.label}",
            "",
            f"Period: {period.first_day:%Y-%m-%d} to {period.last_day:%Y-%m-%d}",
            "",
            f"- Sessions: {report.session_count}",
            f"- Hours: {report.total_hours}",
            f"- Rounding: {report.rounding}",
            "",
        )
        for heading, rows in grouped_totals(report):
            yield from _markdown_table(heading, rows)
        yield from ("## By day", "", "| | Hours |", "| --- | ---: |")
        yield from (f"| {day.day:%a %Y-%m-%d} | {day.hours} |" for day in report.by_day)
        yield from ("", "## Sessions", "")
        yield "| " + " | ".join(REPORT_COLUMNS[column] for column in columns) + " |"
        yield "|" + "|".join(" ---: " if c == "hours" else " --- " for c in columns) + "|"
        values = [TEXT_VALUES[column] for column in columns]
        for entry in report_entries(report):
            yield "| " + " | ".join(_markdown_cell(value(entry)) for value in values) + " |"

    return _batched(f"{line}\n" for line in lines())


def grouped_totals(report: TimerReport) -> list[tuple[str, list[ReportRow]]]:
    return [
        ("By client", report.by_client),
        ("By project", report.by_project),
        ("By target", report.by_target),
        ("By target type", report.by_target_type),
        ("By type", report.by_session_type),
    ]


# -- XLSX ----------------------------------------------------------------------------------------

COLUMN_WIDTHS = {"date": 11, "start": 7, "end": 7, "hours": 8, "duration": 9, "notes": 50}


def write_xlsx(report: TimerReport, columns: list[str], file: IO[bytes]) -> None:
    """The workbook: a "Sessions" sheet (one row per entry, typed cells: dates as dates, times
    as times, hours as numbers, a duration as a duration; a totals row) and a "Summary" sheet
    with the report's groupings. Text cells are written as strings, never as formulas."""
    workbook = xlsxwriter.Workbook(file, {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    formats = {
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "time": workbook.add_format({"num_format": "hh:mm"}),
        "hours": workbook.add_format({"num_format": "0.00"}),
        "duration": workbook.add_format({"num_format": "[h]:mm"}),
        "total_hours": workbook.add_format({"num_format": "0.00", "bold": True}),
        "total_duration": workbook.add_format({"num_format": "[h]:mm", "bold": True}),
    }
    sessions = workbook.add_worksheet("Sessions")
    for index, column in enumerate(columns):
        sessions.set_column(index, index, COLUMN_WIDTHS.get(column, 20))
    sessions.freeze_panes(1, 0)
    for index, column in enumerate(columns):
        sessions.write_string(0, index, REPORT_COLUMNS[column], bold)

    def write(row: int, index: int, column: str, entry: Entry) -> None:
        if column == "date":
            sessions.write_datetime(row, index, entry.day, formats["date"])
        elif column in ("start", "end"):
            moment = entry.start if column == "start" else entry.end
            sessions.write_datetime(row, index, moment.time(), formats["time"])
        elif column == "hours":
            sessions.write_number(row, index, entry.hours, formats["hours"])
        elif column == "duration":
            sessions.write_number(row, index, entry.seconds / 86400, formats["duration"])
        else:
            sessions.write_string(row, index, TEXT_VALUES[column](entry))

    row = 0
    for entry in report_entries(report):
        row += 1
        for index, column in enumerate(columns):
            write(row, index, column, entry)
    row += 1
    sessions.write_string(
        row, 0, "Total (rounded)" if report.rounding.rounds_totals else "Total", bold
    )
    for index, column in enumerate(columns):
        if column == "hours":
            sessions.write_number(row, index, report.total_seconds / 3600, formats["total_hours"])
        elif column == "duration":
            sessions.write_number(
                row, index, report.total_seconds / 86400, formats["total_duration"]
            )

    summary = workbook.add_worksheet("Summary")
    summary.set_column(0, 0, 40)
    summary.set_column(1, 1, 10)
    for row, (label, hours, is_heading) in enumerate(_summary(report)):
        if isinstance(label, date):
            summary.write_datetime(row, 0, label, formats["date"])
        else:
            summary.write_string(row, 0, label, bold if is_heading else None)
        if hours is not None:
            summary.write_number(row, 1, hours, formats["total_hours" if is_heading else "hours"])
    workbook.close()


def _summary(report: TimerReport) -> Iterator[tuple[str | date, float | None, bool]]:
    """The Summary sheet's rows: (label or day, hours or None, whether a heading)."""
    yield f"Timer report: {report.period.label}", None, True
    yield f"{report.session_count} sessions. {report.rounding}", None, False
    yield "Hours", report.total_seconds / 3600, True
    for heading, rows in grouped_totals(report):
        yield "", None, False
        yield heading, None, True
        yield from ((row.label, row.seconds / 3600, False) for row in rows)
    yield "", None, False
    yield "By day", None, True
    yield from ((day.day, day.seconds / 3600, False) for day in report.by_day)
