"""What the teams' and the weeks' services refuse a request with."""

from datetime import date

from worklog.exceptions import WorklogError
from worklog.timer.exceptions import InvalidSessionTimesError


class WeekLockedError(InvalidSessionTimesError):
    """A change to time inside a locked week: approved, or before an administrator's lock
    period. `week_start` is the locked week's first day (in the user's week), `action` what was
    refused. The timer's pages show it wherever they show impossible times."""

    def __init__(self, *, user, week_start: date, action: str, approved: bool):
        self.user = user
        self.week_start = week_start
        self.action = action
        self.approved = approved
        self.refusal_id = None  # the audit Decision's, once recorded
        why = "was approved" if approved else "is in a locked period"
        super().__init__(
            f"The week of {week_start:%-d %b %Y} {why} and is locked: "
            f"{action} is refused. Ask an administrator to unlock it."
        )
        self.field = None


class WeekStateError(WorklogError):
    """The week's state does not allow this now (e.g. approving a week that is not submitted,
    submitting a week with a running session)."""


class SelfApprovalError(WorklogError):
    """Nobody approves or rejects their own week: a second person must."""

    def __init__(self):
        super().__init__("You cannot approve or reject your own week: another manager must.")


class NotTeamManagerError(WorklogError):
    """The user manages no team the week's owner belongs to."""

    def __init__(self):
        super().__init__("You do not manage a team this person belongs to.")


class NoteRequiredError(WorklogError):
    def __init__(self, what: str):
        super().__init__(f"Give a note for {what}.")
