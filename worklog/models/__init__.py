from .procedures import (
    SOP,
    CheckResult,
    ProcedureSession,
    ProcedureSessionQuerySet,
    SafetyCheck,
    SessionStatus,
    SOPStatus,
    SOPStep,
    SOPTask,
)
from .timer import EndReason, WorkSession, WorkSessionQuerySet

__all__ = [
    "SOP",
    "CheckResult",
    "EndReason",
    "ProcedureSession",
    "ProcedureSessionQuerySet",
    "SOPStatus",
    "SOPStep",
    "SOPTask",
    "SafetyCheck",
    "SessionStatus",
    "WorkSession",
    "WorkSessionQuerySet",
]
