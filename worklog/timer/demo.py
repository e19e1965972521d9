"""The timer's demo data: a week of timed work, so the dashboard's list, totals and chart have
something to show."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from worklog.timer.models import EndReason, WorkSession

DEMO_DAY = [
    (time(9, 0), time(10, 30), "development", "Sprint planning follow-ups"),
    (time(10, 30), time(12, 15), "development", "Timer dashboard"),
    (time(13, 15), time(14, 0), "review", "Code review"),
    (time(14, 0), time(16, 30), "development", "API tokens"),
]


def load_timer_demo(user) -> None:
    if WorkSession.all_objects.filter(user=user, metadata__demo=True).exists():
        return
    zone = user.zone
    now = timezone.now()
    today = now.astimezone(zone).date()
    sessions = []
    for days_back in range(6, -1, -1):
        day = today - timedelta(days=days_back)
        if day.weekday() >= 5:
            continue
        for start, stop, session_type, notes in DEMO_DAY:
            started_at = datetime.combine(day, start, tzinfo=zone)
            stopped_at = datetime.combine(day, stop, tzinfo=zone)
            if stopped_at > now:
                continue
            sessions.append(
                WorkSession(
                    user=user,
                    session_type=session_type,
                    notes=notes,
                    started_at=started_at,
                    effective_at=started_at,
                    stopped_at=stopped_at,
                    duration_seconds=int((stopped_at - started_at).total_seconds()),
                    end_reason=EndReason.SWITCHED if stop != time(16, 30) else EndReason.STOPPED,
                    switch_policy=True,
                    metadata={"demo": True},
                )
            )
    WorkSession.objects.bulk_create(sessions)
