"""The week grid and the day timeline: local days, daylight-saving days, sessions across
midnight, the user's first day of the week."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.testapp.models import Widget
from worklog.timer import services
from worklog.timer.timesheet import day_timeline, timesheet, week_start, week_timesheet

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def berliner(user):
    user.time_zone = "Europe/Berlin"
    user.save()
    return user


def add(user, start, stop, **fields):
    return services.add_session(user=user, started_at=start, stopped_at=stop, **fields)


@pytest.mark.parametrize(
    ("day", "first_weekday", "expected"),
    [
        (date(2026, 12, 2), 0, date(2026, 11, 30)),  # a Wednesday, weeks from Monday
        (date(2026, 11, 30), 0, date(2026, 11, 30)),
        (date(2026, 12, 2), 6, date(2026, 11, 29)),  # weeks from Sunday
        (date(2026, 11, 29), 6, date(2026, 11, 29)),
        (date(2026, 12, 4), 5, date(2026, 11, 28)),  # a Friday, weeks from Saturday
    ],
)
def test_week_start_follows_the_users_first_day(day, first_weekday, expected):
    assert week_start(day, first_weekday) == expected


def test_grid_sums_each_target_per_day_and_lists_sessions_day_by_day(berliner):
    card, report = Widget.objects.create(name="Card"), Widget.objects.create(name="Report")
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    add(berliner, local(monday, 9), local(monday, 10), target=card)
    add(berliner, local(monday, 10), local(monday, 10, 30), target=report)
    add(berliner, local(tuesday, 9), local(tuesday, 11), target=card)
    add(berliner, local(tuesday, 11), local(tuesday, 11, 15))
    sheet = week_timesheet(berliner, date(2026, 11, 26), now=NOW)
    assert [day.day for day in sheet.days][0] == monday
    assert [(row.kind != "", row.seconds_per_day[:2], row.total_seconds) for row in sheet.rows] == [
        (True, [3600, 7200], 10800),
        (True, [1800, 0], 1800),
        (False, [0, 900], 900),
    ]
    assert sheet.rows[-1].label == "No target"
    assert [day.seconds for day in sheet.days[:3]] == [5400, 8100, 0]
    assert sheet.total_seconds == 13500
    assert [len(day.sessions) for day in sheet.days[:3]] == [2, 2, 0]


def test_a_session_across_midnight_counts_on_both_days(berliner):
    monday = date(2026, 11, 23)
    add(berliner, local(monday, 23), local(monday + timedelta(days=1), 1, 30))
    sheet = week_timesheet(berliner, monday, now=NOW)
    assert [day.seconds for day in sheet.days[:2]] == [3600, 5400]
    assert [len(day.sessions) for day in sheet.days[:2]] == [1, 0]
    assert [len(day.overlapping) for day in sheet.days[:2]] == [1, 1]


def test_a_session_from_before_the_week_is_listed_on_its_first_day(berliner):
    monday = date(2026, 11, 23)
    add(berliner, local(monday, 0) - timedelta(hours=1), local(monday, 2))
    sheet = week_timesheet(berliner, monday, now=NOW)
    assert sheet.days[0].seconds == 7200
    assert len(sheet.days[0].sessions) == 1


def test_the_spring_forward_day_has_23_hours(berliner):
    sunday = date(2026, 3, 29)  # clocks go from 02:00 to 03:00 in Berlin
    add(berliner, local(sunday, 0), local(sunday + timedelta(days=1), 0))
    sheet = timesheet(berliner, sunday, 2, now=NOW)
    assert sheet.days[0].seconds == 23 * 3600
    assert sheet.days[1].seconds == 0


def test_the_fall_back_day_has_25_hours(berliner):
    sunday = date(2026, 10, 25)  # clocks go from 03:00 back to 02:00 in Berlin
    add(berliner, local(sunday, 0), local(sunday + timedelta(days=1), 0))
    sheet = week_timesheet(berliner, sunday, now=NOW)
    assert sheet.days[-1].day == sunday
    assert sheet.days[-1].seconds == 25 * 3600
    assert sheet.total_seconds == 25 * 3600


def test_a_running_session_counts_up_to_now(berliner):
    now = datetime(2026, 11, 30, 10, tzinfo=UTC)
    services.start_session(berliner, started_at=now - timedelta(minutes=45))
    sheet = week_timesheet(berliner, now.date(), now=now)
    assert sheet.days[0].seconds == 45 * 60
    assert sheet.days[0].is_today


def test_only_the_users_own_undeleted_sessions(berliner, other_user):
    monday = date(2026, 11, 23)
    add(other_user, local(monday, 9), local(monday, 10))
    deleted = add(berliner, local(monday, 11), local(monday, 12))
    services.delete_session(session=deleted)
    assert week_timesheet(berliner, monday, now=NOW).total_seconds == 0


def test_a_target_deleted_for_good_is_named_so(berliner):
    widget = Widget.objects.create(name="Gone")
    monday = date(2026, 11, 23)
    add(berliner, local(monday, 9), local(monday, 10), target=widget)
    widget.hard_delete()
    assert week_timesheet(berliner, monday, now=NOW).rows[0].label == "Deleted target"


def test_the_timeline_places_sessions_and_gaps_across_the_day(berliner):
    monday = date(2026, 11, 23)
    add(berliner, local(monday, 6), local(monday, 12))
    add(berliner, local(monday, 13), local(monday, 18))
    day = week_timesheet(berliner, monday, now=NOW).days[0]
    timeline = day_timeline(day, berliner.zone, now=NOW)
    assert [(block.x, block.width) for block in timeline.blocks] == [
        (250.0, 250.0),
        (541.67, 208.33),
    ]
    assert [(gap.x, gap.title) for gap in timeline.gaps] == [
        (500.0, "Untracked 12:00–13:00 (60 min)")
    ]
    assert [tick.label for tick in timeline.ticks] == [
        "00",
        "03",
        "06",
        "09",
        "12",
        "15",
        "18",
        "21",
    ]


def test_the_timeline_of_a_25_hour_day_has_its_hours_in_place(berliner):
    sunday = date(2026, 10, 25)
    add(berliner, local(sunday, 12), local(sunday, 13))
    day = timesheet(berliner, sunday, 1, now=NOW).days[0]
    timeline = day_timeline(day, berliner.zone, now=NOW)
    # Noon is 13 hours into a 25-hour day.
    assert timeline.blocks[0].x == round(13 / 25 * 1000, 2)
    assert timeline.blocks[0].width == round(1000 / 25, 2)
