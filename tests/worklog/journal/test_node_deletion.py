"""Hierarchy nodes are deleted (softly) when nothing refers to them, and a deleted node's name
can be used again."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from worklog.journal.reports import generate_report
from worklog.journal.services import (
    create_node,
    create_preset,
    create_worklog,
    delete_node,
    delete_worklog,
    restore_worklog,
)
from worklog.models import Client, Project, Task, WorkLog
from worklog.timer.services import start_session

from .helpers import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(user):
    return make_tree(user)


def test_a_node_nothing_refers_to_is_deleted_and_its_name_reused(user, tree):
    delete_node(user, tree.task)
    assert not Task.objects.filter(pk=tree.task.pk).exists()
    assert Task.all_objects.get(pk=tree.task.pk).is_deleted
    again = create_node(user, level="task", name="Card form", parent=tree.story)
    assert again.pk != tree.task.pk
    client = create_node(user, level="client", name="Initech")
    delete_node(user, client)
    assert create_node(user, level="client", name="Initech").name == "Initech"
    with pytest.raises(ValidationError):
        create_node(user, level="client", name="Initech")


def log_on(user, client):
    create_worklog(user, occurred_on=date(2026, 12, 1), content="x", client=client)


def preset_on(user, client):
    create_preset(user, name="Daily", client=client)


def report_on(user, client):
    generate_report(user, kind="weekly", anchor=date(2026, 12, 1), client=client)


@pytest.mark.parametrize(
    "refer, what",
    [(None, "1 project"), (log_on, "1 work log"), (preset_on, "1 preset"), (report_on, "1 report")],
)
def test_a_node_in_use_is_not_deleted_and_the_refusal_says_by_what(user, tree, refer, what):
    if refer is not None:
        # Without its project, so that the reference asked about is the only one.
        for node in (tree.task, tree.story, tree.feature, tree.epic, tree.sprint, tree.project):
            delete_node(user, node)
        refer(user, tree.client)
    with pytest.raises(ValidationError, match=what):
        delete_node(user, tree.client)
    assert Client.objects.filter(pk=tree.client.pk).exists()


def test_a_task_timed_on_the_timer_is_in_use(user, tree):
    start_session(user, target=tree.task)
    with pytest.raises(ValidationError, match="1 timer session"):
        delete_node(user, tree.task)


def test_deleted_logs_do_not_keep_a_node_and_lose_it_when_restored(user, tree):
    worklog = create_worklog(user, occurred_on=date(2026, 12, 1), content="x", task=tree.task)
    delete_worklog(worklog)
    delete_node(user, tree.task)
    restored = restore_worklog(WorkLog.all_objects.get(pk=worklog.pk))
    restored.refresh_from_db()
    assert restored.task is None and restored.story == tree.story


def test_another_users_node_is_not_deleted(user, other_user, tree):
    with pytest.raises(ValidationError):
        delete_node(other_user, tree.task)
    assert Task.objects.filter(pk=tree.task.pk).exists()


def test_nodes_are_deleted_from_the_hierarchy_page(user_client, user, tree):
    page = user_client.get(reverse("worklog:journal-hierarchy")).content.decode()
    delete_url = reverse("worklog:journal-node-delete", args=["task", tree.task.pk])
    assert delete_url in page
    response = user_client.post(delete_url)
    assert response.status_code == 302
    assert not Task.objects.filter(pk=tree.task.pk).exists()
    in_use = user_client.post(
        reverse("worklog:journal-node-delete", args=["project", tree.project.pk])
    )
    assert in_use.status_code == 409
    body = in_use.content.decode()
    assert "still used by" in body and "1 sprint" in body and "1 epic" in body
    assert Project.objects.filter(pk=tree.project.pk).exists()
    unknown = user_client.post(
        reverse("worklog:journal-node-delete", args=["galaxy", tree.task.pk])
    )
    assert unknown.status_code == 404


def test_node_deletion_is_hidden_from_another_user(tree, assert_hidden_from_other_user):
    assert_hidden_from_other_user(
        reverse("worklog:journal-node-delete", args=["task", tree.task.pk]), method="post"
    )
    assert Task.objects.filter(pk=tree.task.pk).exists()
