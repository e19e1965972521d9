"""The week page, the day page and adding forgotten time, as a signed-in user uses them."""

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.testapp.models import Widget
from worklog.timer import services
from worklog.timer.forms import parse_duration
from worklog.timer.models import EndReason, WorkSession

pytestmark = pytest.mark.django_db

WEEK = reverse("worklog:timer-week")
DAY = reverse("worklog:timer-day")
ADD = reverse("worklog:session-add")
HTMX_HEADERS = {"HX-Request": "true"}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


MONDAY = date(2026, 11, 23)


@pytest.fixture
def week_of_work(user):
    return [
        services.add_session(user=user, started_at=at(MONDAY, 9), stopped_at=at(MONDAY, 10)),
        services.add_session(
            user=user,
            started_at=at(MONDAY + timedelta(days=2), 13),
            stopped_at=at(MONDAY + timedelta(days=2), 14, 30),
            session_type="review",
            notes="Pull request 7",
        ),
    ]


def local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("url", [WEEK, DAY, ADD])
def test_timesheet_pages_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


def test_week_page_shows_the_grid_and_the_sessions_day_by_day(user_client, week_of_work):
    response = user_client.get(WEEK, {"date": "2026-11-25"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Week of 23 Nov – 29 Nov 2026" in html
    assert 'data-testid="week-total">2:30<' in html
    assert 'data-testid="day-2026-11-23"' in html and 'data-testid="day-2026-11-25"' in html
    assert "Pull request 7" in html and "review" in html
    assert f'href="{DAY}?date=2026-11-25"' in html
    assert (
        'href="/timer/week/?date=2026-11-16"' in html
        and 'href="/timer/week/?date=2026-11-30"' in html
    )


def test_week_page_starts_on_the_users_first_day(user_client, user, week_of_work):
    user.week_start = 6
    user.save()
    html = user_client.get(WEEK, {"date": "2026-11-25"}).content.decode()
    assert "Week of 22 Nov – 28 Nov 2026" in html


def test_week_page_defaults_to_this_week(user_client):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    assert f"Week of {monday:%-d %b}" in user_client.get(WEEK).content.decode()


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "0001-01-01", "9999-12-31"])
def test_a_bad_date_is_a_400_that_says_why(user_client, value):
    for url in (WEEK, DAY):
        response = user_client.get(url, {"date": value})
        assert response.status_code == 400
        assert b"YYYY-MM-DD" in response.content


def test_another_users_sessions_are_not_shown(user_client, other_user):
    services.add_session(
        user=other_user, started_at=at(MONDAY, 9), stopped_at=at(MONDAY, 10), notes="Secret"
    )
    html = user_client.get(WEEK, {"date": "2026-11-23"}).content.decode()
    assert "Secret" not in html
    assert 'data-testid="week-total">0:00<' in html


def test_day_page_shows_the_timeline_and_the_days_sessions(user_client, week_of_work):
    html = user_client.get(DAY, {"date": "2026-11-25"}).content.decode()
    assert 'data-testid="day-total">1:30<' in html
    assert "<svg" in html and "13:00–14:30" in html
    assert "Pull request 7" in html
    assert f'href="{WEEK}?date=2026-11-25"' in html


