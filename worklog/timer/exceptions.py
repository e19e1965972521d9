"""What the timer's services refuse a request with."""

from core.display import display_name
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


class OverlappingSessionError(InvalidSessionTimesError):
    """The new times would overlap `sessions`, the user's other sessions, named in the message
    by their local time range and target. `trimmable` says whether shortening those sessions
    would make room (it would not for a running one, one that lies wholly inside the new times,
    or one the new times would split in two)."""

    def __init__(self, sessions: list, *, zone, trimmable: bool, field: str = "started_at"):
        self.sessions = sessions
        self.trimmable = trimmable
        named = "; ".join(describe_session(session, zone) for session in sessions)
        plural = "s" if len(sessions) > 1 else ""
        super().__init__(f"This would overlap your session{plural} {named}.", field=field)


def describe_session(session, zone) -> str:
    """'Mon 2 Mar 09:00–10:30 (Card form)': how a message names one of the user's sessions."""
    start = session.started_at.astimezone(zone)
    stop = f"{session.stopped_at.astimezone(zone):%H:%M}" if session.stopped_at else "now"
    target = display_name(session.target) if session.target_id and session.target else "no target"
    return f"{start:%a %-d %b %H:%M}–{stop} ({target})"


class NoticeAlreadyAnsweredError(WorklogError):
    """Raised when a timer notice is answered a second time (e.g. a reused "Still working?"
    email link): each is answered once."""

    def __init__(self, notice_id):
        self.notice_id = notice_id
        super().__init__(f"Timer notice {notice_id} was already answered")
