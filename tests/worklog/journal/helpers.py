"""Builders for journal tests: a user's client hierarchy in one call."""

from dataclasses import dataclass
from datetime import date

from worklog.journal.services import create_node
from worklog.models import Client, Epic, Feature, Project, Sprint, Story, Task


@dataclass
class Tree:
    client: Client
    project: Project
    sprint: Sprint
    epic: Epic
    feature: Feature
    story: Story
    task: Task


def make_tree(user, name: str = "Acme") -> Tree:
    client = create_node(user, level="client", name=name)
    project = create_node(user, level="project", name=f"{name} site", parent=client)
    sprint = create_node(
        user,
        level="sprint",
        name="Sprint 1",
        parent=project,
        start_date=date(2026, 11, 30),
        end_date=date(2026, 12, 13),
    )
    epic = create_node(user, level="epic", name="Checkout", parent=project)
    feature = create_node(user, level="feature", name="Payments", parent=epic)
    story = create_node(user, level="story", name="Pay by card", parent=feature)
    task = create_node(user, level="task", name="Card form", parent=story)
    return Tree(client, project, sprint, epic, feature, story, task)
