"""Every page's header shows the running timer."""

from worklog.timer.running import RunningTimer


def running_timer(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"running_timer": RunningTimer(user)}
