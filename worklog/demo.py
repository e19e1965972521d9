"""Demo data: a week of timed work for the demo user, so the dashboard's list, totals and chart
have something to show, a confirmed SOP to run, and a journal with a client, a project down to a
task, a preset and a few work logs. Running it again adds nothing."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from worklog.models import SOP, Client, EndReason, WorkSession
from worklog.services import procedures
from worklog.services.journal import create_node, create_preset, create_worklog

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
    load_demo_journal(user)


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


DEMO_CLIENT = "Northwind Traders"
DEMO_LOGS = [
    (
        4,
        "Sped up the order report queries",
        "Profiled the PostgreSQL queries behind the order report and added a composite index.",
        "The report loads in 0.3 s instead of 4 s",
        "Sales stopped exporting to spreadsheets",
        150,
        "delivery",
        ["performance", "sql"],
    ),
    (
        2,
        "Planned the checkout sprint",
        "Estimated the payment stories with the team and split the card form task.",
        "",
        "",
        60,
        "planning",
        ["planning"],
    ),
    (
        1,
        "Built the card payment form with Django and htmx",
        "Wrote the form, its validation and tests with pytest.",
        "Card payments work end to end in staging",
        "",
        210,
        "delivery",
        ["django", "payments"],
    ),
]


def load_demo_journal(user) -> None:
    """A client with a project down to a task, a preset, and a few work logs this week."""
    if Client.all_objects.filter(user=user, name=DEMO_CLIENT).exists():
        return
    today = timezone.localdate()
    client = create_node(user, level="client", name=DEMO_CLIENT, website="https://example.com")
    project = create_node(
        user, level="project", name="Web shop", parent=client, role="Lead developer"
    )
    create_node(
        user,
        level="sprint",
        name="Checkout sprint",
        parent=project,
        start_date=today - timedelta(days=today.weekday()),
        end_date=today - timedelta(days=today.weekday()) + timedelta(days=13),
    )
    epic = create_node(user, level="epic", name="Checkout", parent=project)
    feature = create_node(user, level="feature", name="Payments", parent=epic)
    story = create_node(user, level="story", name="Pay by card", parent=feature)
    task = create_node(user, level="task", name="Card form", parent=story)
    create_preset(
        user,
        name="Web shop delivery",
        project=project,
        default_work_type="delivery",
        default_tags=["webshop"],
        intake_prompt="What did you ship, and what changed for the users?",
    )
    for days_back, title, content, outcome, impact, minutes, work_type, tags in DEMO_LOGS:
        create_worklog(
            user,
            occurred_on=today - timedelta(days=days_back),
            title=title,
            content=content,
            outcome=outcome,
            impact=impact,
            effort_minutes=minutes,
            work_type=work_type,
            tags=tags,
            is_billable=work_type == "delivery",
            status="ready",
            task=task if "card" in title.lower() else None,
            project=project,
            metadata={"demo": True},
        )