@pytest.mark.parametrize("url", [WEEK, DAY])
def test_query_count_does_not_grow_with_the_sessions(
    user_client, user, url, django_assert_max_num_queries, widget_target_type
):
    widgets = [Widget.objects.create(name=f"W{n}") for n in range(3)]

    def fill(count):
        WorkSession.objects.filter(user=user).delete()
        start = at(MONDAY, 0)
        length = timedelta(days=1) / (count // 7 + 1)
        WorkSession.objects.bulk_create(
            WorkSession(
                user=user,
                target=widgets[n % 3],
                started_at=start + n * length,
                stopped_at=start + (n + 1) * length,
                effective_at=start + n * length,
                duration_seconds=int(length.total_seconds()),
                end_reason=EndReason.STOPPED,
            )
            for n in range(count)
        )

    # The week page also reads the week's approval: the week, its decisions, and, for a team
    # member, last week for the reminder (worklog.teams.selectors.week_panel).
    limit = 8 if url == DAY else 12
    counts = []
    for size in (10, 1000):
        fill(size)
        with django_assert_max_num_queries(limit) as captured:
            assert user_client.get(url, {"date": "2026-11-25"}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_delete_from_the_week_offers_undo_and_undo_restores(user_client, week_of_work):
    session = week_of_work[0]
    here = f"{WEEK}?date=2026-11-23"
    response = user_client.post(
        reverse("worklog:session-delete", args=[session.pk]), {"next": here}
    )
    assert response.status_code == 302
    assert parse_qs(urlparse(response["Location"]).query)["deleted"] == [str(session.pk)]
    page = user_client.get(response["Location"]).content.decode()
    assert 'data-testid="undo-delete"' in page
    assert not WorkSession.objects.filter(pk=session.pk).exists()
    restore = user_client.post(
        reverse("worklog:session-restore", args=[session.pk]), {"next": here}
    )
    assert restore.status_code == 302 and restore["Location"] == here
    assert WorkSession.objects.filter(pk=session.pk).exists()


def test_next_must_stay_on_this_site(user_client, week_of_work):
    response = user_client.post(
        reverse("worklog:session-delete", args=[week_of_work[0].pk]),
        {"next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("worklog:dashboard")


def test_continue_starts_the_same_work_and_returns_to_the_week(user_client, user, week_of_work):
    here = f"{WEEK}?date=2026-11-23"
    response = user_client.post(
        reverse("worklog:session-continue", args=[week_of_work[1].pk]), {"next": here}
    )
    assert response.status_code == 302 and response["Location"] == here
    running = WorkSession.objects.for_user(user).active().get()
    assert (running.session_type, running.notes) == ("review", "Pull request 7")


def test_duplicate_prefills_the_add_form_with_a_copy(user_client, week_of_work):
    html = user_client.get(ADD, {"duplicate": week_of_work[1].pk}).content.decode()
    assert 'value="review"' in html and "Pull request 7" in html
    assert f'value="{local(week_of_work[1].started_at)}"' in html


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1:30", 90),
        ("90m", 90),
        ("90 min", 90),
        ("1.5h", 90),
        ("1,5 h", 90),
        ("2h 15m", 135),
        ("45", 45),
        ("2 hours", 120),
    ],
)
def test_durations_people_write(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "abc", "1:75", "-5m", "1.5.5h"])
def test_durations_that_are_not(text):
    assert parse_duration(text) is None


def test_add_time_with_a_duration(user_client, user, widget, widget_target_type):
    start = timezone.now() - timedelta(hours=3)
    response = user_client.post(
        ADD,
        {
            "started_at": local(start),
            "duration": "1:30",
            "target": f"testapp.widget:{widget.pk}",
            "session_type": "writing",
            "notes": "Forgot",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(WEEK)
    session = WorkSession.objects.for_user(user).get()
    assert session.target == widget
    assert session.duration_seconds == 90 * 60
    assert (session.session_type, session.notes) == ("writing", "Forgot")


def test_add_time_overlap_names_the_session_and_trims_on_request(user_client, user):
    minute = timezone.now().replace(second=0, microsecond=0)
    earlier = services.add_session(
        user=user, started_at=minute - timedelta(hours=4), stopped_at=minute - timedelta(hours=2)
    )
    data = {
        "started_at": local(earlier.started_at + timedelta(hours=1)),
        "stopped_at": local(earlier.stopped_at + timedelta(hours=1)),
    }
    response = user_client.post(ADD, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "This would overlap your session" in html
    assert timezone.localtime(earlier.started_at).strftime("%H:%M") in html
    assert "Trim and add" in html
    assert WorkSession.objects.count() == 1
    response = user_client.post(ADD, {**data, "trim_overlapping": "on"})
    assert response.status_code == 302
    earlier.refresh_from_db()
    assert WorkSession.objects.count() == 2
    assert earlier.stopped_at == earlier.started_at + timedelta(hours=1)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"stopped_at": "same"}, "The stop must be after the start."),
        ({"duration": "0"}, "The stop must be after the start."),
        ({"stopped_at": "future"}, "The stop must not be in the future."),
        ({}, "Give the stop, or how long it lasted."),
        ({"stopped_at": "same", "duration": "1h"}, "either the stop or the duration"),
        ({"duration": "soon"}, "Give a duration like 1:30, 90m or 1.5h."),
        (
            {"duration": "1h", "target": "testapp.widget:not-a-uuid"},
            "Choose something you can time.",
        ),
    ],
)
def test_add_time_refuses_bad_entries_and_saves_nothing(user_client, fields, problem):
    start = timezone.now() - timedelta(hours=3)
    data = {"started_at": local(start)}
    for name, value in fields.items():
        data[name] = {
            "same": local(start),
            "future": local(timezone.now() + timedelta(hours=2)),
        }.get(value, value)
    response = user_client.post(ADD, data)
    assert response.status_code == 422
    assert problem in response.content.decode()
    assert not WorkSession.objects.exists()


