"""API tokens on the profile page: created, shown once, listed, revoked; stored hashed."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import ApiToken
from core.services import create_api_token, hash_api_token, user_for_api_token

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
