"""The journal's data model: constraints, hierarchy validation, backfilling, derived hours."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from worklog.journal.services import create_node, create_worklog
from worklog.models import (
    BulletKind,
    Client,
    EnrichmentStatus,
    Project,
    SignalStatus,
    WorkLog,
    WorkLogStatus,
    WorkType,
)

from .helpers import make_tree

pytestmark = pytest.mark.django_db


def test_enumerations_match_the_seed():
    assert WorkType.values == ["delivery", "planning", "incident", "support", "learning", "other"]
    assert WorkLogStatus.values == ["draft", "ready", "final", "archived"]
    assert EnrichmentStatus.values == ["pending", "enriched", "reviewed", "rejected", "error"]
    assert SignalStatus.values == ["suggested", "accepted", "rejected"]
    assert BulletKind.values == ["note", "status", "resume"]


@pytest.mark.parametrize(
    "level,parent_attr",
    [
        ("project", "client"),
        ("sprint", "project"),
        ("epic", "project"),
        ("feature", "epic"),
        ("story", "feature"),
        ("task", "story"),
    ],
)
def test_names_are_unique_under_their_parent(user, level, parent_attr):
    tree = make_tree(user)
    existing = getattr(tree, level)
    with pytest.raises(ValidationError):
        create_node(user, level=level, name=existing.name, parent=getattr(tree, parent_attr))
    with pytest.raises(IntegrityError), transaction.atomic():
        type(existing).objects.create(
            name=existing.name, **{parent_attr: getattr(tree, parent_attr)}
        )


def test_client_names_are_unique_per_user_only(user, other_user):
    create_node(user, level="client", name="Acme")
    create_node(other_user, level="client", name="Acme")
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(user=user, name="Acme")


def test_project_cannot_end_before_it_starts(user):
    client = create_node(user, level="client", name="Acme")
    with pytest.raises(ValidationError) as error:
        create_node(
            user,
            level="project",
            name="Late",
            parent=client,
            started_on=date(2026, 5, 2),
            ended_on=date(2026, 5, 1),
        )
    assert "ended_on" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(
            client=client, name="Late", started_on=date(2026, 5, 2), ended_on=date(2026, 5, 1)
        )


def test_sprint_cannot_end_before_it_starts(user):
    tree = make_tree(user)
    with pytest.raises(ValidationError) as error:
        create_node(
            user,
            level="sprint",
            name="Backwards",
            parent=tree.project,
            start_date=date(2026, 5, 2),
            end_date=date(2026, 5, 1),
        )
    assert "end_date" in error.value.message_dict


def test_a_task_backfills_every_parent(user):
    tree = make_tree(user)
    worklog = create_worklog(
        user, occurred_on=date(2026, 12, 1), content="Built it", task=tree.task
    )
    assert (worklog.story, worklog.feature, worklog.epic, worklog.project, worklog.client) == (
        tree.story,
        tree.feature,
        tree.epic,
        tree.project,
        tree.client,
    )


def test_a_sprint_backfills_project_and_client(user):
    tree = make_tree(user)
    worklog = create_worklog(user, occurred_on=date(2026, 12, 1), content="x", sprint=tree.sprint)
    assert worklog.project == tree.project and worklog.client == tree.client


def test_an_inconsistent_hierarchy_is_refused(user):
    tree = make_tree(user)
    other = make_tree(user, name="Globex")
    with pytest.raises(ValidationError) as error:
        create_worklog(
            user, occurred_on=date(2026, 12, 1), content="x", task=tree.task, project=other.project
        )
    assert "epic" in error.value.message_dict
    assert not WorkLog.objects.exists()


def test_another_users_objects_are_refused(user, other_user):
    theirs = make_tree(other_user)
    with pytest.raises(ValidationError) as error:
        create_worklog(user, occurred_on=date(2026, 12, 1), content="x", client=theirs.client)
    assert "client" in error.value.message_dict
    with pytest.raises(ValidationError):
        create_node(user, level="project", name="Sneaky", parent=theirs.client)
    assert not WorkLog.objects.exists()


def test_content_and_occurred_on_are_required(user):
    with pytest.raises(ValidationError) as error:
        create_worklog(user, content="")
    assert {"content", "occurred_on"} <= set(error.value.message_dict)


def test_hours_are_derived_from_effort(user):
    worklog = create_worklog(user, occurred_on=date(2026, 12, 1), content="x", effort_minutes=95)
    assert worklog.hours == Decimal("1.58")


def test_tags_are_normalised(user):
    worklog = create_worklog(
        user, occurred_on=date(2026, 12, 1), content="x", tags="Django, htmx ,django,"
    )
    assert worklog.tags == ["django", "htmx"]


def test_soft_deleted_work_logs_are_hidden_and_restorable(user):
    worklog = create_worklog(user, occurred_on=date(2026, 12, 1), content="x")
    worklog.delete()
    assert not WorkLog.objects.exists() and WorkLog.all_objects.count() == 1
    worklog.restore()
    assert WorkLog.objects.count() == 1
