"""The journal's pages in the query counts: the work log list and a weekly report, with the
user's work logs growing from a few to 100,000 (spread over ten years, so a week holds a few
hundred at the largest size)."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from bench.queries import BATCH, Kind, Page

DAYS_SPREAD = 3650


def _task(user):
    from worklog.journal.services import create_node
    from worklog.models import Task

    task = Task.objects.for_user(user).first()
    if task is None:
        client = create_node(user, level="client", name="Bench client")
        project = create_node(user, level="project", name="Bench project", parent=client)
        epic = create_node(user, level="epic", name="Epic", parent=project)
        feature = create_node(user, level="feature", name="Feature", parent=epic)
        story = create_node(user, level="story", name="Story", parent=feature)
        task = create_node(user, level="task", name="Task", parent=story)
    return task


def _grow_worklogs(user, total: int) -> None:
    from worklog.models import WorkLog, WorkType

    task = _task(user)
    story, feature = task.story, task.story.feature
    epic, project = feature.epic, feature.epic.project
    existing = WorkLog.all_objects.filter(user=user).count()
    today = timezone.localdate()
    work_types = WorkType.values
    WorkLog.objects.bulk_create(
        (
            WorkLog(
                user=user,
                occurred_on=today - timedelta(days=n % DAYS_SPREAD),
                title=f"Work log {n}",
                content="Implemented, reviewed and tested a change.",
                client=project.client,
                project=project,
                epic=epic,
                feature=feature,
                story=story,
                task=task,
                work_type=work_types[n % len(work_types)],
                effort_minutes=60,
                is_billable=n % 3 > 0,
                tags=["bench"],
            )
            for n in range(existing, total)
        ),
        batch_size=BATCH,
    )


def kinds(user) -> list[Kind]:
    from worklog.journal.reports import generate_report

    def weekly_report(client: Client):
        report = generate_report(user, kind="weekly", anchor=timezone.localdate())
        return lambda: client.get(f"/journal/reports/{report.pk}/")

    return [
        Kind(
            "work logs",
            _grow_worklogs,
            [
                Page("journal list", lambda client: lambda: client.get("/journal/")),
                Page("weekly report", weekly_report),
            ],
        )
    ]
