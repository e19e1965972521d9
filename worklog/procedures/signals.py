"""Domain events of the worklog app, as Django signals."""

from django.dispatch import Signal

# The seed's `WorkSessionCompleted` domain event: sent (sender=ProcedureSession, session=...,
# completed_at=...) once the transaction that completed a procedure session has committed.
WorkSessionCompleted = Signal()
