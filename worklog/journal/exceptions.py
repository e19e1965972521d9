"""What the journal's services refuse beyond a form's validation errors (those are Django's
ValidationError, per field)."""

from worklog.exceptions import WorklogError


class WorkLogFinalError(WorklogError):
    """A final work log (or one of its links, files, bullets or signals) was to change: final
    means read only until the log is reopened."""

    code = "worklog_final"

    def __init__(self, worklog):
        self.worklog = worklog
        super().__init__(f"“{worklog}” is final: reopen it to change it.")
