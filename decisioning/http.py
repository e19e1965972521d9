"""Idempotent HTTP: POST endpoints with the semantics of the IETF httpapi "Idempotency-Key"
header draft, for function views, plain forms and HTMX.

Usage:

    from decisioning.http import idempotent_view

    @require_POST
    @idempotent_view
    def add_item(request): ...

In each form the view's page renders, add the hidden field (a new key per rendering):

    {% load decisioning %}
    <form method="post" action="...">{% csrf_token %}{% idempotency_field %} ... </form>

HTMX forms send the field with the form. A request that is not a form (an `hx-post` button, a
JSON client) sends the header instead: `Idempotency-Key: "<unique string>"` (a quoted
structured-field string as in the draft; a bare token is accepted too). Inside a view, the
same behaviour for part of the work is `handle_idempotently(request, respond)`.

What a request gets:
- first use of a key: the view runs; its response (status, body, Content-Type, Location,
  Content-Disposition, HX-* headers) is stored with the key, in the same transaction as the
  view's writes;
- a retry after completion: the stored response, with the header `Idempotent-Replayed: true`;
- the same key with a different request (method, path, or body other than the CSRF token):
  422;
- while the first is still running: 409 (as the draft says) for header and HTMX requests. A
  plain form posted twice (a double click) is the exception: the browser shows only the last
  response, so that request waits up to `DECISIONING_IDEMPOTENCY_FORM_WAIT` seconds (default
  5) for the first one and replays it, and answers 409 only if it is still running then;
- a malformed key (empty, over 255 characters, not printable ASCII): 400; no key: the view
  runs unprotected, or 400 with `required=True`.
Which outcomes are replayed: every response below 500, including 4xx validation errors, since
they are the answer to that request. A 5xx response or an exception rolls the view's writes
back and releases the key, so the same request may be retried. Keys are scoped per user (one
user's key never replays or blocks another's) and expire after 24 hours by default; requests
of anonymous users are not tracked (every view here needs a login).

A response that must be shown only once (a new API token's secret) is not replayed: the view
passes `stored_response`, and a retry gets what that returns (e.g. a 409 "already created")
while the secret itself is never written to the key's row. The JSON API calls
`handle_idempotently` inside its endpoints, after token authentication, with its own
`problem` renderer (errors as `{"code", "message"}`).
"""

import base64
import functools
import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from .exceptions import (
    IdempotencyKeyReusedError,
    NonSerializableResultError,
    OperationInFlightError,
)
from .idempotency import claim_key, run_claimed
from .models import IdempotencyKey

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_FIELD = "idempotency_key"
REPLAYED_HEADER = "Idempotent-Replayed"
DEFAULT_EXPIRY = timedelta(hours=24)
HTTP_RESPONSE_RESULT = "http_response"
MAX_KEY_LENGTH = 255
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAYED_HEADERS = frozenset({"content-type", "location", "content-disposition"})
FINGERPRINT_IGNORED_FIELDS = frozenset({"csrfmiddlewaretoken", IDEMPOTENCY_FIELD})


def parse_key(raw: str) -> str | None:
    """The key in a header or field value, or None when it is malformed."""
    raw = raw.strip()
    if raw.startswith('"'):
        if len(raw) < 2 or not raw.endswith('"'):
            return None
        key, escaped = [], False
        for char in raw[1:-1]:
            if escaped:
                if char not in '"\\':
                    return None
                key.append(char)
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                return None
            else:
                key.append(char)
        if escaped:
            return None
        value = "".join(key)
    else:
        value = raw
        if any(char in value for char in ' "\\'):
            return None
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not value.strip():
        return None
    if any(not 0x20 <= ord(char) <= 0x7E for char in value):
        return None
    return value


