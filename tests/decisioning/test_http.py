import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from decisioning.http import parse_key
from decisioning.models import IdempotencyKey, IdempotencyStatus
from tests.conftest import PASSWORD
from tests.testapp_decisioning.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp_decisioning.urls")]

HEADER = {"Idempotency-Key": '"8e03978e-40d5-43e8-bc93-6894a57f9324"'}


def post_json(client, url, body, headers=HEADER):
    return client.post(url, body, content_type="application/json", headers=headers)


def test_retry_replays_status_and_body_with_a_replay_header(user_client):
    first = post_json(user_client, "/idem/tickets/", {"title": "a"})
    second = post_json(user_client, "/idem/tickets/", {"title": "a"})
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Idempotent-Replayed" not in first
    assert second["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_form_field_key_works_like_the_header(user_client):
    data = {"title": "a", "idempotency_key": "field-key", "csrfmiddlewaretoken": "one"}
    user_client.post("/idem/tickets/", data)
    # A re-rendered CSRF token does not make it a different request.
    replay = user_client.post("/idem/tickets/", {**data, "csrfmiddlewaretoken": "two"})
    assert replay["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_same_key_with_a_different_body_is_422(user_client):
    post_json(user_client, "/idem/tickets/", {"title": "a"})
    response = post_json(user_client, "/idem/tickets/", {"title": "b"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "different request" in response.json()["detail"]
    assert Ticket.objects.count() == 1


def test_same_key_on_another_endpoint_is_422(user_client):
    post_json(user_client, "/idem/tickets/", {"title": "a"})
    assert post_json(user_client, "/idem/redirect/", {"title": "a"}).status_code == 422


@pytest.mark.parametrize(
    "raw",
    ['""', '"unterminated', '"bad \\x escape"', "x" * 256, "has space", "caf\u00e9", '"a"b"'],
)
def test_malformed_key_is_400(user_client, raw):
    response = post_json(user_client, "/idem/tickets/", {"title": "a"}, {"Idempotency-Key": raw})
    assert response.status_code == 400
    assert "malformed" in response.json()["detail"]
    assert not Ticket.objects.exists()


def test_parse_key_accepts_structured_field_strings_and_bare_tokens():
    assert parse_key('"abc-123"') == "abc-123"
    assert parse_key('"with \\"quote\\" and \\\\"') == 'with "quote" and \\'
    assert parse_key('"spaces are fine"') == "spaces are fine"
    assert parse_key("bare-token_1") == "bare-token_1"
    assert parse_key('"' + "k" * 255 + '"') == "k" * 255


def test_request_without_key_runs_unprotected_unless_required(user_client):
    post_json(user_client, "/idem/tickets/", {"title": "a"}, headers={})
    post_json(user_client, "/idem/tickets/", {"title": "a"}, headers={})
    assert Ticket.objects.count() == 2
    response = user_client.post("/idem/required/", {}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert user_client.post("/idem/required/", {}, headers=HEADER).content == b"ran"


def in_flight_key_for(user, *, fingerprint_of):
    """An in-flight key as a concurrent first request would have left it."""
    from django.test import RequestFactory

    from decisioning.http import request_fingerprint

    request = fingerprint_of(RequestFactory())
    return IdempotencyKey.objects.create(
        key="8e03978e-40d5-43e8-bc93-6894a57f9324",
        scope=f"http:user:{user.pk}",
        fingerprint=request_fingerprint(request),
    )


def test_concurrent_duplicate_gets_409(user_client, user):
    in_flight_key_for(
        user,
        fingerprint_of=lambda rf: rf.post(
            "/idem/tickets/", {"title": "a"}, content_type="application/json"
        ),
    )
    response = post_json(user_client, "/idem/tickets/", {"title": "a"})
    assert response.status_code == 409
    assert "still being processed" in response.json()["detail"]
    assert not Ticket.objects.exists()


def test_concurrent_htmx_duplicate_gets_409_without_a_swap(user_client, user):
    in_flight_key_for(user, fingerprint_of=lambda rf: rf.post("/idem/tickets/", {"title": "a"}))
    response = user_client.post(
        "/idem/tickets/", {"title": "a"}, headers={**HEADER, "HX-Request": "true"}
    )
    assert response.status_code == 409
    assert response["HX-Reswap"] == "none"
    assert b"still being processed" in response.content  # as an out-of-band message


def test_plain_form_duplicate_waits_for_the_first_then_409(user_client, user, settings):
    settings.DECISIONING_IDEMPOTENCY_FORM_WAIT = 0.2
    data = {"title": "a", "idempotency_key": "8e03978e-40d5-43e8-bc93-6894a57f9324"}
    in_flight_key_for(user, fingerprint_of=lambda rf: rf.post("/idem/tickets/", data))
    started = time.monotonic()
    response = user_client.post("/idem/tickets/", data)
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 409
    assert b"<html" in response.content
    assert b"still being processed" in response.content


def test_keys_are_scoped_per_user(user_client, other_user):
    post_json(user_client, "/idem/tickets/", {"title": "a"})
    other = Client()
    other.force_login(other_user)
    response = post_json(other, "/idem/tickets/", {"title": "a"})
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Ticket.objects.count() == 2
    # And one user's in-flight key never blocks the other.
    IdempotencyKey.objects.update(status=IdempotencyStatus.IN_FLIGHT)
    third = Client()
    third.force_login(other_user.__class__.objects.create_user(username="dave", password=PASSWORD))
    assert post_json(third, "/idem/tickets/", {"title": "a"}).status_code == 201


def test_5xx_is_not_replayed_and_its_writes_are_undone(user_client):
    first = post_json(user_client, "/idem/fail/", {"title": "a"})
    assert first.status_code == 502
    assert not Ticket.objects.exists()
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.FAILED
    second = post_json(user_client, "/idem/fail/", {"title": "a"})
    assert second.status_code == 502
    assert "Idempotent-Replayed" not in second


def test_exception_releases_the_key_and_undoes_writes(user_client):
    user_client.raise_request_exception = False
    assert post_json(user_client, "/idem/raise/", {"title": "a"}).status_code == 500
    assert not Ticket.objects.exists()
    key = IdempotencyKey.objects.get()
    assert key.status == IdempotencyStatus.FAILED
    assert key.error_message == "boom"


def test_4xx_answers_are_replayed(user_client):
    first = post_json(user_client, "/idem/refuse/", {"title": "a"})
    second = post_json(user_client, "/idem/refuse/", {"title": "a"})
    assert first.status_code == second.status_code == 400
    assert second["Idempotent-Replayed"] == "true"


def test_redirect_and_htmx_headers_replayed_but_not_cookies(user_client):
    first = post_json(user_client, "/idem/redirect/", {"title": "a"})
    second = post_json(user_client, "/idem/redirect/", {"title": "a"})
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert second["HX-Trigger"] == "ticketCreated"
    assert "not-replayed" in first.cookies
    assert "not-replayed" not in second.cookies


def test_binary_body_replayed_byte_for_byte(user_client):
    first = user_client.post("/idem/binary/", headers=HEADER)
    second = user_client.post("/idem/binary/", headers=HEADER)
    assert second.content == first.content == bytes(range(256))
    assert second["Content-Type"] == "application/octet-stream"
    assert Ticket.objects.count() == 1


def test_expired_http_key_is_treated_as_absent(user_client):
    post_json(user_client, "/idem/tickets/", {"title": "a"})
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = post_json(user_client, "/idem/tickets/", {"title": "a"})
    assert "Idempotent-Replayed" not in response
    assert Ticket.objects.count() == 2


def test_http_keys_expire_after_a_day_by_default(user_client):
    post_json(user_client, "/idem/tickets/", {"title": "a"})
    expires_at = IdempotencyKey.objects.get().expires_at
    assert timedelta(hours=23) < expires_at - timezone.now() <= timedelta(hours=24)


def test_get_requests_pass_through(user_client, ticket):
    response = user_client.get(ticket.get_absolute_url(), headers=HEADER)
    assert response.status_code == 200
    assert not IdempotencyKey.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_http_duplicates_create_one_thing(user):
    barrier = threading.Barrier(4)
    responses = []

    def post():
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            responses.append(
                client.post(
                    "/idem/tickets/",
                    {"title": "a", "sleep": "0.5"},
                    headers={**HEADER, "HX-Request": "true"},
                )
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(response.status_code for response in responses) == [201, 409, 409, 409]
    assert Ticket.objects.count() == 1
    client = Client()
    client.force_login(user)
    replay = client.post(
        "/idem/tickets/", {"title": "a", "sleep": "0.5"}, headers={**HEADER, "HX-Request": "true"}
    )
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_clicked_plain_form_replays_the_first_answer(user, settings):
    settings.DECISIONING_IDEMPOTENCY_FORM_WAIT = 5
    data = {"title": "a", "sleep": "0.4", "idempotency_key": "render-1"}
    responses = []

    def post(delay):
        client = Client()
        client.force_login(user)
        try:
            time.sleep(delay)
            responses.append(client.post("/idem/tickets/", data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(delay,)) for delay in (0, 0.15)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [response.status_code for response in responses] == [201, 201]
    assert responses[0].content == responses[1].content
    assert Ticket.objects.count() == 1
