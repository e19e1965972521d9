__version__ = "0.1.0"

__all__ = [
    # Models
    "WorkSession",
    "SOP",
    "SOPTask",
    "SOPStep",
    "ProcedureSession",
    "SafetyCheck",
    # Services
    "get_active_session",
    "start_session",
    "stop_session",
    "toggle_session",
    "get_user_sessions",
    "get_total_time",
    "start_procedure_session",
    "record_check",
    "complete_procedure_session",
    "cancel_procedure_session",
    "pause_procedure_session",
    "resume_procedure_session",
    "approve_procedure_session",
    "override_procedure_lock",
    # Domain events
    "WorkSessionCompleted",
    # Exceptions
    "WorklogError",
    "NoActiveSessionError",
    "SessionAlreadyStoppedError",
    "ProcedureError",
    "ActiveProcedureSessionExistsError",
    "SessionLockedError",
]

_SERVICES = (
    "get_active_session",
    "start_session",
    "stop_session",
    "toggle_session",
    "get_user_sessions",
    "get_total_time",
    "start_procedure_session",
    "record_check",
    "complete_procedure_session",
    "cancel_procedure_session",
    "pause_procedure_session",
    "resume_procedure_session",
    "approve_procedure_session",
    "override_procedure_lock",
)
_MODELS = ("WorkSession", "SOP", "SOPTask", "SOPStep", "ProcedureSession", "SafetyCheck")
_EXCEPTIONS = (
    "WorklogError",
    "NoActiveSessionError",
    "SessionAlreadyStoppedError",
    "ProcedureError",
    "ActiveProcedureSessionExistsError",
    "SessionLockedError",
)


def __getattr__(name):
    # Lazy, so importing the package does not load models before the app registry is ready.
    if name in _MODELS:
        from . import models

        return getattr(models, name)
    if name == "WorkSessionCompleted":
        from .procedures.signals import WorkSessionCompleted

        return WorkSessionCompleted
    if name in _SERVICES:
        from . import services

        return getattr(services, name)
    if name in _EXCEPTIONS:
        from . import exceptions

        return getattr(exceptions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
