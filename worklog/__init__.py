__version__ = "0.1.0"

__all__ = [
    # Models
    "WorkSession",
    # Services
    "get_active_session",
    "start_session",
    "stop_session",
    "toggle_session",
    "get_user_sessions",
    "get_total_time",
    # Exceptions
    "WorklogError",
    "NoActiveSessionError",
    "SessionAlreadyStoppedError",
]

_SERVICES = (
    "get_active_session",
    "start_session",
    "stop_session",
    "toggle_session",
    "get_user_sessions",
    "get_total_time",
)
_EXCEPTIONS = ("WorklogError", "NoActiveSessionError", "SessionAlreadyStoppedError")


def __getattr__(name):
    # Lazy, so importing the package does not load models before the app registry is ready.
    if name == "WorkSession":
        from .models import WorkSession

        return WorkSession
    if name in _SERVICES:
        from . import services

        return getattr(services, name)
    if name in _EXCEPTIONS:
        from . import exceptions

        return getattr(exceptions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
