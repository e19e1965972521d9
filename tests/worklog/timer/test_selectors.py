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


def test_totals_and_notice_read_together_match_the_two_reads_apart(user):
    from worklog.timer.selectors import open_auto_stop_notice, timer_totals_and_notice

    zone = ZoneInfo("UTC")
    now = local(zone, 2026, 11, 25, 12)
    # A week without sessions: no totals row, and no notice.
    totals, notice = timer_totals_and_notice(user, now=now)
    assert (totals, notice) == (timer_totals(user, now=now), None)
    work(user, local(zone, 2026, 11, 24, 8), local(zone, 2026, 11, 24, 9, 30))
    work(user, local(zone, 2026, 11, 25, 8), local(zone, 2026, 11, 25, 8, 45))
    totals, notice = timer_totals_and_notice(user, now=now)
    assert totals == timer_totals(user, now=now)
    assert (totals.today_seconds, totals.week_seconds) == (45 * 60, 135 * 60)
    assert notice is None and open_auto_stop_notice(user, now=now) is None


def test_totals_and_notice_give_the_open_notice_with_its_session(user, django_assert_num_queries):
    from django.utils import timezone

    from worklog.models import NoticeKind, TimerNotice
    from worklog.timer import services
    from worklog.timer.selectors import open_auto_stop_notice, timer_totals_and_notice

    services.update_timer_preferences(user=user, auto_stop_after_hours=2, auto_stop_at=None)
    start_session(user, started_at=timezone.now() - timedelta(hours=3))
    [session] = services.stop_forgotten_sessions()
    expected = TimerNotice.objects.get(session=session, kind=NoticeKind.AUTO_STOPPED)
    now = timezone.now()
    with django_assert_num_queries(1):
        totals, notice = timer_totals_and_notice(user, now=now)
    assert notice == expected == open_auto_stop_notice(user)
    # The two hours may have begun yesterday, in part or whole.
    midnight = local_day_bounds(now.astimezone(user.zone).date(), user.zone)[0]
    todays_part = session.stopped_at - max(session.started_at, midnight)
    assert abs(totals.today_seconds - max(0, todays_part.total_seconds())) <= 1
    assert notice.session == session and notice.session.end_reason == "auto_stopped"


def test_the_running_session_is_found_among_todays_however_many_started_after_it(user):
    from worklog.timer.selectors import active_session, active_session_among

    # A day that has passed, so that every session fits in it whatever the time now.
    now = local(user.zone, 2026, 11, 25, 12)
    running = start_session(user, started_at=now - timedelta(minutes=29), stop_existing=False)
    # Twelve later sessions beside it (no switch policy), each 10 s long: the list holds ten.
    for n in range(12):
        start = now - timedelta(minutes=28) + timedelta(minutes=2 * n)
        later = start_session(user, started_at=start, stop_existing=False)
        later.stop(stopped_at=start + timedelta(seconds=10))
    listed = todays_sessions(user, now=now)
    assert len(listed) == 10 and running not in listed
    assert active_session_among(user, listed) == running == active_session(user)
    # With the running session listed, or none running, the list alone answers.
    assert active_session_among(user, todays_sessions(user, now=now, limit=None)) == running
    running.stop()
    assert active_session_among(user, todays_sessions(user, now=now)) is None
