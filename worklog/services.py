"""The seed's service API in one place (`from worklog import services`): the public services
of the timer and of procedures, defined in their sub-domains' `services.py`."""

from worklog.procedures.services import (
    CheckOutcome,
    approve_procedure_session,
    cancel_procedure_session,
    complete_procedure_session,
    override_procedure_lock,
    pause_procedure_session,
    record_check,
    resume_procedure_session,
    start_procedure_session,
)
from worklog.timer.services import (
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
    "CheckOutcome",
    "approve_procedure_session",
    "cancel_procedure_session",
    "complete_procedure_session",
    "override_procedure_lock",
    "pause_procedure_session",
    "record_check",
    "resume_procedure_session",
    "start_procedure_session",
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
