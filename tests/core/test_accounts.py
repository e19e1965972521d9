import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "worklog:dashboard",
        "worklog:procedures",
        "worklog:journal",
        "catalog:catalog",
        "catalog:work-queue",
        "decisioning:decision-list",
        "core:profile",
    ],
)
def test_every_page_requires_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('core:login')}?next={url}"


def test_login_page_is_public_and_styled(client):
    response = client.get(reverse("core:login"))
    assert response.status_code == 200
    assert b"Sign in to Worklog" in response.content
    assert b'name="username"' in response.content


def test_login_with_valid_credentials_redirects_home(client, user):
    response = client.post(reverse("core:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("worklog:dashboard")
    assert client.get(reverse("worklog:dashboard")).status_code == 200


def test_login_with_wrong_password_shows_form_error(client, user):
    response = client.post(reverse("core:login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_logout_requires_post_and_signs_out(user_client):
    assert user_client.get(reverse("core:logout")).status_code == 405
    response = user_client.post(reverse("core:logout"))
    assert response.status_code == 302
    assert user_client.get(reverse("worklog:dashboard")).status_code == 302


def test_repeated_failed_logins_are_throttled(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("core:login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_throttling_one_address_does_not_lock_out_the_account_elsewhere(client, user, settings):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        attacker.post(reverse("core:login"), {"username": "alice", "password": "wrong"})
    owner = Client(REMOTE_ADDR="198.51.100.7")
    response = owner.post(reverse("core:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_behind_a_proxy_throttling_one_address_does_not_lock_out_a_colleague(user, settings):
    """Every request reaches the app from the proxy's own address: the client's is the one the
    proxy appended to X-Forwarded-For (entries further left can be forged)."""
    settings.PROXY_COUNT = 1
    proxy = "10.0.0.2"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        attacker.post(reverse("core:login"), {"username": "alice", "password": "wrong"})
    locked = attacker.post(reverse("core:login"), {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = colleague.post(reverse("core:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.2"),
    ],
)
def test_client_ip_counts_proxies_from_the_right(rf, settings, proxies, forwarded, expected):
    from core.network import client_ip

    settings.PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_profile_sets_time_zone(user_client, user):
    response = user_client.post(
        reverse("core:profile"),
        {
            "first_name": "Alice",
            "last_name": "A",
            "email": "a@example.com",
            "time_zone": "Europe/Berlin",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.time_zone == "Europe/Berlin"
    page = user_client.get(reverse("core:profile"))
    assert b"Europe/Berlin" in page.content
    assert b"Profile saved." in page.content


def test_profile_rejects_unknown_time_zone(user_client, user):
    response = user_client.post(
        reverse("core:profile"),
        {"first_name": "", "last_name": "", "email": "", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    user.refresh_from_db()
    assert user.time_zone == ""


def test_times_are_stored_utc_and_shown_in_user_zone(user_client, user, rf):
    user.time_zone = "Asia/Tokyo"
    user.save()
    seen = {}

    def capture(request):
        seen["zone"] = timezone.get_current_timezone()
        from django.http import HttpResponse

        return HttpResponse()

    from core.middleware import UserTimeZoneMiddleware

    request = rf.get("/")
    request.user = user
    UserTimeZoneMiddleware(capture)(request)
    assert seen["zone"] == zoneinfo.ZoneInfo("Asia/Tokyo")
    # After the request the default zone is back, and stored values are UTC.
    assert timezone.get_current_timezone() == timezone.get_default_timezone()
    assert user.date_joined.utcoffset().total_seconds() == 0


def test_navigation_lists_every_section(user_client):
    response = user_client.get(reverse("worklog:dashboard"))
    labels = [item["label"] for item in response.context["nav_items"]]
    assert labels == [
        "Timer",
        "Week",
        "Procedures",
        "Journal",
        "Catalog",
        "Work queue",
        "Decisions",
    ]
    current = [item["label"] for item in response.context["nav_items"] if item["current"]]
    assert current == ["Timer"]


def test_navigation_shows_admin_to_staff(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("catalog:work-queue"))
    items = response.context["nav_items"]
    assert items[-1]["label"] == "Admin"
    assert [item["label"] for item in items if item["current"]] == ["Work queue"]


def test_profile_sets_the_first_day_of_the_week(user_client, user):
    assert user.week_start == 0
    response = user_client.post(
        reverse("core:profile"),
        {"first_name": "", "last_name": "", "email": "", "time_zone": "", "week_start": "6"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.week_start == 6
    page = user_client.get(reverse("core:profile"))
    assert re.search(rb'<option value="6"\s+selected\s*>Sunday', page.content)


def test_profile_refuses_an_unknown_first_day(user_client, user):
    response = user_client.post(
        reverse("core:profile"),
        {"first_name": "", "last_name": "", "email": "", "time_zone": "", "week_start": "7"},
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    user.refresh_from_db()
    assert user.week_start == 0


def test_navigation_marks_each_section_and_shows_admin_only_to_staff_once_rendered(
    client, user, admin_user
):
    """The navigation is rendered once per process for each section and kind of user: the
    copies must not leak into one another."""

    def navigation(url: str) -> tuple[list[str], str]:
        html = client.get(url).content.decode()
        nav = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S).group(0)
        current = re.search(r'aria-current="page">([^<]+)<', nav).group(1)
        return re.findall(r">([^<>]+)</a>", nav), current

    for _ in range(2):
        client.force_login(user)
        labels, current = navigation(reverse("worklog:dashboard"))
        assert (current, "Admin" in labels) == ("Timer", False)
        assert navigation(reverse("catalog:work-queue"))[1] == "Work queue"
        client.force_login(admin_user)
        labels, current = navigation(reverse("worklog:dashboard"))
        assert (current, "Admin" in labels) == ("Timer", True)
        html = client.get(reverse("worklog:journal")).content.decode()
        assert "Go to Admin" in html
        client.force_login(user)
        assert "Go to Admin" not in client.get(reverse("worklog:journal")).content.decode()
