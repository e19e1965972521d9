"""What every page's template gets from the timer: the running timer for the header, and the
banner about a session the timer stopped by itself. Both are read only when a template asks."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from worklog.timer.running import RunningTimer
from worklog.timer.selectors import open_auto_stop_notice


def _signed_in(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def running_timer(request: HttpRequest) -> dict:
    user = _signed_in(request)
    return {"running_timer": RunningTimer(user)} if user else {}


def auto_stop_notice(request: HttpRequest) -> dict:
    """The banner (templates/base.html): a full page pays one query, a fragment none."""

    def notice():
        user = _signed_in(request)
        return open_auto_stop_notice(user) if user else None

    return {"auto_stop_notice": SimpleLazyObject(notice)}
