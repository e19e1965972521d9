from datetime import timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.testapp.models import Widget
from worklog import WorkSession, start_session, stop_session
from worklog.models import EndReason

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def test_dashboard_shows_idle_timer_and_start_form(user_client, empty_target_registry):
    response = user_client.get(reverse("worklog:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No session running" in html
    assert 'id="active-session"' in html and 'id="today"' in html and 'id="totals"' in html
    assert "<svg" in html
    assert "no kind of work" in html  # no target type registered


def test_dashboard_requires_login(client):
    response = client.get(reverse("worklog:dashboard"))
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


def test_dashboard_shows_running_session_with_target(user_client, user, widget, widget_target_type):
    start_session(
        user, target=widget, session_type="writing", notes="Intro", started_at=ago(minutes=5)
    )
    html = user_client.get(reverse("worklog:dashboard")).content.decode()
    assert str(widget) in html
    assert "writing" in html and "Intro" in html
    assert 'data-elapsed-seconds="30' in html  # five minutes: 300 seconds or a little more


def out_of_band_swaps(html: str) -> dict[str, str]:
    """Each out-of-band element of an htmx answer: its id (or, for a swap into another element,
    the swap's target) and its hx-swap-oob value."""

    class Collector(HTMLParser):
        def __init__(self):
            super().__init__()
            self.swaps = {}

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if "hx-swap-oob" in attributes:
                swap = attributes["hx-swap-oob"]
                key = swap.partition(":")[2] if ":" in swap else f"#{attributes['id']}"
                self.swaps[key] = swap

    collector = Collector()
    collector.feed(html)
    return collector.swaps


def today_list(user) -> str:
    return f"#sessions-of-{timezone.localdate(timezone=user.zone):%Y-%m-%d}"


def test_start_by_htmx_sends_the_new_row_and_nothing_it_did_not_change(user_client, user):
    response = user_client.post(
        reverse("worklog:timer-start"), {"session_type": "dev", "notes": "x"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    session = WorkSession.objects.get()
    assert session.is_active and session.session_type == "dev"
    assert html.lstrip().startswith('<section id="active-session"')
    assert 'data-announcement="Timer started: no target."' in html
    # The new row goes on top of today's list, which is no longer empty; a start adds nothing
    # to the totals yet, and a start without a target leaves the recent targets as they are.
    # The header shows the running timer.
    empty_note = today_list(user).replace("#sessions-of-", "#no-sessions-on-")
    assert out_of_band_swaps(html) == {
        today_list(user): f"afterbegin:{today_list(user)}",
        empty_note: "delete",
        "#timer-header": "true",
    }
    assert f'id="session-{session.pk}"' in html and ">running<" in html


def test_stop_by_htmx_replaces_the_stopped_row_and_the_totals(user_client, user):
    session = start_session(user, started_at=ago(minutes=30))
    html = user_client.post(reverse("worklog:timer-stop"), headers=HTMX).content.decode()
    assert out_of_band_swaps(html) == {
        f"#session-{session.pk}": "true",
        "#totals": "true",
        "#timer-header": "true",
    }
    assert "No session running" in html
    assert ">30m<" in html  # the row's duration and today's total


def test_start_that_switches_replaces_the_switched_row_and_the_totals(
    user_client, user, widget, widget_target_type
):
    first = start_session(user, started_at=ago(minutes=20))
    html = user_client.post(
        reverse("worklog:timer-start"), {"target": f"testapp.widget:{widget.pk}"}, headers=HTMX
    ).content.decode()
    second = WorkSession.objects.active().get()
    swaps = out_of_band_swaps(html)
    assert swaps[f"#session-{first.pk}"] == "true"
    assert swaps[today_list(user)] == f"afterbegin:{today_list(user)}"
    assert swaps["#totals"] == "true"
    # Starting on a target makes it the most recent one.
    assert swaps["#recent-targets"] == "true"
    assert f'id="session-{second.pk}"' in html
    assert "Switched to another session" in html


def test_stop_with_another_session_still_running_shows_that_one(user_client, user):
    older = start_session(user, started_at=ago(hours=2), notes="older")
    start_session(user, started_at=ago(hours=1), stop_existing=False, notes="newer")
    html = user_client.post(reverse("worklog:timer-stop"), headers=HTMX).content.decode()
    assert WorkSession.objects.active().get() == older
    assert "Running" in html and "older" in html


def test_start_without_htmx_redirects_to_dashboard(user_client, user):
    response = user_client.post(reverse("worklog:timer-start"), {})
    assert response.status_code == 302
    assert response["Location"] == reverse("worklog:dashboard")
    assert WorkSession.objects.active().count() == 1


def test_start_on_target_switches_from_running_session(
    user_client, user, widget, widget_target_type
):
    first = start_session(user, started_at=ago(minutes=20))
    key = f"testapp.widget:{widget.pk}"
    response = user_client.post(reverse("worklog:timer-start"), {"target": key}, headers=HTMX)
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.end_reason == EndReason.SWITCHED
    assert WorkSession.objects.active().get().target == widget


def test_start_on_unregistered_target_is_404(user_client, user, widget, empty_target_registry):
    key = f"testapp.widget:{widget.pk}"
    response = user_client.post(reverse("worklog:timer-start"), {"target": key}, headers=HTMX)
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="active-session"' in html  # a fragment htmx can swap in
    assert "That is not something you can time." in html
    assert user_client.post(reverse("worklog:timer-start"), {"target": key}).status_code == 404
    assert not WorkSession.objects.exists()


def test_start_on_target_hidden_by_visible_to_is_404(
    user_client, user, widget, empty_target_registry
):
    from worklog.targets import TargetType, register_target_type, unregister_target_type

    register_target_type(
        TargetType(Widget, "Widget", ("name",), lambda user: Widget.objects.none())
    )
    try:
        response = user_client.post(
            reverse("worklog:timer-start"), {"target": f"testapp.widget:{widget.pk}"}
        )
    finally:
        unregister_target_type(Widget)
    assert response.status_code == 404
    assert not WorkSession.objects.exists()


def test_stop_by_htmx(user_client, user):
    start_session(user, started_at=ago(minutes=3))
    response = user_client.post(reverse("worklog:timer-stop"), {"notes": "done"}, headers=HTMX)
    assert response.status_code == 200
    assert "Timer stopped after 3 minutes." in response.content.decode()
    session = WorkSession.objects.get()
    assert not session.is_active and session.notes == "done"


def test_stop_after_one_minute_says_one_minute(user_client, user):
    start_session(user, started_at=ago(seconds=90))
    response = user_client.post(reverse("worklog:timer-stop"), headers=HTMX)
    assert "Timer stopped after 1 minute." in response.content.decode()


def test_week_chart_shows_a_day_with_one_minute_in_minutes(user_client, user):
    start_session(user, started_at=ago(seconds=70))
    stop_session(user)
    html = user_client.get(reverse("worklog:dashboard")).content.decode()
    chart = html.split('id="week-chart-title"')[1].split("</svg>")[0]
    assert ">0.0<" not in chart and "0.0 hours" not in chart
    assert ">1m<" in chart and ": 1 minute<" in chart


def test_stop_with_nothing_running_says_so(user_client):
    response = user_client.post(reverse("worklog:timer-stop"), headers=HTMX)
    assert response.status_code == 200
    assert "No session is running." in response.content.decode()


def test_toggle_starts_then_stops(user_client, user):
    user_client.post(reverse("worklog:timer-toggle"), headers=HTMX)
    assert WorkSession.objects.active().count() == 1
    user_client.post(reverse("worklog:timer-toggle"), headers=HTMX)
    assert WorkSession.objects.active().count() == 0
    assert WorkSession.objects.count() == 1


def test_target_search_finds_registered_targets(user_client, widget, widget_target_type):
    unrelated = Widget.objects.create(name="Unrelated")
    response = user_client.get(reverse("worklog:timer-targets"), {"q": "quarter"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert str(widget) in html and str(unrelated.pk) not in html
    assert f"testapp.widget:{widget.pk}" in html
    empty = user_client.get(reverse("worklog:timer-targets"), {"q": "zzz"}, headers=HTMX)
    assert "Nothing matches" in empty.content.decode()


def test_target_search_with_a_nul_character_is_not_an_error(
    user_client, widget, widget_target_type
):
    """PostgreSQL refuses NUL in text: the character is dropped rather than answered with 500."""
    response = user_client.get(reverse("worklog:timer-targets"), {"q": "quar\x00ter"}, headers=HTMX)
    assert response.status_code == 200
    assert str(widget) in response.content.decode()


def test_recent_targets_offer_one_click_switching(user_client, user, widget, widget_target_type):
    start_session(user, target=widget, started_at=ago(hours=1))
    stop_session(user)
    html = user_client.get(reverse("worklog:dashboard")).content.decode()
    assert 'id="recent-targets"' in html
    assert f'data-target-key="testapp.widget:{widget.pk}"' in html


def test_today_list_and_totals(user_client, user):
    start_session(user, started_at=ago(minutes=50))
    stop_session(user, stopped_at=ago(minutes=20))
    html = user_client.get(reverse("worklog:dashboard")).content.decode()
    assert 'data-testid="today-sessions"' in html
    assert ">30m<" in html  # the session's duration and today's total


def test_long_running_session_is_flagged_and_stopped_in_one_step(user_client, user):
    session = start_session(user, started_at=ago(hours=11))
    html = user_client.get(reverse("worklog:dashboard")).content.decode()
    assert 'data-testid="long-running"' in html
    stop_at = timezone.localtime(ago(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = user_client.post(
        reverse("worklog:session-stop-at", args=[session.pk]), {"stopped_at": stop_at}, headers=HTMX
    )
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.end_reason == EndReason.CORRECTED
    assert 7 * 3600 + 3500 <= session.duration_seconds <= 8 * 3600 + 60


def test_long_running_limit_defaults_to_ten_hours_and_is_configurable(user_client, user, settings):
    start_session(user, started_at=ago(hours=9, minutes=50))
    dashboard = reverse("worklog:dashboard")
    assert 'data-testid="long-running"' not in user_client.get(dashboard).content.decode()
    settings.WORKLOG_LONG_SESSION_HOURS = 2
    assert 'data-testid="long-running"' in user_client.get(dashboard).content.decode()


def test_correction_page_saves_and_refuses_bad_times(user_client, user):
    session = start_session(user, started_at=ago(hours=3))
    stop_session(user, stopped_at=ago(hours=2))
    url = reverse("worklog:session-edit", args=[session.pk])
    assert user_client.get(url).status_code == 200

    def local(value):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")

    bad = {
        "started_at": local(ago(hours=2)),
        "stopped_at": local(ago(hours=3)),
        "effective_at": local(ago(hours=2)),
        "target": "",
        "session_type": "",
        "notes": "",
    }
    response = user_client.post(url, bad)
    assert response.status_code == 422
    assert "The stop must be after the start." in response.content.decode()
    good = {**bad, "started_at": local(ago(hours=4)), "stopped_at": local(ago(hours=3))}
    assert user_client.post(url, good).status_code == 302
    session.refresh_from_db()
    assert session.end_reason == EndReason.CORRECTED


def test_delete_offers_undo_and_restore_brings_it_back(user_client, user):
    session = start_session(user, started_at=ago(hours=2))
    stop_session(user, stopped_at=ago(hours=1))
    response = user_client.post(reverse("worklog:session-delete", args=[session.pk]), headers=HTMX)
    assert "Undo" in response.content.decode()
    assert not WorkSession.objects.exists()
    user_client.post(reverse("worklog:session-restore", args=[session.pk]), headers=HTMX)
    assert WorkSession.objects.get() == session


def test_stop_at_on_a_session_stopped_meanwhile_is_refused_with_a_message(user_client, user):
    """A stale dashboard (another tab stopped the session) offers a correction that no longer
    applies: the answer says so instead of failing."""
    session = start_session(user, started_at=ago(hours=12))
    stopped = stop_session(user, stopped_at=ago(hours=1))
    stop_at = timezone.localtime(ago(hours=3)).strftime("%Y-%m-%dT%H:%M")
    for headers in ({}, HTMX):
        response = user_client.post(
            reverse("worklog:session-stop-at", args=[session.pk]),
            {"stopped_at": stop_at},
            headers=headers,
            follow=True,
        )
        assert response.status_code == 200
        assert "already stopped" in response.content.decode()
    session.refresh_from_db()
    assert (session.stopped_at, session.end_reason) == (stopped.stopped_at, EndReason.STOPPED)


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_correction_at_the_ends_of_the_calendar_is_a_form_error(user_client, user, zone):
    user.time_zone = zone
    user.save()
    session = start_session(user, started_at=ago(hours=2))
    stop_session(user, stopped_at=ago(hours=1))
    started_at = session.started_at
    response = user_client.post(
        reverse("worklog:session-edit", args=[session.pk]),
        {
            "started_at": "0001-01-01T00:00",
            "stopped_at": timezone.localtime(ago(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "effective_at": "0001-01-01T00:00",
        },
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "between the years" in response.content.decode()
    session.refresh_from_db()
    assert session.started_at == started_at


def test_sessions_are_hidden_from_other_users(user, assert_hidden_from_other_user):
    session = start_session(user, started_at=ago(hours=2))
    stop_session(user, stopped_at=ago(hours=1))
    assert_hidden_from_other_user(reverse("worklog:session-edit", args=[session.pk]))
    assert_hidden_from_other_user(
        reverse("worklog:session-stop-at", args=[session.pk]),
        method="post",
        data={"stopped_at": "2020-01-01T00:00"},
    )
    assert_hidden_from_other_user(
        reverse("worklog:session-delete", args=[session.pk]), method="post"
    )
    session.delete()
    assert_hidden_from_other_user(
        reverse("worklog:session-restore", args=[session.pk]), method="post"
    )
    assert WorkSession.all_objects.get(pk=session.pk).is_deleted


def test_start_with_too_long_type_is_refused_with_a_message(user_client):
    response = user_client.post(
        reverse("worklog:timer-start"), {"session_type": "x" * 101}, headers=HTMX
    )
    assert response.status_code == 200
    assert (
        "Could not start: Ensure this value has at most 100 characters" in response.content.decode()
    )
    assert not WorkSession.objects.exists()


def test_today_list_shows_the_latest_sessions_and_counts_the_earlier_ones(user_client, user):
    from worklog.timer.selectors import TODAY_LIST_LIMIT

    # A zone where it is now mid-day, so that all the sessions below fall on the user's today.
    user.time_zone = next(
        zone
        for zone in (f"Etc/GMT{offset:+d}" for offset in range(-12, 13))
        if 6 <= timezone.now().astimezone(ZoneInfo(zone)).hour < 18
    )
    user.save()
    count = TODAY_LIST_LIMIT + 5
    WorkSession.objects.bulk_create(
        WorkSession(
            user=user,
            started_at=timezone.now() - timedelta(minutes=count - index),
            stopped_at=timezone.now() - timedelta(minutes=count - index, seconds=-30),
            duration_seconds=30,
            end_reason="stopped",
        )
        for index in range(count)
    )
    html = user_client.get(reverse("worklog:dashboard")).content.decode()
    assert html.count("data-session=") == TODAY_LIST_LIMIT
    earlier = count - TODAY_LIST_LIMIT
    assert f"and {earlier} earlier session" in html
    everything = user_client.get(reverse("worklog:dashboard"), {"today": "all"}).content.decode()
    assert everything.count("data-session=") == count
    assert "earlier session" not in everything
