"""The deployed app answers open tabs' timer state checks in front of Django's handler
(worklog/timer/state_check.py): the same answers as the `state` view, in one query, and every
other request goes on to Django."""

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.servers.basehttp import get_internal_wsgi_application
from django.core.signals import request_finished, request_started
from django.core.signing import dumps
from django.db import OperationalError, close_old_connections, connection, connections
from django.urls import reverse

from worklog.timer import services
from worklog.timer.running import STATE_TOKEN_SALT, state_token, state_version
from worklog.timer.state_check import AnswerStateChecks

pytestmark = pytest.mark.django_db


class Django:
    """Stands for Django's handler: records what reached it."""

    def __init__(self):
        self.paths = []

    def __call__(self, environ, start_response):
        self.paths.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"from django"]


def call(application, path=None, *, method="GET", query="", headers=None, scheme="http"):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path or reverse("worklog:timer-state"),
        "QUERY_STRING": query,
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(b""),
        **{
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in (headers or {}).items()
        },
    }
    setup_testing_defaults(environ)
    answered = {}

    def start_response(status, response_headers, exc_info=None):
        answered["status"] = status
        answered["headers"] = dict(response_headers)

    # As Django's test client does: the request signals would close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answered["status"], answered["headers"], body


@pytest.fixture
def django_handler():
    return Django()


@pytest.fixture
def wrapped(django_handler):
    return AnswerStateChecks(django_handler)


def test_the_deployed_app_answers_state_checks_in_front_of_django():
    assert isinstance(get_internal_wsgi_application(), AnswerStateChecks)


def test_an_unchanged_timer_is_304_in_one_query_without_django(
    wrapped, django_handler, user, django_assert_num_queries
):
    services.start_session(user)
    token = state_token(user)
    etag = f'"{state_version(token)}"'
    with django_assert_num_queries(1):
        status, headers, body = call(
            wrapped, query=f"token={token}", headers={"If-None-Match": etag}
        )
    assert status == "304 Not Modified"
    assert body == b""
    assert headers["ETag"] == etag
    assert headers["Cache-Control"] == "private, no-cache"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Type" not in headers
    assert "Content-Length" not in headers
    assert django_handler.paths == []


def test_a_changed_timer_answers_its_new_version(wrapped, user):
    token = state_token(user)
    services.start_session(user)
    status, headers, body = call(
        wrapped, query=f"token={token}", headers={"If-None-Match": '"idle"'}
    )
    assert status == "200 OK"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"version": state_version(token)}
    assert headers["ETag"] == f'"{state_version(token)}"'
    assert int(headers["Content-Length"]) == len(body)


def test_a_forged_or_missing_token_is_refused(wrapped, user):
    forged = dumps({"u": user.pk, "h": "0" * 16}, salt=STATE_TOKEN_SALT)
    for query in ("", "token=nonsense", f"token={forged}"):
        status, headers, body = call(wrapped, query=query)
        assert status == "403 Forbidden"
        assert json.loads(body)["code"] == "invalid_token"
        assert "ETag" not in headers


def test_the_view_and_the_wrapper_give_the_same_answers(wrapped, user, client):
    token = state_token(user)
    services.start_session(user)
    url = reverse("worklog:timer-state")
    for etag in ('"idle"', f'"{state_version(token)}"'):
        through_django = client.get(url, {"token": token}, headers={"If-None-Match": etag})
        status, headers, body = call(
            wrapped, query=f"token={token}", headers={"If-None-Match": etag}
        )
        assert int(status.split()[0]) == through_django.status_code
        assert body == through_django.content
        assert headers["ETag"] == through_django["ETag"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("POST", None), ("HEAD", None), ("GET", "/timer/state/extra")],
)
def test_every_other_request_goes_to_django(wrapped, django_handler, method, path):
    status, _, body = call(wrapped, path, method=method)
    assert body == b"from django"
    assert django_handler.paths == [(method, path or reverse("worklog:timer-state"))]


def test_a_plain_http_check_goes_to_django_to_be_redirected_where_https_is_required(
    wrapped, django_handler, user, settings
):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    query = f"token={state_token(user)}"
    assert call(wrapped, query=query)[2] == b"from django"
    assert call(wrapped, query=query, scheme="https")[0] == "200 OK"
    forwarded = call(wrapped, query=query, headers={"X-Forwarded-Proto": "https"})
    assert forwarded[0] == "200 OK"
    assert len(django_handler.paths) == 1


def test_a_check_asks_the_database_once_with_no_health_check_before_it(wrapped, user, monkeypatch):
    token = state_token(user)
    etag = f'"{state_version(token)}"'
    asked = []
    monkeypatch.setattr(connection, "is_usable", lambda: asked.append("SELECT 1") or True)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    # Through Django's handler, a request's first query on a kept connection is preceded by
    # the health check ...
    connection.health_check_done = False
    state_version(token)
    assert asked == ["SELECT 1"]
    # ... which the wrapper's check does without.
    connection.health_check_done = False
    status, _, _ = call(wrapped, query=f"token={token}", headers={"If-None-Match": etag})
    assert status == "304 Not Modified"
    assert asked == ["SELECT 1"]


@pytest.mark.postgres  # SQLite's connections are not kept from one request to the next
@pytest.mark.django_db(transaction=True)
def test_a_check_on_a_kept_connection_that_broke_is_answered_on_a_new_one(wrapped, user):
    token = state_token(user)
    etag = f'"{state_version(token)}"'
    broken = connection.connection
    broken.close()
    status, headers, _ = call(wrapped, query=f"token={token}", headers={"If-None-Match": etag})
    assert status == "304 Not Modified"
    assert headers["ETag"] == etag
    assert connection.connection is not broken
    assert not connection.connection.closed


def failing_first(monkeypatch, times):
    """Makes the wrapper's first `times` answers fail as on a broken connection."""
    from worklog.timer import state_check

    answered = state_check.answer_state_check
    calls = []

    def answer(token, if_none_match):
        calls.append(token)
        if len(calls) <= times:
            raise OperationalError("server closed the connection unexpectedly")
        return answered(token, if_none_match)

    monkeypatch.setattr(state_check, "answer_state_check", answer)
    return calls


def test_a_kept_connection_that_fails_the_check_is_replaced_and_the_check_asked_again(
    wrapped, user, monkeypatch
):
    token = state_token(user)
    etag = f'"{state_version(token)}"'
    calls = failing_first(monkeypatch, times=1)
    closed = []
    monkeypatch.setattr(connection, "close", lambda: closed.append(True))
    status, _, _ = call(wrapped, query=f"token={token}", headers={"If-None-Match": etag})
    assert status == "304 Not Modified"
    assert len(calls) == 2
    assert closed == [True]


def test_a_check_is_asked_again_once_at_most(wrapped, user, monkeypatch):
    token = state_token(user)
    calls = failing_first(monkeypatch, times=2)
    monkeypatch.setattr(connection, "close", lambda: None)
    with pytest.raises(OperationalError):
        call(wrapped, query=f"token={token}")
    assert len(calls) == 2


def test_a_failure_on_a_connection_opened_for_the_check_is_not_asked_again(
    wrapped, user, monkeypatch
):
    token = state_token(user)
    calls = failing_first(monkeypatch, times=1)
    kept, connections["default"].connection = connections["default"].connection, None
    try:
        with pytest.raises(OperationalError):
            call(wrapped, query=f"token={token}")
    finally:
        connections["default"].connection = kept
    assert len(calls) == 1
