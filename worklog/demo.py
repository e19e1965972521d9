"""Demo data for `manage.py load_demo_data`: each sub-domain's own. Running it again adds
nothing."""

from worklog.journal.demo import load_journal_demo
from worklog.procedures.demo import load_procedure_demo
from worklog.timer.demo import load_timer_demo


def load_demo_data(user) -> None:
    load_timer_demo(user)
    load_procedure_demo(user)
    load_journal_demo(user)
