"""The base of every worklog error, and the seed's import path for all of them:
`from worklog.exceptions import NoActiveSessionError` keeps working while each sub-domain keeps
its own errors (`worklog.timer.exceptions`, `worklog.procedures.exceptions`)."""

from importlib import import_module


class WorklogError(Exception):
    """Base exception for worklog errors."""


_HOMES = {
    "worklog.timer.exceptions": (
        "NoActiveSessionError",
        "SessionAlreadyStoppedError",
        "InvalidSessionTimesError",
    ),
    "worklog.procedures.exceptions": (
        "ProcedureError",
        "ReasonRequiredError",
        "SOPNotConfirmedError",
        "SOPNotEditableError",
        "SOPInvalidError",
        "SOPHasActiveSessionsError",
        "ActiveProcedureSessionExistsError",
        "SessionLockedError",
        "SessionNotActiveError",
        "StepNotCurrentError",
        "NotSessionOwnerError",
        "CannotCancelSessionError",
        "NotSupervisorError",
        "SessionNotApprovableError",
        "SessionNotCompletedError",
        "SessionNotLockedError",
        "SOPNotFoundError",
        "NotSOPAuthorError",
        "NotSOPOwnerError",
    ),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = ["WorklogError", *_HOME_OF]


def __getattr__(name):
    # Resolved on first use: the sub-domains' modules import WorklogError from here.
    if name in _HOME_OF:
        return getattr(import_module(_HOME_OF[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
