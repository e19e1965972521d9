"""Managing the journal from its pages, not only the admin: renaming and deactivating the
hierarchy's nodes (with a project's or sprint's dates), editing and deactivating presets, and
deleting a stored report."""

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import HEADER_QUERIES
from worklog.journal.reports import generate_report
from worklog.journal.services import create_preset, create_worklog
from worklog.models import Project, Sprint, WorkLogPreset, WorkLogReport

from .helpers import make_tree

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def tree(user):
    return make_tree(user)


def node_url(level, node):
    return reverse("worklog:journal-node-edit", args=[level, node.pk])


def test_hierarchy_links_each_node_to_its_edit_form(user_client, tree):
    page = user_client.get(reverse("worklog:journal-hierarchy")).content.decode()
    for level in ("client", "project", "sprint", "epic", "feature", "story", "task"):
        assert node_url(level, getattr(tree, level)) in page


def test_a_node_is_renamed_and_deactivated(user_client, tree):
    page = user_client.get(node_url("task", tree.task))
    assert page.status_code == 200 and b"Card form" in page.content
    response = user_client.post(
        node_url("task", tree.task), {"name": "Card form v2", "description": "", "is_active": ""}
    )
    assert response.status_code == 302
    tree.task.refresh_from_db()
    assert tree.task.name == "Card form v2" and not tree.task.is_active
    page = user_client.get(reverse("worklog:journal-hierarchy")).content.decode()
    assert "Card form v2" in page and "(inactive)" in page


def test_project_dates_are_edited_and_a_reversed_range_is_refused(user_client, tree):
    data = {"name": "Acme site", "role": "Lead", "is_active": "on"}
    response = user_client.post(
        node_url("project", tree.project),
        {**data, "started_on": "2026-12-05", "ended_on": "2026-12-01"},
    )
    assert response.status_code == 422
    assert b"cannot end before it starts" in response.content
    tree.project.refresh_from_db()
    assert tree.project.started_on is None and tree.project.role == ""
    response = user_client.post(
        node_url("project", tree.project),
        {**data, "started_on": "2026-12-01", "ended_on": "2026-12-31"},
    )
    assert response.status_code == 302
    tree.project.refresh_from_db()
    assert tree.project.ended_on == date(2026, 12, 31) and tree.project.role == "Lead"


def test_sprint_with_a_reversed_range_is_refused(user_client, tree):
    response = user_client.post(
        node_url("sprint", tree.sprint),
        {"name": "Sprint 1", "start_date": "2026-12-05", "end_date": "2026-12-01"},
    )
    assert response.status_code == 422
    assert Sprint.objects.get(pk=tree.sprint.pk).end_date == date(2026, 12, 13)


def test_a_rename_to_a_sibling_name_is_refused(user_client, user, tree):
    from worklog.journal.services import create_node

    create_node(user, level="project", name="Other site", parent=tree.client)
    response = user_client.post(
        node_url("project", tree.project), {"name": "Other site", "is_active": "on"}
    )
    assert response.status_code == 422
    assert "Edit project “Acme site”" in response.content.decode()
    assert "already exists" in response.content.decode()
    assert Project.objects.get(pk=tree.project.pk).name == "Acme site"


def test_node_edit_is_hidden_from_other_users_and_unknown_levels_are_404(
    user_client, tree, assert_hidden_from_other_user
):
    for level in ("client", "project", "sprint", "epic", "feature", "story", "task"):
        url = node_url(level, getattr(tree, level))
        assert_hidden_from_other_user(url)
        assert_hidden_from_other_user(url, method="post", data={"name": "Stolen"})
    assert user_client.get(node_url("bogus", tree.task)).status_code == 404
    assert user_client.get(node_url("project", tree.task)).status_code == 404
    tree.client.refresh_from_db()
    assert tree.client.name == "Acme"


def test_inactive_nodes_are_not_offered_but_a_log_keeps_its_own(user_client, user, tree):
    worklog = create_worklog(user, occurred_on=date(2026, 12, 2), content="x", task=tree.task)
    user_client.post(node_url("task", tree.task), {"name": "Card form", "is_active": ""})
    entry = user_client.get(reverse("worklog:journal-entry")).content.decode()
    pickers = user_client.get(
        f"{reverse('worklog:journal-pickers')}?story={tree.story.pk}&changed=story"
    ).content.decode()
    assert str(tree.task.pk) not in entry and str(tree.task.pk) not in pickers
    edit = user_client.get(reverse("worklog:journal-edit", args=[worklog.pk])).content.decode()
    assert str(tree.task.pk) in edit


