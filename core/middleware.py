from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.utils import timezone


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
