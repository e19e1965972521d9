"""The timer's forms are idempotent: a double click or a resubmitted form (one Idempotency-Key)
acts once and the second response replays the first; the keyboard toggle sends a new key per
key press, so each press acts."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from decisioning.http import IDEMPOTENCY_FIELD, IDEMPOTENCY_HEADER, REPLAYED_HEADER
from worklog.models import EndReason, WorkSession
from worklog.services import get_active_session, start_session, stop_session

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
KEY_FIELD = re.compile(rf'name="{IDEMPOTENCY_FIELD}" value="([^"]+)"')


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def post_twice(client, url, data=None, headers=HTMX):
    data = {**(data or {}), IDEMPOTENCY_FIELD: str(uuid.uuid4())}
    return client.post(url, data, headers=headers), client.post(url, data, headers=headers)


def assert_replayed(first, second):
    assert REPLAYED_HEADER not in first
    assert second[REPLAYED_HEADER] == "true"
    assert second.status_code == first.status_code
    assert first.content.startswith(second.content)


def test_start_twice_with_one_key_starts_one_session(user_client, user):
    first, second = post_twice(user_client, reverse("worklog:timer-start"), {"notes": "n"})
    assert_replayed(first, second)
    assert WorkSession.objects.count() == 1


def test_double_click_on_the_toggle_toggles_once(user_client, user):
    first, second = post_twice(user_client, reverse("worklog:timer-toggle"))
    assert_replayed(first, second)
    assert get_active_session(user) is not None
    assert WorkSession.objects.count() == 1


def test_keyboard_toggle_with_a_new_key_per_press_toggles_each_time(user_client, user):
    url = reverse("worklog:timer-toggle")
    for _ in range(2):
        key = f'"{uuid.uuid4()}"'
        response = user_client.post(url, headers={**HTMX, IDEMPOTENCY_HEADER: key})
        assert REPLAYED_HEADER not in response
    session = WorkSession.objects.get()
    assert not session.is_active and session.end_reason == EndReason.STOPPED


def test_stop_twice_with_one_key_stops_once(user_client, user):
    start_session(user, started_at=ago(minutes=30))
    first, second = post_twice(user_client, reverse("worklog:timer-stop"))
    assert_replayed(first, second)
    assert "No session is running" not in second.content.decode()


def test_stop_at_delete_and_restore_replay(user_client, user):
    session = start_session(user, started_at=ago(hours=11))
    url = reverse("worklog:session-stop-at", args=[session.pk])
    assert_replayed(*post_twice(user_client, url, {"stopped_at": local(ago(hours=3))}))
    assert WorkSession.objects.get().end_reason == EndReason.CORRECTED
    assert_replayed(*post_twice(user_client, reverse("worklog:session-delete", args=[session.pk])))
    assert_replayed(*post_twice(user_client, reverse("worklog:session-restore", args=[session.pk])))
    assert WorkSession.objects.get() == session


def test_resubmitted_correction_corrects_once(user_client, user):
    session = start_session(user, started_at=ago(hours=3))
    stop_session(user, stopped_at=ago(hours=2))
    data = {
        "started_at": local(ago(hours=4)),
        "stopped_at": local(ago(hours=3)),
        "effective_at": local(ago(hours=4)),
        "target": "",
        "session_type": "",
        "notes": "corrected",
    }
    url = reverse("worklog:session-edit", args=[session.pk])
    first, second = post_twice(user_client, url, data, headers={})
    assert first.status_code == 302
    assert_replayed(first, second)


def test_swapped_fragments_carry_new_keys(user_client, user):
    key = str(uuid.uuid4())
    response = user_client.post(
        reverse("worklog:timer-start"), {IDEMPOTENCY_FIELD: key}, headers=HTMX
    )
    keys = KEY_FIELD.findall(response.content.decode())
    assert keys and key not in keys


def test_every_post_form_of_the_timer_pages_carries_a_key(user_client, user):
    done = start_session(user, started_at=ago(hours=14))
    stop_session(user, stopped_at=ago(hours=13))
    start_session(user, started_at=ago(hours=11))
    response = user_client.post(reverse("worklog:session-delete", args=[done.pk]), headers=HTMX)
    pages = [
        response.content.decode(),
        user_client.get(reverse("worklog:dashboard")).content.decode(),
    ]
    stop_session(user)
    start_session(user, started_at=ago(hours=12))
    stop_session(user, stopped_at=ago(hours=11, minutes=30))
    edited = WorkSession.objects.filter(stopped_at__isnull=False).first()
    pages.append(
        user_client.get(reverse("worklog:session-edit", args=[edited.pk])).content.decode()
    )
    for html in pages:
        if '<main id="main"' in html:
            html = html[html.index('<main id="main"') :]
        forms = re.findall(r'<form method="post".*?</form>', html, re.S)
        assert forms
        for form in forms:
            assert f'name="{IDEMPOTENCY_FIELD}"' in form, form[:200]
