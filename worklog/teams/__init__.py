"""Teams and approval: teams with members and managers, weeks submitted, approved or rejected,
the lock on approved weeks and lock periods (`locks.py`), and the Monday reminders."""
