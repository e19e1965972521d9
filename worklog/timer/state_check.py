"""Open tabs ask `GET /timer/state/?token=…` twice a minute and on every focus, more often than
the app is asked anything else. The answer needs only the signed token and one query, so the
deployed app (config/wsgi.py) gives it in front of Django's request handler: no request object,
no middleware, no session and no user. The `state` view gives the same answer through the
handler, where this wrapper is not in front (the test client, another WSGI server's setup)."""

import json
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from urllib.parse import parse_qs

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

from worklog.timer.running import state_version

INVALID_TOKEN = {"code": "invalid_token", "message": "Reload the page for a new token."}


@dataclass(frozen=True)
class StateAnswer:
    """`304` while the version the tab holds is still the user's, `200` with the new version
    otherwise, `403` for a token that is forged, expired or no longer its user's."""

    status: int
    etag: str | None = None

    @property
    def body(self) -> bytes:
        if self.status == 403:
            return json.dumps(INVALID_TOKEN).encode()
        if self.status == 200:
            return json.dumps({"version": self.etag.strip('"')}).encode()
        return b""

    @property
    def headers(self) -> list[tuple[str, str]]:
        """The answer's own headers; a 304 has no content, so no type."""
        headers = [("Cache-Control", "private, no-cache")]
        if self.etag:
            headers.append(("ETag", self.etag))
        if self.status != 304:
            headers.append(("Content-Type", "application/json"))
        return headers


@cache
def state_check_path() -> str:
    return reverse("worklog:timer-state")


def is_state_check(environ) -> bool:
    return environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") == state_check_path()


def answer_state_check(token: str, if_none_match: str) -> StateAnswer:
    version = state_version(token)
    if version is None:
        return StateAnswer(403)
    etag = f'"{version}"'
    return StateAnswer(304 if etag in if_none_match else 200, etag)


class AnswerStateChecks:
    """WSGI middleware: answers the state check itself and hands every other request to the
    app. A plain-HTTP check where the app redirects to HTTPS goes to the app, which redirects."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if not is_state_check(environ) or (
            settings.SECURE_SSL_REDIRECT and not _is_secure(environ)
        ):
            return self.application(environ, start_response)
        token = parse_qs(environ.get("QUERY_STRING", "")).get("token", [""])[0]
        # As Django's handler does: its receivers drop a database connection that broke or
        # outlived CONN_MAX_AGE.
        request_started.send(sender=self.__class__, environ=environ)
        try:
            answer = _answer_on_a_live_connection(token, environ.get("HTTP_IF_NONE_MATCH", ""))
        finally:
            request_finished.send(sender=self.__class__)
        body = answer.body
        # SecurityMiddleware's header, which this answer does not pass through.
        headers = [*answer.headers, ("X-Content-Type-Options", "nosniff")]
        # A 304 names no length: its would be the 200's (RFC 9110, 8.6).
        if body:
            headers.append(("Content-Length", str(len(body))))
        status = HTTPStatus(answer.status)
        start_response(f"{status.value} {status.phrase}", headers)
        return [body]


def _answer_on_a_live_connection(token: str, if_none_match: str) -> StateAnswer:
    """With CONN_HEALTH_CHECKS, Django asks a kept connection `SELECT 1` before a request's
    first query: for the check, a second round trip to the database. The check's own query
    tells as well whether a kept connection still works; if it fails there, the check is
    asked again on a new connection, as the health check would have done. A failure on a
    connection opened for this check is the database's answer, and is not asked again."""
    kept = connection.connection is not None
    connection.health_check_done = True
    try:
        return answer_state_check(token, if_none_match)
    except (InterfaceError, OperationalError):
        if not kept:
            raise
        connection.close()
        return answer_state_check(token, if_none_match)


def _is_secure(environ) -> bool:
    if environ.get("wsgi.url_scheme") == "https":
        return True
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    return bool(proxy_header) and environ.get(proxy_header[0]) == proxy_header[1]
