"""What every page's template gets from the timer."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from worklog.timer.selectors import open_auto_stop_notice


def auto_stop_notice(request: HttpRequest) -> dict:
    """The banner about a session the timer stopped by itself (templates/base.html). Read only
    when a template asks: a full page pays one query, a fragment none."""

    def notice():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return open_auto_stop_notice(user)

    return {"auto_stop_notice": SimpleLazyObject(notice)}
