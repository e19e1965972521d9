"""Demo data: a week of timed work for the demo user, so the dashboard's list, totals and chart
have something to show, and a confirmed SOP to run. Running it again adds nothing."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from worklog.models import SOP, EndReason, WorkSession
from worklog.services import procedures

DEMO_DAY = [
    (time(9, 0), time(10, 30), "development", "Sprint planning follow-ups"),
    (time(10, 30), time(12, 15), "development", "Timer dashboard"),
    (time(13, 15), time(14, 0), "review", "Code review"),
    (time(14, 0), time(16, 30), "development", "API tokens"),
]


DEMO_SOP_TITLE = "Machine lockout / tagout"
DEMO_SOP = [
    (
        "Prepare",
        [
            ("Notify everyone affected that the machine is going down.", "Operators informed"),
            ("Identify every energy source: electrical, pneumatic, hydraulic.", "Sources listed"),
        ],
    ),
    (
        "Isolate",
        [
            ("Switch the machine off at its controls.", "Machine stopped"),
            ("Open the main disconnect and fit your lock and tag.", "Lock and tag in place"),
            ("Bleed stored pressure from the lines.", "Gauges read zero"),
        ],
    ),
    (
        "Verify",
        [("Try to start the machine: nothing may move.", "No movement on start attempt")],
    ),
]


def load_demo_data(user) -> None:
    _load_timer_demo(user)
    _load_procedure_demo(user)


def _load_procedure_demo(user) -> None:
    if SOP.all_objects.filter(title=DEMO_SOP_TITLE, created_by=user).exists():
        return
    sop = procedures.create_sop(
        user=user,
        title=DEMO_SOP_TITLE,
        description="Make a machine safe before maintenance.",
    )
    for task_title, steps in DEMO_SOP:
        task = procedures.add_task(sop=sop, user=user, title=task_title)
        for instruction, check in steps:
            procedures.add_step(
                task=task, user=user, instruction=instruction, check_description=check
            )
    procedures.confirm_sop(sop=sop, user=user)


def _load_timer_demo(user) -> None:
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
