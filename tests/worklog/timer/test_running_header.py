"""Every page's header shows the running timer, and an open tab's cheap check tells it whether
the timer changed elsewhere."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from worklog.timer import services
from worklog.timer.running import STATE_TOKEN_SALT, state_token

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def header_of(html: str) -> str:
    match = re.search(r'<div id="timer-header".*?</form>', html, re.S)
    assert match, "no timer header on the page"
    return match.group(0)


def attribute(html: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', html).group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    "url",
    [
        reverse("worklog:journal"),
        reverse("worklog:timer-week"),
        reverse("catalog:catalog"),
        reverse("decisioning:decision-list"),
    ],
)
def test_every_page_shows_the_running_timer_with_a_stop_button(
    user_client, user, widget, widget_target_type, url
):
    services.start_session(user, target=widget, started_at=timezone.now() - timedelta(minutes=3))
    header = header_of(user_client.get(url).content.decode())
    assert str(widget) in header
    assert 'data-elapsed-seconds="18' in header  # three minutes: 180 seconds or a little more
    assert ">Stop</button>" in header


def test_an_idle_header_offers_to_start(user_client):
    header = header_of(user_client.get(reverse("worklog:journal")).content.decode())
    assert "No timer running" in header and ">Start</button>" in header


def test_the_headers_toggle_answers_with_the_header_off_the_dashboard(user_client, user):
    response = user_client.post(reverse("worklog:timer-toggle"), {"answer": "header"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="timer-header"')
    assert "Timer started" in html and ">Stop</button>" in html
    assert services.get_active_session(user) is not None
    response = user_client.post(reverse("worklog:timer-toggle"), {"answer": "header"}, headers=HTMX)
    assert "Timer stopped" in response.content.decode()
    assert services.get_active_session(user) is None


def test_the_dashboards_header_toggles_the_whole_panel(user_client):
    header = header_of(user_client.get(reverse("worklog:dashboard")).content.decode())
    assert 'hx-target="#active-session"' in header and 'name="answer"' not in header


def check(client: Client, state_url: str, version: str | None = None):
    headers = {"If-None-Match": f'"{version}"'} if version else {}
    return client.get(state_url, headers=headers)


def test_state_is_304_in_one_query_while_nothing_changed(
    user_client, user, django_assert_max_num_queries
):
    services.start_session(user)
    page = user_client.get(reverse("worklog:journal")).content.decode()
    state_url, version = attribute(page, "data-state-url"), attribute(page, "data-timer-version")
    # The check carries no cookie: the token names the user.
    anonymous = Client()
    with django_assert_max_num_queries(1):
        response = check(anonymous, state_url, version)
    assert response.status_code == 304
    assert response["Cache-Control"] == "private, no-cache"


def test_state_answers_a_new_version_after_a_change_elsewhere(user_client, user):
    page = user_client.get(reverse("worklog:journal")).content.decode()
    state_url, version = attribute(page, "data-state-url"), attribute(page, "data-timer-version")
    assert version == "idle"
    running = services.start_session(user)
    started = check(Client(), state_url, version)
    assert started.status_code == 200
    new_version = started.json()["version"]
    assert new_version != version
    # The header of a fresh page carries the same version the check answers.
    fresh = user_client.get(reverse("worklog:journal")).content.decode()
    assert attribute(fresh, "data-timer-version") == new_version
    services.move_running_start(
        session=running, started_at=running.started_at - timedelta(minutes=5)
    )
    assert check(Client(), state_url, new_version).status_code == 200
    services.stop_session(user)
    assert check(Client(), state_url, new_version).json()["version"] == "idle"


def test_state_refuses_a_forged_expired_or_outdated_token(user, other_user):
    url = reverse("worklog:timer-state")
    forged = signing.dumps({"u": user.pk, "h": "0" * 16}, salt=STATE_TOKEN_SALT)
    for token in ("", "nonsense", forged):
        response = Client().get(url, {"token": token})
        assert response.status_code == 403
        assert response.json()["code"] == "invalid_token"
    token = state_token(user)
    assert Client().get(url, {"token": token}).status_code == 200
    user.set_password("a new password")
    user.save()
    assert Client().get(url, {"token": token}).status_code == 403


def test_state_token_of_one_user_tells_nothing_of_another(user, other_user):
    services.start_session(other_user)
    response = Client().get(reverse("worklog:timer-state"), {"token": state_token(user)})
    assert response.json()["version"] == "idle"


def test_the_toggle_answer_carries_the_new_version_for_other_tabs(user_client, user):
    before = attribute(
        user_client.get(reverse("worklog:journal")).content.decode(), "data-timer-version"
    )
    html = user_client.post(
        reverse("worklog:timer-toggle"), {"answer": "header"}, headers=HTMX
    ).content.decode()
    assert attribute(html, "data-timer-version") not in (before, "idle")


def test_state_token_is_renewed_before_it_expires_and_refused_after(user, monkeypatch):
    import time

    from worklog.timer.running import STATE_TOKEN_MAX_AGE, STATE_TOKEN_REISSUE_SECONDS

    url = reverse("worklog:timer-state")
    token = state_token(user)
    assert state_token(user) == token  # the same within its period
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + STATE_TOKEN_REISSUE_SECONDS)
    renewed = state_token(user)
    assert renewed != token
    assert Client().get(url, {"token": token}).status_code == 200
    monkeypatch.setattr(time, "time", lambda: now + STATE_TOKEN_MAX_AGE + 1)
    assert Client().get(url, {"token": token}).status_code == 403
    assert Client().get(url, {"token": renewed}).status_code == 200
    assert Client().get(url, {"token": state_token(user)}).status_code == 200
