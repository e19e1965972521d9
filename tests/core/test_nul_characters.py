"""A NUL character in any field of a web form is refused with 400 and a message, before any view
runs: nothing is written, not even the form's idempotency key (PostgreSQL cannot store NUL)."""

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from decisioning.models import Decision, IdempotencyKey
from worklog.models import SOP, WorkLog, WorkLogPreset, WorkLogReport

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def forms(user):
    user_type = ContentType.objects.get_for_model(user).pk
    return [
        (reverse("worklog:sop-create"), {"title": "\x00"}),
        (reverse("worklog:journal-entry"), {"title": "Call\x00", "content": "x"}),
        (reverse("worklog:journal-presets"), {"name": "\x00"}),
        (reverse("worklog:journal-reports"), {"kind": "weekly", "title": "\x00"}),
        (reverse("core:profile"), {"first_name": "\x00", "time_zone": "UTC"}),
        (
            reverse("decisioning:record-decision", args=[user_type, user.pk]),
            {"decision_type": "access", "outcome": "approved", "reason": "\x00"},
        ),
        (reverse("worklog:sop-create"), {"title\x00": "Lockout"}),
    ]


def stored(user) -> tuple:
    user.refresh_from_db()
    return (
        SOP.all_objects.count(),
        WorkLog.all_objects.count(),
        WorkLogPreset.objects.count(),
        WorkLogReport.objects.count(),
        Decision.all_objects.count(),
        IdempotencyKey.objects.count(),
        user.first_name,
    )


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["form", "htmx"])
def test_a_nul_character_in_any_form_is_a_400_that_writes_nothing(user_client, user, headers):
    before = stored(user)
    for url, data in forms(user):
        data = {**data, "idempotency_key": str(uuid.uuid4())}
        response = user_client.post(url, data, headers=headers)
        assert response.status_code == 400, url
        body = response.content.decode()
        assert "holds a NUL character" in body, url
        assert "\x00" not in body, url
    assert stored(user) == before


def test_a_form_without_nul_still_reaches_its_view(user_client):
    response = user_client.post(reverse("worklog:sop-create"), {"title": "Lockout"})
    assert response.status_code == 302
    assert SOP.objects.get().title == "Lockout"
