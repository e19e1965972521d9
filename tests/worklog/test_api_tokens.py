"""API tokens on the profile page: created, shown once, listed, revoked; stored hashed."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from core.models import ApiToken
from core.services import create_api_token, hash_api_token, user_for_api_token
from decisioning.models import IdempotencyKey

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_authenticates(user):
    token, secret = create_api_token(user=user, name="laptop")
    assert secret.startswith("wl_") and len(secret) > 40
    stored = ApiToken.objects.get()
    assert secret not in (stored.key_hash, stored.prefix, stored.name)
    assert stored.key_hash == hash_api_token(secret)
    assert user_for_api_token(secret) == user
    assert user_for_api_token(secret + "x") is None


def test_inactive_user_token_does_not_authenticate(user):
    _, secret = create_api_token(user=user, name="laptop")
    user.is_active = False
    user.save()
    assert user_for_api_token(secret) is None


def test_profile_creates_token_and_shows_secret_once(user_client, user):
    response = user_client.post(reverse("core:api-token-create"), {"name": "Laptop hotkey"})
    assert response.status_code == 200
    html = response.content.decode()
    secret = response.context["new_token_secret"]
    assert secret in html and "will not be shown again" in html
    assert "curl -fsS -X POST" in html
    page = user_client.get(reverse("core:profile")).content.decode()
    assert "Laptop hotkey" in page and secret not in page
    assert (
        Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/timer").status_code
        == 200
    )


def test_profile_refuses_token_without_name(user_client):
    response = user_client.post(reverse("core:api-token-create"), {"name": ""})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_revoke_token_from_profile(user_client, user):
    token, secret = create_api_token(user=user, name="old")
    response = user_client.post(reverse("core:api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_api_token(secret) is None
    assert (
        "old"
        not in user_client.get(reverse("core:profile")).content.decode().split("api-tokens")[1]
    )


def test_tokens_are_hidden_from_other_users(user, assert_hidden_from_other_user):
    token, secret = create_api_token(user=user, name="mine")
    assert_hidden_from_other_user(reverse("core:api-token-revoke", args=[token.pk]), method="post")
    assert user_for_api_token(secret) == user


# Resubmitting the profile's forms


def post_twice(client, url, data=None):
    data = {**(data or {}), "idempotency_key": str(uuid.uuid4())}
    return client.post(url, data), client.post(url, data)


def test_resubmitted_token_form_creates_one_token_and_does_not_show_the_secret_again(
    user_client, user
):
    first, second = post_twice(user_client, reverse("core:api-token-create"), {"name": "hotkey"})
    secret = first.context["new_token_secret"]
    assert first.status_code == 200 and secret in first.content.decode()
    assert second.status_code == 409
    assert second["Idempotent-Replayed"] == "true"
    assert "already created" in second.content.decode()
    assert secret not in second.content.decode()
    assert ApiToken.objects.filter(user=user).count() == 1
    # The secret is not kept with the key either: only its hash exists anywhere.
    assert not any(secret in str(row.result_data) for row in IdempotencyKey.objects.all())


def test_token_responses_are_never_cached(user_client):
    first, second = post_twice(user_client, reverse("core:api-token-create"), {"name": "hotkey"})
    for response in (first, second):
        assert "no-store" in response["Cache-Control"]


def test_resubmitted_invalid_token_form_replays_the_form_errors(user_client):
    first, second = post_twice(user_client, reverse("core:api-token-create"), {"name": ""})
    assert first.status_code == second.status_code == 422
    assert second["Idempotent-Replayed"] == "true"


def test_resubmitted_revoke_and_profile_forms_replay(user_client, user):
    token, _ = create_api_token(user=user, name="old")
    first, second = post_twice(user_client, reverse("core:api-token-revoke", args=[token.pk]))
    assert first.status_code == second.status_code == 302
    assert second["Idempotent-Replayed"] == "true"
    data = {"first_name": "A", "last_name": "B", "email": "a@example.com", "time_zone": "UTC"}
    first, second = post_twice(user_client, reverse("core:profile"), data)
    assert first.status_code == 302 and second["Idempotent-Replayed"] == "true"


def test_every_post_form_of_the_profile_carries_a_key(user_client, user):
    create_api_token(user=user, name="old")
    html = user_client.get(reverse("core:profile")).content.decode()
    html = html[html.index('<main id="main"') :]
    forms = re.findall(r'<form method="post".*?</form>', html, re.S)
    assert len(forms) == 3
    for form in forms:
        assert 'name="idempotency_key"' in form, form[:200]
