"""The timer report: its periods, groupings, rounding and days, and the entries exports read."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tests.worklog.journal.helpers import make_tree
from worklog.models import Task, WorkSession
from worklog.timer.reports import (
    Period,
    PeriodKind,
    Rounding,
    report_entries,
    report_period,
    seconds_by_target,
    timer_report,
)

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 12, 9)  # a Wednesday


def at(*args, zone=UTC) -> datetime:
    return datetime(*args, tzinfo=zone)


def session(user, start, stop, **kwargs) -> WorkSession:
    return WorkSession.objects.create(
        user=user,
        started_at=start,
        stopped_at=stop,
        duration_seconds=int((stop - start).total_seconds()) if stop else None,
        end_reason="stopped" if stop else "",
        **kwargs,
    )


def report_of(user, first, last=None, *, now=None, **rounding):
    period = Period(PeriodKind.CUSTOM, first, last or first)
    return timer_report(
        user, period=period, rounding=Rounding(**rounding), now=now or at(2027, 1, 1)
    )


# -- periods ------------------------------------------------------------------------------------


def test_a_week_starts_on_the_users_first_day():
    monday_week = report_period(today=TODAY, kind="week")
    assert (monday_week.first_day, monday_week.last_day) == (date(2026, 12, 7), date(2026, 12, 13))
    sunday_week = report_period(today=TODAY, kind="week", week_start=6)
    assert (sunday_week.first_day, sunday_week.last_day) == (date(2026, 12, 6), date(2026, 12, 12))


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("today", date(2026, 12, 9), date(2026, 12, 9)),
        ("yesterday", date(2026, 12, 8), date(2026, 12, 8)),
        ("this_week", date(2026, 12, 7), date(2026, 12, 13)),
        ("last_week", date(2026, 11, 30), date(2026, 12, 6)),
        ("this_month", date(2026, 12, 1), date(2026, 12, 31)),
        ("last_month", date(2026, 11, 1), date(2026, 11, 30)),
        ("this_year", date(2026, 1, 1), date(2026, 12, 31)),
        ("last_year", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_presets(preset, first, last):
    period = report_period(today=TODAY, preset=preset)
    assert (period.first_day, period.last_day) == (first, last)


def test_last_month_in_january_is_last_years_december():
    period = report_period(today=date(2027, 1, 15), preset="last_month")
    assert (period.first_day, period.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period.label == "December 2026"


def test_a_period_shifts_by_its_own_kind():
    month = report_period(today=TODAY, kind="month", anchor=date(2026, 1, 31))
    assert month.shifted(-1).first_day == date(2025, 12, 1)
    assert month.shifted(1).last_day == date(2026, 2, 28)
    custom = report_period(today=TODAY, start=date(2026, 12, 1), end=date(2026, 12, 3))
    assert custom.kind == "custom"
    assert (custom.shifted(1).first_day, custom.shifted(1).last_day) == (
        date(2026, 12, 4),
        date(2026, 12, 6),
    )


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"start": date(2026, 12, 2), "end": date(2026, 12, 1)}, "end"),
        ({"start": date(2020, 1, 1), "end": date(2026, 1, 1)}, "end"),
        ({"kind": "custom", "start": date(2026, 12, 2)}, "start"),
        ({"kind": "fortnight"}, "period"),
        ({"preset": "someday"}, "preset"),
        ({"kind": "year", "anchor": date(3000, 1, 1)}, "date"),
    ],
)
def test_bad_periods_name_the_field_at_fault(filters, field):
    with pytest.raises(ValidationError) as caught:
        report_period(today=TODAY, **filters)
    assert field in caught.value.message_dict


def test_unknown_rounding_is_refused():
    with pytest.raises(ValidationError):
        Rounding(minutes=7)
    with pytest.raises(ValidationError):
        Rounding(minutes=15, mode="sideways")


# -- groupings ----------------------------------------------------------------------------------


def test_time_is_grouped_by_target_type_client_project_session_type_and_day(user):
    acme = make_tree(user)
    globex = make_tree(user, name="Globex")
    day = date(2026, 12, 1)
    session(user, at(2026, 12, 1, 9), at(2026, 12, 1, 11), target=acme.task, session_type="dev")
    session(user, at(2026, 12, 1, 11), at(2026, 12, 1, 12), target=acme.project)
    session(
        user, at(2026, 12, 2, 9), at(2026, 12, 2, 9, 30), target=globex.task, session_type="dev"
    )
    session(user, at(2026, 12, 2, 10), at(2026, 12, 2, 10, 15), session_type="call")

    report = report_of(user, day, date(2026, 12, 3))

    hours = 3600
    assert report.total_seconds == 3.75 * hours
    assert report.session_count == 4
    assert [(row.label, row.seconds) for row in report.by_target] == [
        ("Card form", 2 * hours),
        ("Acme site", hours),
        ("Card form", hours / 2),
        ("No target", hours / 4),
    ]
    assert report.by_target[0].key == f"worklog.task:{acme.task.pk}"
    assert {row.label: row.seconds for row in report.by_target_type} == {
        "Task": 2.5 * hours,
        "Project": hours,
        "No target": hours / 4,
    }
    assert {row.label: row.seconds for row in report.by_client} == {
        "Acme": 3 * hours,
        "Globex": hours / 2,
        "No client": hours / 4,
    }
    assert {row.label: row.seconds for row in report.by_project} == {
        "Acme / Acme site": 3 * hours,
        "Globex / Globex site": hours / 2,
        "No project": hours / 4,
    }
    assert {row.label: row.seconds for row in report.by_session_type} == {
        "dev": 2.5 * hours,
        "No type": hours,
        "call": hours / 4,
    }
    assert [(row.day, row.seconds) for row in report.by_day] == [
        (date(2026, 12, 1), 3 * hours),
        (date(2026, 12, 2), 0.75 * hours),
        (date(2026, 12, 3), 0),
    ]


def test_a_deactivated_task_keeps_its_name_and_a_deleted_one_is_marked(user):
    tree = make_tree(user)
    other = Task.objects.create(story=tree.story, name="Gone")
    session(user, at(2026, 12, 1, 9), at(2026, 12, 1, 10), target=tree.task)
    session(user, at(2026, 12, 1, 10), at(2026, 12, 1, 11), target=other)
    Task.objects.filter(pk=tree.task.pk).update(is_active=False)
    other.delete()
    labels = {row.label for row in report_of(user, date(2026, 12, 1)).by_target}
    assert labels == {"Card form", "Task (no longer available)"}


def test_only_the_users_own_undeleted_sessions_count(user, other_user):
    session(user, at(2026, 12, 1, 9), at(2026, 12, 1, 10))
    session(user, at(2026, 12, 1, 11), at(2026, 12, 1, 12)).delete()
    session(other_user, at(2026, 12, 1, 13), at(2026, 12, 1, 17))
    report = report_of(user, date(2026, 12, 1))
    assert (report.total_seconds, report.session_count) == (3600, 1)


def test_a_running_session_counts_up_to_now_and_sessions_are_clipped_to_the_period(user):
    session(user, at(2026, 11, 30, 23), at(2026, 12, 1, 1))  # one hour inside
    session(user, at(2026, 12, 1, 10), None, switch_policy=True)
    report = report_of(user, date(2026, 12, 1), now=at(2026, 12, 1, 10, 30))
    assert report.total_seconds == 3600 + 1800
    assert report.by_day[0].seconds == 5400


# -- days ---------------------------------------------------------------------------------------


def test_a_session_across_midnight_counts_on_both_local_days(user):
    user.time_zone = "America/New_York"
    user.save()
    session(user, at(2026, 12, 1, 22, zone=NEW_YORK), at(2026, 12, 2, 1, 30, zone=NEW_YORK))
    report = report_of(user, date(2026, 12, 1), date(2026, 12, 2))
    assert [row.seconds for row in report.by_day] == [2 * 3600, 5400]
    assert (report.total_seconds, report.session_count) == (3.5 * 3600, 1)


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 8), 23), (date(2026, 11, 1), 25)])
def test_days_of_23_and_25_hours_hold_their_real_length(user, day, hours):
    user.time_zone = "America/New_York"
    user.save()
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=NEW_YORK)
    # From the evening before to the morning after: the whole day lies inside the session.
    session(user, midnight - timedelta(hours=2), midnight + timedelta(days=1, hours=3))
    report = report_of(user, day - timedelta(days=1), day + timedelta(days=1))
    assert [row.seconds for row in report.by_day] == [2 * 3600, hours * 3600, 3 * 3600]


def test_a_session_ending_at_midnight_belongs_to_its_day_alone(user):
    session(user, at(2026, 12, 1, 23), at(2026, 12, 2))
    report = report_of(user, date(2026, 12, 1), date(2026, 12, 2))
    assert [row.seconds for row in report.by_day] == [3600, 0]
    assert len(list(report_entries(report))) == 1


# -- rounding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "total_minutes"),
    [
        ({}, 29),
        ({"minutes": 15, "mode": "up"}, 45),
        ({"minutes": 15, "mode": "down"}, 15),
        ({"minutes": 15, "mode": "nearest"}, 15),
        ({"minutes": 6, "mode": "nearest"}, 30),
        ({"minutes": 5, "mode": "up"}, 35),
        ({"minutes": 10, "mode": "down"}, 20),
        ({"minutes": 30, "mode": "nearest"}, 30),
        ({"minutes": 15, "mode": "up", "scope": "totals"}, 30),
        ({"minutes": 15, "mode": "down", "scope": "totals"}, 15),
        ({"minutes": 15, "mode": "nearest", "scope": "totals"}, 30),
    ],
)
def test_rounding_each_session_or_the_totals(user, rounding, total_minutes):
    session(user, at(2026, 12, 1, 9), at(2026, 12, 1, 9, 7))
    session(user, at(2026, 12, 1, 10), at(2026, 12, 1, 10, 22))
    report = report_of(user, date(2026, 12, 1), **rounding)
    assert report.total_seconds == total_minutes * 60
    assert report.by_day[0].seconds == total_minutes * 60
    assert sum(entry.seconds for entry in report_entries(report)) == (
        total_minutes * 60 if rounding.get("scope") != "totals" else 29 * 60
    )


def test_nearest_rounds_half_up_to_the_second(user):
    session(user, at(2026, 12, 1, 9), at(2026, 12, 1, 9, 7, 30))
    session(user, at(2026, 12, 1, 10), at(2026, 12, 1, 10, 7, 29))
    report = report_of(user, date(2026, 12, 1), minutes=15, mode="nearest")
    assert report.total_seconds == 15 * 60


def test_rounding_each_session_rounds_each_days_part_of_one_across_midnight(user):
    session(user, at(2026, 12, 1, 23, 50), at(2026, 12, 2, 0, 5))
    report = report_of(user, date(2026, 12, 1), date(2026, 12, 2), minutes=15, mode="up")
    assert [row.seconds for row in report.by_day] == [15 * 60, 15 * 60]
    assert [entry.seconds for entry in report_entries(report)] == [15 * 60, 15 * 60]


def test_the_rounding_is_stated():
    assert str(Rounding()) == "Not rounded: the time as tracked, to the second."
    assert "rounded up to 15 minutes" in str(Rounding(minutes=15, mode="up"))
    assert str(Rounding(minutes=6, scope="totals")) == (
        "Each total is rounded to the nearest 6 minutes."
    )


# -- entries ------------------------------------------------------------------------------------


def test_entries_are_read_in_chunks_without_losing_or_repeating_a_session(user):
    start = at(2026, 12, 1, 8)
    # Same start times (sessions outside the switch policy may overlap) test the (start, id) key.
    WorkSession.objects.bulk_create(
        WorkSession(
            user=user,
            started_at=start + timedelta(minutes=10 * (n // 2)),
            stopped_at=start + timedelta(minutes=10 * (n // 2) + 5),
            notes=f"n{n}",
        )
        for n in range(11)
    )
    report = report_of(user, date(2026, 12, 1))
    entries = list(report_entries(report, chunk=3))
    assert sorted(entry.notes for entry in entries) == sorted(f"n{n}" for n in range(11))
    assert [entry.start for entry in entries] == sorted(entry.start for entry in entries)
    assert sum(entry.seconds for entry in entries) == report.total_seconds == 11 * 300


def test_entries_are_split_at_local_midnight_and_carry_their_target(user):
    user.time_zone = "America/New_York"
    user.save()
    tree = make_tree(user)
    session(
        user,
        at(2026, 12, 1, 23, zone=NEW_YORK),
        at(2026, 12, 2, 0, 30, zone=NEW_YORK),
        target=tree.task,
        notes="late",
    )
    report = report_of(user, date(2026, 12, 1), date(2026, 12, 2))
    entries = list(report_entries(report))
    assert [(e.day, e.start.hour, e.end.hour, e.seconds) for e in entries] == [
        (date(2026, 12, 1), 23, 0, 3600),
        (date(2026, 12, 2), 0, 0, 1800),
    ]
    assert {(e.target.label, e.target.client, e.target.project) for e in entries} == {
        ("Card form", "Acme", "Acme site")
    }


def test_seconds_by_target_for_the_journal(user, other_user):
    tree = make_tree(user)
    session(user, at(2026, 12, 1, 9), at(2026, 12, 1, 10), target=tree.task)
    session(user, at(2026, 12, 3, 9), at(2026, 12, 3, 10), target=tree.task)  # after the period
    session(user, at(2026, 12, 1, 11), at(2026, 12, 1, 11, 30))
    found = seconds_by_target(
        user, first_day=date(2026, 12, 1), last_day=date(2026, 12, 2), target_models=[Task]
    )
    assert found == {(Task, str(tree.task.pk)): 3600}


def test_a_type_without_placements_is_named_as_its_objects_name_themselves(
    user, widget_target_type
):
    from tests.testapp.models import Widget

    widget = Widget.objects.create(name="Quarterly report")
    session(user, at(2026, 12, 1, 9), at(2026, 12, 1, 10), target=widget)
    report = report_of(user, date(2026, 12, 1))
    assert [(row.label, row.key) for row in report.by_target] == [
        (str(widget), f"testapp.widget:{widget.pk}")
    ]
    assert [row.label for row in report.by_client] == ["No client"]
    assert [row.label for row in report.by_target_type] == ["Widget"]
