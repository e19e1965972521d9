from django.contrib import messages
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from decisioning.http import REPLAYED_HEADER

from .observability import (
    REQUEST_ID_HEADER,
    current_request_id,
    idempotent_replays,
    request_id_from,
)

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_REFUSED = (
    "The form holds a NUL character (\\0), which no field here accepts. Remove it and send the "
    "form again."
)


class RequestIdMiddleware:
    """Names each request (the proxy's X-Request-ID, or a new id) for the logs and in the
    response, and counts the answers replayed for a reused Idempotency-Key."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request)
        reset = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(reset)
        response[REQUEST_ID_HEADER] = request_id
        if response.get(REPLAYED_HEADER) == "true":
            surface = "api" if request.path_info.startswith("/api/") else "page"
            idempotent_replays.labels(surface=surface).inc()
        return response


class UserTimeZoneMiddleware:
    """Shows every time in the signed-in user's zone; storage stays UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class HtmxMessagesMiddleware:
    """Appends pending messages to HTMX responses as an out-of-band swap of the messages area,
    so a fragment response can report success or failure without a page reload."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not getattr(request, "htmx", False)
            or response.streaming
            or 300 <= response.status_code < 400
            or "HX-Redirect" in response
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        messages = get_messages(request)
        if not messages:
            return response
        response.write(
            render_to_string(
                "base.html#messages", {"messages": messages, "oob": True}, request=request
            )
        )
        return response


class RefuseNulCharactersMiddleware:
    """Answers a form post holding a NUL character with 400 and a message, before any view runs.
    No field accepts one (PostgreSQL refuses it in text), and the form a view would re-render
    with it could not be stored as the answer to its idempotency key. The JSON API, under
    `api_prefix`, refuses NUL itself, in JSON."""

    api_prefix = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and request.content_type in FORM_CONTENT_TYPES
            and not request.path_info.startswith(self.api_prefix)
            and _holds_nul(request.POST)
        ):
            return _nul_refused(request)
        return self.get_response(request)


def _holds_nul(data) -> bool:
    return any(
        "\x00" in name or any("\x00" in value for value in values) for name, values in data.lists()
    )


def _nul_refused(request):
    if getattr(request, "htmx", False):
        messages.error(request, NUL_REFUSED)
        # The message says it (swapped in by HtmxMessagesMiddleware); the page stays as it is.
        return HttpResponse(status=400, headers={"HX-Reswap": "none"})
    return render(request, "core/refused.html", {"detail": NUL_REFUSED}, status=400)
