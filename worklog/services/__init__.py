from .timer import (
    correct_session,
    delete_session,
    get_active_session,
    get_total_time,
    get_user_sessions,
    restore_session,
    start_session,
    stop_running_session,
    stop_session,
    toggle_session,
)

__all__ = [
    "correct_session",
    "delete_session",
    "get_active_session",
    "get_total_time",
    "get_user_sessions",
    "restore_session",
    "start_session",
    "stop_running_session",
    "stop_session",
    "toggle_session",
]