def request_fingerprint(request: HttpRequest) -> str:
    """A SHA-256 of what the request asks for: method, path and query, and the body without
    the CSRF token and the key itself (they differ between renderings of the same form)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields = sorted(
            (name, value)
            for name, values in request.POST.lists()
            if name not in FINGERPRINT_IGNORED_FIELDS
            for value in values
        )
        files = sorted(
            (name, upload.name, upload.size)
            for name, uploads in request.FILES.lists()
            for upload in uploads
        )
        digest.update(json.dumps([fields, files]).encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def form_wait_seconds() -> float:
    return float(getattr(settings, "DECISIONING_IDEMPOTENCY_FORM_WAIT", 5))


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _problem(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    """An error response each kind of client can use: JSON for API clients, a message (and
    no swap) for HTMX, a page for a plain form."""
    accepts_json = "application/json" in request.headers.get("Accept", "")
    if request.content_type == "application/json" or (accepts_json and not _is_htmx(request)):
        return JsonResponse(
            {"status": status, "code": code, "detail": detail},
            status=status,
            content_type="application/problem+json",
        )
    if _is_htmx(request):
        messages.error(request, detail)
        response = HttpResponse(status=status)
        response["HX-Reswap"] = "none"
        return response
    return render(
        request,
        "decisioning/idempotency_problem.html",
        {"status": status, "detail": detail},
        status=status,
    )


def _encode_response(key: str, response: HttpResponse) -> dict:
    if response.streaming:
        raise NonSerializableResultError(key, response)
    headers = {
        name: value
        for name, value in response.items()
        if name.lower() in REPLAYED_HEADERS or name.lower().startswith("hx-")
    }
    data = {"status": response.status_code, "headers": headers, "charset": response.charset}
    try:
        data["text"] = response.content.decode(response.charset)
    except UnicodeDecodeError:
        data["base64"] = base64.b64encode(response.content).decode("ascii")
    return {"result_type": HTTP_RESPONSE_RESULT, "result_id": "", "result_data": data}


def _replay(row: IdempotencyKey) -> HttpResponse:
    data = row.result_data
    if "text" in data:
        content = data["text"].encode(data.get("charset") or "utf-8")
    else:
        content = base64.b64decode(data["base64"])
    response = HttpResponse(content, status=data["status"])
    for name, value in data["headers"].items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class _ServerErrorResponse(Exception):
    """Carries a 5xx response out of the transaction so the view's writes roll back."""

    def __init__(self, response: HttpResponse):
        self.response = response
        super().__init__(f"The view answered {response.status_code}.")


def handle_idempotently(
    request: HttpRequest,
    respond: Callable[[], HttpResponse],
    *,
    expires_in: timedelta = DEFAULT_EXPIRY,
    required: bool = False,
    lease: timedelta | None = None,
    problem: Callable[[HttpRequest, int, str, str], HttpResponse] = _problem,
    stored_response: Callable[[HttpRequest, HttpResponse], HttpResponse] | None = None,
) -> HttpResponse:
    """Answer `request` with `respond()` at most once per Idempotency-Key (see module doc).
    `problem(request, status, code, detail)` renders the protocol's own errors (400, 409,
    422); `stored_response(request, response)` gives what a retry replays instead of the
    first response, for a response that must be shown only once (a secret)."""
    if request.method not in UNSAFE_METHODS:
        return respond()
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    from_form = raw is None
    if raw is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        raw = request.POST.get(IDEMPOTENCY_FIELD)
    if raw is None:
        if required:
            return problem(
                request, 400, "idempotency_key_missing", "This request needs an Idempotency-Key."
            )
        return respond()
    key = parse_key(raw)
    if key is None:
        return problem(
            request,
            400,
            "idempotency_key_malformed",
            f"The Idempotency-Key is malformed: use 1 to {MAX_KEY_LENGTH} printable ASCII "
            "characters, as a quoted string.",
        )
    if not request.user.is_authenticated:
        return respond()

    scope = f"http:user:{request.user.pk}"
    fingerprint = request_fingerprint(request)
    waits_for_first = from_form and not _is_htmx(request)
    deadline = time.monotonic() + (form_wait_seconds() if waits_for_first else 0)
    pause = 0.02
    while True:
        try:
            outcome = claim_key(
                key=key,
                scope=scope,
                fingerprint=fingerprint,
                expires_at=timezone.now() + expires_in,
                lease=lease,
            )
            break
        except IdempotencyKeyReusedError:
            return problem(
                request,
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
            )
        except OperationInFlightError:
            if time.monotonic() >= deadline:
                return problem(
                    request,
                    409,
                    "request_in_flight",
                    "The same request is still being processed; try again in a moment.",
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.25)
    if isinstance(outcome, IdempotencyKey):
        return _replay(outcome)

    def respond_or_roll_back() -> HttpResponse:
        response = respond()
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code >= 500:
            raise _ServerErrorResponse(response)
        return response

    def store(response: HttpResponse) -> dict:
        if stored_response is not None:
            response = stored_response(request, response)
        return _encode_response(key, response)

    try:
        return run_claimed(outcome, respond_or_roll_back, store=store)
    except _ServerErrorResponse as error:
        return error.response


def idempotent_view(
    view=None,
    *,
    expires_in: timedelta = DEFAULT_EXPIRY,
    required: bool = False,
    lease: timedelta | None = None,
    stored_response: Callable[[HttpRequest, HttpResponse], HttpResponse] | None = None,
):
    """Decorator form of `handle_idempotently`: `@idempotent_view` or
    `@idempotent_view(required=True)`."""

    def decorator(view_func):
        @functools.wraps(view_func)
        def wrapper(request, *args, **kwargs):
            return handle_idempotently(
                request,
                lambda: view_func(request, *args, **kwargs),
                expires_in=expires_in,
                required=required,
                lease=lease,
                stored_response=stored_response,
            )

        return wrapper

    return decorator(view) if view is not None else decorator