def test_the_picker_searches_every_target_and_keeps_the_chosen_one(user_client, widget_target_type):
    chosen = Widget.objects.create(name="Quarterly report")
    Widget.objects.create(name="Annual report")
    Widget.objects.create(name="Holiday plan")
    response = user_client.get(
        reverse("worklog:timer-targets"),
        {"choose": "1", "q": "report", "target": f"testapp.widget:{chosen.pk}"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('type="radio"') == 3  # no target, the chosen one, the other match
    assert re.search(rf'value="testapp.widget:{chosen.pk}"\s+checked', html)
    assert "Annual report" not in html or "Holiday plan" not in html
    assert "Holiday plan" not in html


def test_correction_can_pick_a_target_found_by_search(user_client, user, widget_target_type):
    old = Widget.objects.create(name="Old")
    found = Widget.objects.create(name="Found by search")
    session = services.add_session(
        user=user,
        started_at=timezone.now() - timedelta(hours=3),
        stopped_at=timezone.now() - timedelta(hours=2),
        target=old,
    )
    url = reverse("worklog:session-edit", args=[session.pk])
    page = user_client.get(url).content.decode()
    assert re.search(rf'value="testapp.widget:{old.pk}"\s+checked', page)
    response = user_client.post(
        url,
        {
            "started_at": local(session.started_at),
            "stopped_at": local(session.stopped_at),
            "effective_at": local(session.started_at),
            "target": f"testapp.widget:{found.pk}",
            "next": f"{WEEK}?date=2026-11-23",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{WEEK}?date=2026-11-23"
    session.refresh_from_db()
    assert session.target == found


def test_move_start_shifts_the_running_session(user_client, user):
    running = services.start_session(user, started_at=timezone.now() - timedelta(minutes=20))
    url = reverse("worklog:session-move-start", args=[running.pk])
    assert user_client.post(url, {"shift_minutes": "-5"}).status_code == 302
    running.refresh_from_db()
    assert timezone.now() - running.started_at > timedelta(minutes=24)
    response = user_client.post(
        url,
        {"started_at": local(timezone.now() + timedelta(hours=1))},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "future" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "method"),
    [("session-continue", "post"), ("session-move-start", "post"), ("session-edit", "get")],
)
def test_another_users_session_is_404(
    user, other_user, assert_hidden_from_other_user, name, method
):
    session = services.add_session(
        user=user,
        started_at=timezone.now() - timedelta(hours=3),
        stopped_at=timezone.now() - timedelta(hours=2),
    )
    assert_hidden_from_other_user(reverse(f"worklog:{name}", args=[session.pk]), method=method)


def test_duplicating_another_users_session_copies_nothing(user_client, other_user):
    theirs = services.add_session(
        user=other_user,
        started_at=timezone.now() - timedelta(hours=3),
        stopped_at=timezone.now() - timedelta(hours=2),
        notes="Their notes",
    )
    html = user_client.get(ADD, {"duplicate": theirs.pk}).content.decode()
    assert "Their notes" not in html


def test_dashboard_quick_buttons_move_the_running_start(user_client, user):
    running = services.start_session(user, started_at=timezone.now() - timedelta(minutes=20))
    html = user_client.get(reverse("worklog:dashboard")).content.decode()
    assert 'data-testid="move-start"' in html
    url = reverse("worklog:session-move-start", args=[running.pk])
    # The buttons post their shift together with the start field's current value.
    response = user_client.post(
        url, {"shift_minutes": "5", "started_at": local(running.started_at)}, headers=HTMX_HEADERS
    )
    assert response.status_code == 200
    assert "Start moved." in response.content.decode()
    moved = WorkSession.objects.get(pk=running.pk)
    assert moved.started_at == running.started_at + timedelta(minutes=5)
    assert user_client.post(url, {}, headers=HTMX_HEADERS).status_code == 422


def test_dashboard_links_to_the_week_the_day_and_add_time(user_client):
    html = user_client.get(reverse("worklog:dashboard")).content.decode()
    for url in (WEEK, DAY, ADD):
        assert f'href="{url}"' in html


def duplicate_ids(html: str) -> list[str]:
    ids = re.findall(r'\sid="([^"]+)"', html)
    return sorted({value for value in ids if ids.count(value) > 1})


def test_no_timer_page_has_duplicate_ids(user_client, user, week_of_work):
    """The correction page holds its form and the decision panel's: each keeps its own ids."""
    services.start_session(user)
    urls = [
        reverse("worklog:dashboard"),
        f"{WEEK}?date=2026-11-23",
        f"{DAY}?date=2026-11-25",
        ADD,
        reverse("worklog:session-edit", args=[week_of_work[0].pk]),
    ]
    for url in urls:
        assert duplicate_ids(user_client.get(url).content.decode()) == [], url
