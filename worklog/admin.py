"""Django's admin autodiscovery imports this module; each sub-domain registers its own models."""

from worklog.journal import admin as journal_admin  # noqa: F401
from worklog.procedures import admin as procedures_admin  # noqa: F401
from worklog.teams import admin as teams_admin  # noqa: F401
from worklog.timer import admin as timer_admin  # noqa: F401
