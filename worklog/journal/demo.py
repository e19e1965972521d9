"""The journal's demo data: a client with a project down to a task, a preset and a few work
logs."""

from datetime import timedelta

from django.utils import timezone

from worklog.journal.models import Client
from worklog.journal.services import create_node, create_preset, create_worklog

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


def load_journal_demo(user) -> None:
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
