"""Open tabs ask `GET /timer/state/` twice a minute and on every focus: answered here, before
the session, CSRF, authentication and message middleware, since its signed token names the user."""

from functools import cache

from django.http import HttpRequest
from django.urls import reverse

from worklog.timer.views import state


@cache
def _state_path() -> str:
    return reverse("worklog:timer-state")


class TimerStateCheckMiddleware:
    """Answers a timer state check itself: the check reads no session and no user, so the
    middleware below this one would only cost time on the app's most frequent request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.method == "GET" and request.path_info == _state_path():
            return state(request)
        return self.get_response(request)
