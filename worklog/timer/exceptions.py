"""What the timer's services refuse a request with."""

from worklog.exceptions import WorklogError


class NoActiveSessionError(WorklogError):
    """Raised when trying to stop a session that doesn't exist."""

    def __init__(self, user=None, target=None):
        self.user = user
        self.target = target
        message = "No active session"
        if user:
            message += f" for user {user}"
        if target:
            message += f" on target {target}"
        super().__init__(message)


class SessionAlreadyStoppedError(WorklogError):
    """Raised when trying to stop an already stopped session."""

    def __init__(self, session_id):
        self.session_id = session_id
        super().__init__(f"Session {session_id} is already stopped")


class InvalidSessionTimesError(WorklogError):
    """Raised when a session's times would be impossible: a stop before its start, a stop in the
    future, or an overlap with another of the user's sessions. `field` names the culprit."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


class NoticeAlreadyAnsweredError(WorklogError):
    """Raised when a timer notice is answered a second time (e.g. a reused "Still working?"
    email link): each is answered once."""

    def __init__(self, notice_id):
        self.notice_id = notice_id
        super().__init__(f"Timer notice {notice_id} was already answered")
