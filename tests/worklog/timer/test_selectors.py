from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from worklog import start_session, stop_session
from worklog.timer.selectors import local_day_bounds, recent_targets, timer_totals, todays_sessions

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def local(zone, *args):
    return datetime(*args, tzinfo=zone)


def work(user, start, stop, **kwargs):
    start_session(user, started_at=start, **kwargs)
    return stop_session(user, stopped_at=stop)


def test_day_bounds_follow_the_daylight_saving_change():
    start, end = local_day_bounds(local(NEW_YORK, 2026, 3, 8).date(), NEW_YORK)
    assert end - start == timedelta(hours=23)
    start, end = local_day_bounds(local(NEW_YORK, 2026, 11, 1).date(), NEW_YORK)
    assert end - start == timedelta(hours=25)


def test_totals_across_the_spring_forward_night_count_real_hours(user):
    user.time_zone = "America/New_York"
    user.save()
    # 00:30 to 03:30 local on the night clocks jump from 02:00 to 03:00: two real hours.
    work(user, local(NEW_YORK, 2026, 3, 8, 0, 30), local(NEW_YORK, 2026, 3, 8, 3, 30))
    totals = timer_totals(user, now=local(NEW_YORK, 2026, 3, 8, 12))
    assert totals.today_seconds == 2 * 3600
    assert totals.week_seconds == 2 * 3600
    assert [day.day.isoformat() for day in totals.days][-1] == "2026-03-08"  # a Sunday


def test_totals_across_the_fall_back_night_count_real_hours(user):
    user.time_zone = "America/New_York"
    user.save()
    # 00:30 to 03:30 local on the night 02:00 falls back to 01:00: four real hours.
    work(user, local(NEW_YORK, 2026, 11, 1, 0, 30), local(NEW_YORK, 2026, 11, 1, 3, 30))
    # The evening before, so the week (Monday Oct 26 to Sunday Nov 1) holds both.
    work(user, local(NEW_YORK, 2026, 10, 31, 22), local(NEW_YORK, 2026, 10, 31, 23))
    totals = timer_totals(user, now=local(NEW_YORK, 2026, 11, 1, 23, 30))
    assert totals.today_seconds == 4 * 3600
    assert totals.week_seconds == 5 * 3600
    assert [day.seconds for day in totals.days][-2:] == [3600, 4 * 3600]


def test_today_is_the_users_local_day_not_utcs(user):
    user.time_zone = "Pacific/Auckland"
    user.save()
    zone = ZoneInfo("Pacific/Auckland")
    now = local(zone, 2026, 11, 24, 9)  # Tuesday morning there, still Monday in UTC
    work(user, local(zone, 2026, 11, 24, 7), local(zone, 2026, 11, 24, 8))
    work(user, local(zone, 2026, 11, 23, 22), local(zone, 2026, 11, 23, 23))
    totals = timer_totals(user, now=now)
    assert totals.today_seconds == 3600
    assert totals.week_seconds == 2 * 3600
    assert [d.seconds for d in totals.days[:2]] == [3600, 3600]
    assert len(todays_sessions(user, now=now)) == 1


def test_session_across_midnight_counts_on_both_days(user):
    zone = ZoneInfo("UTC")
    work(user, local(zone, 2026, 11, 24, 23), local(zone, 2026, 11, 25, 1, 30))
    totals = timer_totals(user, now=local(zone, 2026, 11, 25, 12))
    assert totals.days[1].seconds == 3600  # Tuesday
    assert totals.days[2].seconds == 5400  # Wednesday, today
    assert totals.today_seconds == 5400 and totals.week_seconds == 2.5 * 3600


def test_running_session_counts_up_to_now_and_deleted_sessions_not_at_all(user):
    zone = ZoneInfo("UTC")
    deleted = work(user, local(zone, 2026, 11, 25, 8), local(zone, 2026, 11, 25, 9))
    deleted.delete()
    start_session(user, started_at=local(zone, 2026, 11, 25, 10))
    totals = timer_totals(user, now=local(zone, 2026, 11, 25, 10, 45))
    assert totals.today_seconds == 45 * 60


def test_recent_targets_newest_first_and_only_visible(user, widget, widget_target_type):
    from tests.testapp.models import Widget

    older = Widget.objects.create(name="older")
    zone = ZoneInfo("UTC")
    work(user, local(zone, 2026, 11, 20, 8), local(zone, 2026, 11, 20, 9), target=older)
    work(user, local(zone, 2026, 11, 21, 8), local(zone, 2026, 11, 21, 9), target=widget)
    work(user, local(zone, 2026, 11, 22, 8), local(zone, 2026, 11, 22, 9))
    assert [t.object for t in recent_targets(user)] == [widget, older]
    older.delete()  # soft-deleted: no longer visible to anyone
    assert [t.object for t in recent_targets(user)] == [widget]
