from .timer import EndReason, WorkSession, WorkSessionQuerySet

__all__ = ["EndReason", "WorkSession", "WorkSessionQuerySet"]
