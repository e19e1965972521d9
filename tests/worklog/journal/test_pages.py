"""The journal's pages: quick entry, list, detail, links, attachments, enrichment review,
hierarchy, presets, reports, and the offer to log a stopped timer session."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from worklog.journal.enrichment import run_enrichment
from worklog.journal.reports import generate_report
from worklog.journal.services import (
    add_attachment,
    add_external_link,
    create_preset,
    create_worklog,
)
from worklog.models import (
    Attachment,
    Client,
    EnrichmentStatus,
    SignalStatus,
    Task,
    WorkLog,
    WorkLogPreset,
    WorkLogReport,
    WorkSession,
)

from .helpers import make_tree

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
DAY = date(2026, 12, 2)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def tree(user):
    return make_tree(user)


@pytest.fixture
def worklog(user, tree):
    return create_worklog(
        user,
        occurred_on=DAY,
        title="Card form with Django",
        content="Built the card form and its tests.",
        outcome="payments work",
        task=tree.task,
        effort_minutes=90,
        tags="payments",
    )


def is_selected(body: str, pk) -> bool:
    return re.search(rf'<option value="{pk}"\s+selected', body) is not None


def entry_data(**overrides):
    return {
        "title": "Fixed checkout",
        "content": "Fixed the checkout bug",
        "occurred_on": DAY.isoformat(),
        "effort_minutes": "45",
        "work_type": "delivery",
        "status": "ready",
        "tags": "bugs, checkout",
        **overrides,
    }


def test_quick_entry_creates_a_log_with_backfilled_hierarchy(user_client, user, tree):
    response = user_client.post(
        reverse("worklog:journal-entry"), entry_data(task=tree.task.pk, is_billable="on")
    )
    worklog = WorkLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("worklog:journal-detail", args=[worklog.pk])
    assert worklog.client == tree.client and worklog.story == tree.story
    assert worklog.tags == ["bugs", "checkout"] and worklog.is_billable
    assert worklog.source == "manual"


def test_quick_entry_refuses_another_users_ids(user_client, other_user):
    theirs = make_tree(other_user)
    response = user_client.post(reverse("worklog:journal-entry"), entry_data(task=theirs.task.pk))
    assert response.status_code == 422
    assert not WorkLog.objects.exists()


def test_quick_entry_refuses_an_inconsistent_hierarchy(user_client, user, tree):
    other = make_tree(user, name="Globex")
    response = user_client.post(
        reverse("worklog:journal-entry"),
        entry_data(client=other.client.pk, project=tree.project.pk),
    )
    assert response.status_code == 422
    assert not WorkLog.objects.exists()


def test_entry_offers_only_own_objects(user_client, tree, other_user):
    make_tree(other_user, name="Theirs")
    body = user_client.get(reverse("worklog:journal-entry")).content.decode()
    assert "Acme site" in body and "Theirs" not in body


def test_pickers_narrow_each_other(user_client, user, tree):
    other = make_tree(user, name="Globex")
    response = user_client.get(
        reverse("worklog:journal-pickers"), {"client": tree.client.pk}, headers=HTMX
    )
    body = response.content.decode()
    assert 'id="hierarchy-pickers"' in body and "<html" not in body
    assert str(tree.project.pk) in body and str(other.project.pk) not in body
    assert str(other.client.pk) in body  # the client picker itself still offers every client


def test_preset_prefills_the_entry_form(user_client, user, tree):
    preset = create_preset(
        user,
        name="Acme support",
        project=tree.project,
        default_work_type="support",
        default_tags="acme",
        intake_prompt="Which ticket?",
    )
    body = user_client.get(reverse("worklog:journal-entry"), {"preset": preset.pk}).content.decode()
    assert "Which ticket?" in body and 'value="acme"' in body
    assert is_selected(body, tree.project.pk)
    response = user_client.post(
        reverse("worklog:journal-entry"),
        entry_data(preset=preset.pk, project=tree.project.pk, work_type="support"),
    )
    assert response.status_code == 302
    assert WorkLog.objects.get().source == "preset"


def test_another_users_preset_is_404(user_client, other_user):
    preset = create_preset(other_user, name="Theirs")
    response = user_client.get(reverse("worklog:journal-entry"), {"preset": preset.pk})
    assert response.status_code == 404


def test_stopping_a_session_on_a_task_offers_a_draft(user_client, user, tree):
    WorkSession.objects.create(
        user=user,
        target=tree.task,
        started_at=timezone.now() - timedelta(minutes=50),
        effective_at=timezone.now() - timedelta(minutes=50),
    )
    response = user_client.post(reverse("worklog:timer-stop"), headers=HTMX)
    body = response.content.decode()
    session = WorkSession.objects.get()
    url = f"{reverse('worklog:journal-entry')}?session={session.pk}"
    assert 'data-testid="log-work"' in body and url in body
    form = user_client.get(url).content.decode()
    assert 'name="effort_minutes" value="50"' in form
    assert is_selected(form, tree.task.pk)
    assert is_selected(form, tree.client.pk)


def test_stopping_an_untargeted_session_offers_nothing(user_client, user):
    WorkSession.objects.create(user=user, started_at=timezone.now() - timedelta(minutes=5))
    body = user_client.post(reverse("worklog:timer-stop"), headers=HTMX).content.decode()
    assert 'data-testid="log-work"' not in body


def test_journal_tasks_and_projects_are_timer_targets(user_client, tree, other_user):
    make_tree(other_user, name="Theirs")
    body = user_client.get(reverse("worklog:timer-targets"), {"q": "card"}).content.decode()
    assert "Card form" in body
    body = user_client.get(reverse("worklog:timer-targets"), {"q": "site"}).content.decode()
    assert "Acme site" in body and "Theirs site" not in body


def test_list_by_week_and_day_with_filters(user_client, user, worklog, tree):
    other = make_tree(user, name="Globex")
    create_worklog(
        user,
        occurred_on=DAY + timedelta(days=1),
        content="Globex planning",
        client=other.client,
        work_type="planning",
        status="final",
    )
    url = reverse("worklog:journal")
    week = user_client.get(url, {"date": DAY.isoformat()}).content.decode()
    assert "Card form with Django" in week and "Globex planning" in week
    day = user_client.get(url, {"date": DAY.isoformat(), "view": "day"}).content.decode()
    assert "Card form with Django" in day and "Globex planning" not in day
    for params in (
        {"client": tree.client.pk},
        {"project": tree.project.pk},
        {"status": "draft"},
        {"work_type": "delivery"},
        {"tag": "payments"},
        {"text": "card form"},
    ):
        body = user_client.get(url, {"date": DAY.isoformat(), **params}).content.decode()
        assert "Card form with Django" in body and "Globex planning" not in body, params
    partial = user_client.get(url, {"date": DAY.isoformat(), "status": "final"}, headers=HTMX)
    assert "<html" not in partial.content.decode() and "Globex planning" in partial.content.decode()


def test_list_filter_with_another_users_client_is_400(user_client, other_user):
    theirs = make_tree(other_user)
    response = user_client.get(reverse("worklog:journal"), {"client": theirs.client.pk})
    assert response.status_code == 400


def test_edit_and_delete_with_undo(user_client, worklog, tree):
    data = entry_data(title="Renamed", task=tree.task.pk)
    response = user_client.post(reverse("worklog:journal-edit", args=[worklog.pk]), data)
    assert response.status_code == 302
    worklog.refresh_from_db()
    assert worklog.title == "Renamed" and worklog.status == "ready"
    response = user_client.post(reverse("worklog:journal-delete", args=[worklog.pk]))
    assert response.status_code == 302 and f"undo={worklog.pk}" in response["Location"]
    assert not WorkLog.objects.exists()
    page = user_client.get(response["Location"]).content.decode()
    assert 'data-testid="undo"' in page
    user_client.post(reverse("worklog:journal-restore", args=[worklog.pk]))
    assert WorkLog.objects.filter(pk=worklog.pk).exists()


def test_links_fill_system_and_key(user_client, worklog):
    response = user_client.post(
        reverse("worklog:journal-link-add", args=[worklog.pk]),
        {"url": "https://acme.atlassian.net/browse/PAY-9"},
        headers=HTMX,
    )
    assert response.status_code == 200 and 'id="links"' in response.content.decode()
    link = worklog.external_links.get()
    assert (link.system, link.key) == ("jira", "PAY-9")
    bad = user_client.post(
        reverse("worklog:journal-link-add", args=[worklog.pk]), {"url": "nope"}, headers=HTMX
    )
    assert bad.status_code == 422 and worklog.external_links.count() == 1


def test_attachment_upload_and_owner_only_download(
    user_client, worklog, assert_hidden_from_other_user, attachment_storage
):
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = user_client.post(
        reverse("worklog:journal-attachment-add", args=[worklog.pk]), {"file": upload}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment_storage() == [attachment.object_key]
    url = reverse("worklog:journal-attachment", args=[attachment.pk])
    download = user_client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"hello"
    assert download["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert download["Content-Type"] == "text/plain"
    assert download["Content-Length"] == "5"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert_hidden_from_other_user(url)


def test_attachment_missing_from_storage_is_404(user_client, worklog, attachment_storage):
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    attachment = add_attachment(worklog, uploaded_by=worklog.user, upload=upload)
    default_storage.delete(attachment.object_key)
    url = reverse("worklog:journal-attachment", args=[attachment.pk])
    assert user_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "name,body,content_type",
    [("big.txt", b"x" * 2048, "text/plain"), ("a.exe", b"x", "application/x-msdownload")],
)
def test_bad_uploads_are_refused(
    user_client, worklog, settings, attachment_storage, name, body, content_type
):
    settings.JOURNAL_ATTACHMENT_MAX_BYTES = 1024
    upload = SimpleUploadedFile(name, body, content_type=content_type)
    response = user_client.post(
        reverse("worklog:journal-attachment-add", args=[worklog.pk]), {"file": upload}
    )
    assert response.status_code == 422
    assert not Attachment.objects.exists() and attachment_storage() == []


def test_enrich_review_and_select_through_the_page(user_client, worklog):
    response = user_client.post(reverse("worklog:journal-enrich", args=[worklog.pk]), headers=HTMX)
    assert response.status_code == 200 and 'id="enrichment"' in response.content.decode()
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.ENRICHED
    signal = worklog.skill_signals.get(name="Django")
    user_client.post(
        reverse("worklog:journal-signal-review", args=[signal.pk]),
        {"decision": "accept"},
        headers=HTMX,
    )
    bullet = worklog.bullets.first()
    user_client.post(
        reverse("worklog:journal-bullet-review", args=[bullet.pk]),
        {"decision": "accept"},
        headers=HTMX,
    )
    signal.refresh_from_db()
    bullet.refresh_from_db()
    worklog.refresh_from_db()
    assert signal.status == SignalStatus.ACCEPTED and bullet.is_selected
    assert worklog.enrichment_status == EnrichmentStatus.REVIEWED
    user_client.post(
        reverse("worklog:journal-bullet-review", args=[bullet.pk]), {"select": "no"}, headers=HTMX
    )
    bullet.refresh_from_db()
    assert not bullet.is_selected
    user_client.post(reverse("worklog:journal-reject-suggestions", args=[worklog.pk]), headers=HTMX)
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.REJECTED


def test_hierarchy_page_adds_nodes_and_refuses_wrong_parents(user_client, user, tree, other_user):
    url = reverse("worklog:journal-hierarchy")
    assert user_client.post(url, {"level": "client", "name": "Initech"}).status_code == 302
    assert Client.objects.filter(user=user, name="Initech").exists()
    response = user_client.post(
        url, {"level": "task", "name": "New task", "parent": f"story:{tree.story.pk}"}
    )
    assert response.status_code == 302 and Task.objects.filter(name="New task").exists()
    wrong_level = user_client.post(
        url, {"level": "task", "name": "Bad", "parent": f"epic:{tree.epic.pk}"}
    )
    theirs = make_tree(other_user, name="Theirs")
    foreign = user_client.post(
        url, {"level": "task", "name": "Bad", "parent": f"story:{theirs.story.pk}"}
    )
    duplicate = user_client.post(url, {"level": "client", "name": "Acme"})
    assert (wrong_level.status_code, foreign.status_code, duplicate.status_code) == (422, 422, 422)
    assert not Task.objects.filter(name="Bad").exists()
    body = user_client.get(url).content.decode()
    assert "Card form" in body and "Theirs" not in body


def test_presets_page(user_client, user, tree):
    url = reverse("worklog:journal-presets")
    response = user_client.post(
        url,
        {
            "name": "Acme",
            "project": tree.project.pk,
            "default_work_type": "support",
            "default_tags": "a, b",
        },
    )
    assert response.status_code == 302
    preset = WorkLogPreset.objects.get()
    assert preset.client == tree.client and preset.default_tags == ["a", "b"]
    user_client.post(reverse("worklog:journal-preset-delete", args=[preset.pk]))
    assert not WorkLogPreset.objects.exists()


def test_reports_page_generates_and_downloads(user_client, worklog):
    response = user_client.post(
        reverse("worklog:journal-reports"), {"kind": "weekly", "anchor": DAY.isoformat()}
    )
    report = WorkLogReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("worklog:journal-report", args=[report.pk])
    page = user_client.get(response["Location"]).content.decode()
    assert "<svg" in page and "Card form with Django" in page and "1.50" in page
    assert "Tracked with the timer on these tasks and projects" in page
    markdown = user_client.get(reverse("worklog:journal-report-md", args=[report.pk]))
    assert markdown["Content-Type"].startswith("text/markdown")
    assert b"# Week" in markdown.content
    csv_response = user_client.get(reverse("worklog:journal-report-csv", args=[report.pk]))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert b"Card form with Django" in csv_response.content


def test_one_minute_is_said_in_the_singular_on_the_list_and_the_report_chart(user_client, user):
    create_worklog(user, occurred_on=DAY, title="Quick call", content="Call.", effort_minutes=1)
    listing = user_client.get(reverse("worklog:journal"), {"date": DAY.isoformat()})
    assert "1 work log, 1 minute<" in listing.content.decode()
    report = generate_report(user, kind="weekly", anchor=DAY)
    page = user_client.get(reverse("worklog:journal-report", args=[report.pk])).content.decode()
    chart = page.split('id="hours-chart-title"')[1].split("</svg>")[0]
    assert ": 1 minute</title>" in chart and "0.0 hours" not in chart


def test_report_with_a_bad_range_is_refused(user_client, worklog):
    response = user_client.post(
        reverse("worklog:journal-reports"),
        {"kind": "custom", "period_start": "2026-12-05", "period_end": "2026-12-01"},
    )
    assert response.status_code == 422
    assert not WorkLogReport.objects.exists()


def test_every_page_is_hidden_from_another_user(user, worklog, assert_hidden_from_other_user):
    run_enrichment(worklog.pk)
    report = generate_report(user, kind="weekly", anchor=DAY)
    signal, bullet = worklog.skill_signals.first(), worklog.bullets.first()
    for name in ("journal-detail", "journal-edit"):
        assert_hidden_from_other_user(reverse(f"worklog:{name}", args=[worklog.pk]))
    for name, data in (
        ("journal-edit", entry_data()),
        ("journal-delete", {}),
        ("journal-link-add", {"url": "https://github.com/a/b"}),
        ("journal-enrich", {}),
        ("journal-reject-suggestions", {}),
        ("journal-bullet-add", {"text": "x"}),
        ("journal-attachment-add", {"description": "x"}),
    ):
        assert_hidden_from_other_user(
            reverse(f"worklog:{name}", args=[worklog.pk]), method="post", data=data
        )
    assert_hidden_from_other_user(
        reverse("worklog:journal-signal-review", args=[signal.pk]),
        method="post",
        data={"decision": "accept"},
    )
    assert_hidden_from_other_user(
        reverse("worklog:journal-bullet-review", args=[bullet.pk]),
        method="post",
        data={"decision": "accept"},
    )
    for name in ("journal-report", "journal-report-md", "journal-report-csv"):
        assert_hidden_from_other_user(reverse(f"worklog:{name}", args=[report.pk]))
    preset = create_preset(user, name="Mine")
    assert_hidden_from_other_user(
        reverse("worklog:journal-preset-delete", args=[preset.pk]), method="post"
    )
    worklog.delete()
    assert_hidden_from_other_user(
        reverse("worklog:journal-restore", args=[worklog.pk]), method="post"
    )
    worklog.refresh_from_db()
    assert worklog.is_deleted
    assert signal.__class__.objects.get(pk=signal.pk).status == SignalStatus.SUGGESTED


def test_admin_pages_list_every_journal_model(admin_client, worklog):
    run_enrichment(worklog.pk)
    for model in (
        "client",
        "project",
        "sprint",
        "epic",
        "feature",
        "story",
        "task",
        "worklog",
        "worklogskillsignal",
        "worklogbullet",
        "worklogexternallink",
        "attachment",
        "worklogpreset",
        "worklogreport",
    ):
        assert admin_client.get(reverse(f"admin:worklog_{model}_changelist")).status_code == 200
    change = admin_client.get(reverse("admin:worklog_worklog_change", args=[worklog.pk]))
    assert change.status_code == 200 and "Django" in change.content.decode()


def test_quick_entry_refuses_another_users_preset_or_session(user_client, other_user):
    preset = create_preset(other_user, name="Theirs")
    session = WorkSession.objects.create(
        user=other_user,
        started_at=timezone.now() - timedelta(minutes=5),
        stopped_at=timezone.now(),
        duration_seconds=300,
    )
    for hidden in ({"preset": preset.pk}, {"session": session.pk}):
        response = user_client.post(reverse("worklog:journal-entry"), entry_data(**hidden))
        assert response.status_code == 422
    assert not WorkLog.objects.exists()


def test_picking_a_task_fills_its_parents_and_changing_a_parent_clears_below(
    user_client, user, tree
):
    url = reverse("worklog:journal-pickers")
    body = user_client.get(url, {"task": tree.task.pk, "changed": "task"}, headers=HTMX)
    body = body.content.decode()
    for node in (tree.client, tree.project, tree.epic, tree.feature, tree.story, tree.task):
        assert is_selected(body, node.pk), node
    other = make_tree(user, name="Globex")
    body = user_client.get(
        url,
        {
            "client": other.client.pk,
            "project": tree.project.pk,
            "task": tree.task.pk,
            "changed": "client",
        },
        headers=HTMX,
    ).content.decode()
    assert is_selected(body, other.client.pk)
    assert not is_selected(body, tree.project.pk) and not is_selected(body, tree.task.pk)


def test_pickers_ignore_another_users_node(user_client, other_user):
    theirs = make_tree(other_user)
    response = user_client.get(
        reverse("worklog:journal-pickers"),
        {"task": theirs.task.pk, "changed": "task"},
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert str(theirs.task.pk) not in body and str(theirs.client.pk) not in body


def test_a_resubmitted_entry_form_saves_once(user_client):
    page = user_client.get(reverse("worklog:journal-entry")).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    data = entry_data(idempotency_key=key)
    first = user_client.post(reverse("worklog:journal-entry"), data)
    second = user_client.post(reverse("worklog:journal-entry"), data)
    assert first.status_code == second.status_code == 302
    assert second["Idempotent-Replayed"] == "true"
    assert WorkLog.objects.count() == 1


def test_a_plain_stop_form_lands_on_the_offer(user_client, user, tree):
    WorkSession.objects.create(
        user=user,
        target=tree.project,
        started_at=timezone.now() - timedelta(minutes=20),
        effective_at=timezone.now() - timedelta(minutes=20),
    )
    response = user_client.post(reverse("worklog:timer-stop"))
    session = WorkSession.objects.get()
    assert response.status_code == 302 and f"stopped={session.pk}" in response["Location"]
    page = user_client.get(response["Location"]).content.decode()
    assert f"{reverse('worklog:journal-entry')}?session={session.pk}" in page
    assert user_client.get(reverse("worklog:dashboard"), {"stopped": "junk"}).status_code == 200


def test_adding_a_bullet_of_a_kind(user_client, worklog):
    response = user_client.post(
        reverse("worklog:journal-bullet-add", args=[worklog.pk]),
        {"text": "Unblocked the release", "kind": "status"},
        headers=HTMX,
    )
    assert response.status_code == 200
    bullet = worklog.bullets.get()
    assert (bullet.kind, bullet.status, bullet.is_selected) == ("status", "accepted", True)
    empty = user_client.post(
        reverse("worklog:journal-bullet-add", args=[worklog.pk]), {"text": ""}, headers=HTMX
    )
    assert empty.status_code == 422 and worklog.bullets.count() == 1


def test_links_and_attachments_can_be_removed_by_their_owner_only(
    user_client,
    worklog,
    assert_hidden_from_other_user,
    attachment_storage,
    django_capture_on_commit_callbacks,
):
    link = add_external_link(worklog, url="https://github.com/acme/shop/pull/1")
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    attachment = add_attachment(worklog, uploaded_by=worklog.user, upload=upload)
    link_url = reverse("worklog:journal-link-delete", args=[link.pk])
    attachment_url = reverse("worklog:journal-attachment-delete", args=[attachment.pk])
    assert_hidden_from_other_user(link_url, method="post")
    assert_hidden_from_other_user(attachment_url, method="post")
    assert user_client.post(link_url, headers=HTMX).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert user_client.post(attachment_url, headers=HTMX).status_code == 200
    assert not worklog.external_links.exists() and not Attachment.objects.exists()
    assert attachment_storage() == []