def test_a_preset_is_edited_and_deactivated(user_client, user, tree):
    preset = create_preset(user, name="Support", default_tags="help")
    url = reverse("worklog:journal-preset-edit", args=[preset.pk])
    page = user_client.get(url)
    assert page.status_code == 200 and b'value="Support"' in page.content
    assert url in user_client.get(reverse("worklog:journal-presets")).content.decode()
    response = user_client.post(
        url,
        {
            "name": "Support desk",
            "client": str(tree.client.pk),
            "default_work_type": "support",
            "default_tags": "Help, Desk",
            "is_active": "",
        },
    )
    assert response.status_code == 302
    preset.refresh_from_db()
    assert preset.name == "Support desk" and not preset.is_active
    assert preset.default_tags == ["desk", "help"] and preset.client == tree.client
    entry = user_client.get(reverse("worklog:journal-entry")).content.decode()
    assert "Support desk" not in entry


def test_a_preset_edit_with_another_users_project_is_refused(user_client, user, other_user):
    preset = create_preset(user, name="Support")
    theirs = make_tree(other_user, name="Theirs")
    response = user_client.post(
        reverse("worklog:journal-preset-edit", args=[preset.pk]),
        {"name": "Stolen", "project": str(theirs.project.pk), "default_work_type": "support"},
    )
    assert response.status_code == 422
    assert WorkLogPreset.objects.get(pk=preset.pk).name == "Support"


def test_preset_edit_is_hidden_from_other_users(user, assert_hidden_from_other_user):
    preset = create_preset(user, name="Mine")
    url = reverse("worklog:journal-preset-edit", args=[preset.pk])
    assert_hidden_from_other_user(url)
    assert_hidden_from_other_user(
        url, method="post", data={"name": "Stolen", "default_work_type": "support"}
    )
    assert WorkLogPreset.objects.get(pk=preset.pk).name == "Mine"


def test_a_report_is_deleted_from_its_page(user_client, user):
    report = generate_report(user, kind="weekly", anchor=date(2026, 12, 2))
    detail = user_client.get(reverse("worklog:journal-report", args=[report.pk])).content.decode()
    delete_url = reverse("worklog:journal-report-delete", args=[report.pk])
    assert delete_url in detail
    response = user_client.post(delete_url)
    assert response.status_code == 302 and response["Location"] == reverse(
        "worklog:journal-reports"
    )
    assert not WorkLogReport.objects.filter(pk=report.pk).exists()
    assert user_client.get(reverse("worklog:journal-report", args=[report.pk])).status_code == 404


def test_report_delete_is_hidden_from_other_users(user, assert_hidden_from_other_user):
    report = generate_report(user, kind="weekly", anchor=date(2026, 12, 2))
    assert_hidden_from_other_user(
        reverse("worklog:journal-report-delete", args=[report.pk]), method="post"
    )
    assert WorkLogReport.objects.filter(pk=report.pk).exists()


def test_entry_from_another_users_preset_or_session_is_404(
    user, other_user, assert_hidden_from_other_user
):
    from worklog.timer.services import start_session, stop_session

    preset = create_preset(user, name="Mine")
    start_session(user)
    session = stop_session(user)
    entry = reverse("worklog:journal-entry")
    assert_hidden_from_other_user(f"{entry}?preset={preset.pk}")
    assert_hidden_from_other_user(f"{entry}?session={session.pk}")


def test_admin_hierarchy_filters_by_owner_and_parent(admin_client, user, other_user, tree):
    theirs = make_tree(other_user, name="Globex")
    projects = reverse("admin:worklog_project_changelist")
    by_owner = admin_client.get(f"{projects}?client__user__id__exact={user.pk}").content.decode()
    assert "Acme site" in by_owner and "Globex site" not in by_owner
    tasks = reverse("admin:worklog_task_changelist")
    by_parent = admin_client.get(f"{tasks}?story__id__exact={theirs.story.pk}")
    assert by_parent.status_code == 200
    assert f"/{theirs.task.pk}/change/" in by_parent.content.decode()
    assert f"/{tree.task.pk}/change/" not in by_parent.content.decode()


@pytest.mark.parametrize("clients", [1, 6])
def test_hierarchy_and_node_edit_pages_run_a_fixed_number_of_queries(
    user_client, user, tree, clients, django_assert_num_queries
):
    for number in range(1, clients):
        make_tree(user, name=f"Client {number}")
    # Session and user, one query per level of the tree and, on the page's add form, one per
    # level that can be a parent; the edit page's form loads its node instead.
    with django_assert_num_queries(14 + HEADER_QUERIES):
        assert user_client.get(reverse("worklog:journal-hierarchy")).status_code == 200
    with django_assert_num_queries(10 + HEADER_QUERIES):
        assert user_client.get(node_url("task", tree.task)).status_code == 200
