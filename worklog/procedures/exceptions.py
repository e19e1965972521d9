"""What the procedure services refuse a request with; each `code` names the refusal in the API."""

from worklog.exceptions import WorklogError


class ProcedureError(WorklogError):
    """Base of the errors a procedure service refuses a request with; `code` names it for the
    API, the message says what to do."""

    code = "procedure_error"


class ReasonRequiredError(ProcedureError):
    """A decision taken for someone else (a supervisor's, an SOP author's) needs its reason."""

    code = "reason_required"

    def __init__(self, what: str):
        super().__init__(f"Give a reason for {what}.")


class SOPNotConfirmedError(ProcedureError):
    code = "sop_not_confirmed"

    def __init__(self, sop):
        self.sop = sop
        super().__init__(f"“{sop}” is not confirmed: only a confirmed SOP can be started.")


class SOPNotEditableError(ProcedureError):
    code = "sop_not_editable"

    def __init__(self, sop):
        self.sop = sop
        super().__init__(
            f"“{sop}” is {sop.get_status_display().lower()}: its steps are frozen. "
            "Create a new version to change them."
        )


class SOPInvalidError(ProcedureError):
    code = "sop_invalid"


class SOPHasActiveSessionsError(ProcedureError):
    code = "sop_has_active_sessions"

    def __init__(self, sop, sessions):
        self.sop = sop
        self.sessions = list(sessions)
        listed = "; ".join(
            f"{session.worker} since {session.started_at:%Y-%m-%d %H:%M} ({session.pk})"
            for session in self.sessions
        )
        super().__init__(
            f"“{sop}” cannot be deleted: it has {len(self.sessions)} active session(s): {listed}. "
            "Complete or cancel them first."
        )


class ActiveProcedureSessionExistsError(ProcedureError):
    code = "active_session_exists"

    def __init__(self, session, *, worker=None):
        """`worker`: when someone else acts for the worker (a supervisor reopening a session),
        the message names the worker rather than saying "you"."""
        self.session = session
        who = f"{worker.get_username()} already has" if worker else "You already have"
        super().__init__(
            f"{who} an active procedure session ({session.sop}, "
            f"{session.get_status_display().lower()}, id {session.pk}). "
            "Complete or cancel it before starting another."
        )


class TimeLockedError(ProcedureError):
    """The change would stop the session's timer inside a locked week of the worker's time."""

    code = "week_locked"


class SessionLockedError(ProcedureError):
    code = "session_locked"

    def __init__(self, session):
        self.session = session
        super().__init__(
            "This session is approved and locked: it cannot be changed "
            "unless a supervisor overrides the lock."
        )


class SessionNotActiveError(ProcedureError):
    code = "session_not_active"

    def __init__(self, session, action: str):
        self.session = session
        super().__init__(f"Cannot {action}: the session is {session.get_status_display().lower()}.")


class StepNotCurrentError(ProcedureError):
    code = "step_not_current"

    def __init__(self, session, step_id):
        self.session = session
        self.step_id = step_id
        super().__init__(
            "That step is not the session's current step (the page may be out of date); record "
            "the check on the current step."
        )


class NotSessionOwnerError(ProcedureError):
    code = "not_session_owner"

    def __init__(self, session):
        self.session = session
        super().__init__("Only the worker who started this session can change it.")


class CannotCancelSessionError(NotSessionOwnerError):
    code = "not_allowed_to_cancel"

    def __init__(self, session):
        self.session = session
        ProcedureError.__init__(
            self,
            "Only the worker who started this session, the SOP's author or a procedure "
            "supervisor can cancel it.",
        )


class OwnSessionError(ProcedureError):
    """A supervisor, even a superuser, does not approve or override a session they ran
    themselves: a second person must."""

    code = "own_session"

    def __init__(self, what: str):
        super().__init__(f"You ran this session yourself: another supervisor must {what} it.")


class NotSupervisorError(ProcedureError):
    code = "not_supervisor"

    def __init__(self):
        super().__init__(
            "Only a procedure supervisor can approve, reopen or override sessions, or correct "
            "their checks."
        )


class SessionNotApprovableError(ProcedureError):
    code = "session_not_approvable"


class SessionNotCompletedError(ProcedureError):
    code = "session_not_completed"

    def __init__(self, session, action: str):
        self.session = session
        super().__init__(
            f"Only a completed session can be {action}; this one is "
            f"{session.get_status_display().lower()}."
        )


class SessionNotLockedError(ProcedureError):
    code = "session_not_locked"

    def __init__(self, session):
        self.session = session
        super().__init__("This session is not locked: there is nothing to override.")


class SOPNotFoundError(ProcedureError):
    code = "sop_not_found"

    def __init__(self):
        super().__init__("No such SOP: it may have been deleted.")


class NotSOPAuthorError(ProcedureError):
    code = "not_sop_author"

    def __init__(self, sop):
        self.sop = sop
        super().__init__(f"Only the author of “{sop}” can change or delete it.")


class NotSOPOwnerError(ProcedureError):
    code = "not_sop_owner"

    def __init__(self, sop):
        self.sop = sop
        super().__init__(
            f"Only the author of “{sop}” and members of Procedure authors can make a new version "
            "of it, confirm one, or archive it."
        )
