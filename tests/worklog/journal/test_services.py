"""Journal services: links, attachments, presets, drafts from timer sessions."""

import hashlib
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.utils import timezone

from worklog.journal.services import (
    add_attachment,
    add_external_link,
    create_preset,
    create_worklog,
    parse_external_url,
    preset_initial,
    session_draft_initial,
    update_worklog,
)
from worklog.models import Attachment, ExternalSystem, WorkLogPreset, WorkSession

from .helpers import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def worklog(user):
    return create_worklog(user, occurred_on=date(2026, 12, 1), content="Fixed the checkout")


@pytest.mark.parametrize(
    "url,system,key",
    [
        ("https://acme.atlassian.net/browse/PAY-123", ExternalSystem.JIRA, "PAY-123"),
        (
            "https://jira.acme.com/secure/RapidBoard.jspa?rapidView=1&selectedIssue=OPS-7",
            ExternalSystem.JIRA,
            "OPS-7",
        ),
        ("https://github.com/acme/shop/pull/42", ExternalSystem.GITHUB, "acme/shop#42"),
        ("https://github.com/acme/shop/issues/7", ExternalSystem.GITHUB, "acme/shop#7"),
        (
            "https://github.com/acme/shop/commit/0123456789abcdef0123",
            ExternalSystem.GITHUB,
            "acme/shop@0123456789ab",
        ),
        ("https://github.com/acme/shop", ExternalSystem.GITHUB, "acme/shop"),
        ("https://example.com/page", ExternalSystem.OTHER, ""),
    ],
)
def test_parse_external_url(url, system, key):
    parsed = parse_external_url(url)
    assert (parsed.system, parsed.key) == (system, key)


def test_pasting_a_github_url_fills_system_key_and_title(worklog):
    link = add_external_link(worklog, url="https://github.com/acme/shop/pull/42")
    assert (link.system, link.key, link.title) == (
        "github",
        "acme/shop#42",
        "Pull request acme/shop#42",
    )


def test_a_given_title_wins(worklog):
    link = add_external_link(worklog, url="https://acme.atlassian.net/browse/PAY-1", title="Pay")
    assert (link.system, link.key, link.title) == ("jira", "PAY-1", "Pay")


def test_a_malformed_url_is_refused(worklog):
    with pytest.raises(ValidationError):
        add_external_link(worklog, url="not a url")
    assert not worklog.external_links.exists()


def test_attachment_is_stored_with_its_checksum(worklog, user, attachment_storage):
    body = b"%PDF-1.4 hello"
    upload = SimpleUploadedFile("notes.pdf", body, content_type="application/pdf")
    attachment = add_attachment(worklog, uploaded_by=user, upload=upload)
    assert attachment.checksum_sha256 == hashlib.sha256(body).hexdigest()
    assert attachment.size_bytes == len(body)
    assert attachment.filename == "notes.pdf" and attachment.kind == "document"
    with default_storage.open(attachment.object_key) as stored:
        assert stored.read() == body


def test_oversized_upload_is_refused(worklog, user, settings, attachment_storage):
    settings.JOURNAL_ATTACHMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("big.txt", b"x" * 11, content_type="text/plain")
    with pytest.raises(ValidationError):
        add_attachment(worklog, uploaded_by=user, upload=upload)
    assert not Attachment.objects.exists() and attachment_storage() == []


@pytest.mark.parametrize(
    "name,content_type",
    [("run.exe", "application/octet-stream"), ("photo.png", "text/html"), ("noext", "")],
)
def test_disallowed_upload_is_refused(worklog, user, name, content_type):
    upload = SimpleUploadedFile(name, b"data", content_type=content_type)
    with pytest.raises(ValidationError):
        add_attachment(worklog, uploaded_by=user, upload=upload)
    assert not Attachment.objects.exists()


def test_stored_file_is_removed_when_its_row_cannot_be_written(worklog, user, attachment_storage):
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    with (
        mock.patch.object(Attachment.objects, "create", side_effect=DatabaseError("down")),
        pytest.raises(DatabaseError),
    ):
        add_attachment(worklog, uploaded_by=user, upload=upload)
    assert attachment_storage() == []


def test_attaching_to_another_users_log_is_refused(worklog, other_user):
    upload = SimpleUploadedFile("a.txt", b"data", content_type="text/plain")
    with pytest.raises(ValidationError):
        add_attachment(worklog, uploaded_by=other_user, upload=upload)


def test_preset_prefills_quick_entry(user):
    tree = make_tree(user)
    preset = create_preset(
        user,
        name="Acme support",
        project=tree.project,
        default_work_type="support",
        default_tags="Support, acme",
        intake_prompt="What did the customer need?",
    )
    assert preset.client == tree.client
    initial = preset_initial(preset)
    assert initial["client"] == tree.client.pk and initial["project"] == tree.project.pk
    assert initial["work_type"] == "support" and initial["tags"] == "acme, support"
    assert initial["content"] == "What did the customer need?"


def test_preset_refuses_another_users_project(user, other_user):
    theirs = make_tree(other_user)
    with pytest.raises(ValidationError):
        create_preset(user, name="Sneaky", project=theirs.project)
    assert not WorkLogPreset.objects.exists()


def test_session_on_a_task_drafts_effort_and_hierarchy(user):
    tree = make_tree(user)
    now = timezone.now()
    session = WorkSession.objects.create(
        user=user,
        target=tree.task,
        started_at=now - timedelta(minutes=90),
        effective_at=now - timedelta(minutes=90),
        stopped_at=now,
        duration_seconds=5400,
        notes="Card form validation",
    )
    initial = session_draft_initial(session)
    assert initial["effort_minutes"] == 90
    assert initial["task"] == tree.task.pk and initial["client"] == tree.client.pk
    assert initial["status"] == "draft" and initial["title"] == "Card form validation"


def test_update_rebackfills_parents_from_the_new_reference(user):
    tree = make_tree(user)
    other = make_tree(user, name="Globex")
    worklog = create_worklog(user, occurred_on=date(2026, 12, 1), content="x", task=tree.task)
    updated = update_worklog(worklog, task=other.task)
    assert updated.client == other.client and updated.epic == other.epic
    with pytest.raises(ValidationError):
        update_worklog(updated, task=tree.task, client=other.client)
    updated.refresh_from_db()
    assert updated.task == other.task
