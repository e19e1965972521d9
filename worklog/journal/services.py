"""Writes to the work journal: the client hierarchy, work logs, their links and attachments,
and presets. Each function validates ownership (a user's objects only refer to that user's
objects) and the hierarchy through the models' `clean()`, inside one transaction: a refused
write leaves the database as it was."""

import hashlib
import mimetypes
import re
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction

from worklog.journal.exceptions import WorkLogFinalError
from worklog.journal.models import (
    HIERARCHY_FIELDS,
    Attachment,
    AttachmentKind,
    Client,
    Epic,
    ExternalSystem,
    Feature,
    Project,
    Sprint,
    Story,
    Task,
    WorkLog,
    WorkLogExternalLink,
    WorkLogPreset,
    WorkLogReport,
    WorkLogSource,
    WorkLogStatus,
)
from worklog.timer.models import WorkSession

# Each level of the hierarchy: its model and the level its parent is on.
LEVELS: dict[str, tuple[type[models.Model], str | None]] = {
    "client": (Client, None),
    "project": (Project, "client"),
    "sprint": (Sprint, "project"),
    "epic": (Epic, "project"),
    "feature": (Feature, "epic"),
    "story": (Story, "feature"),
    "task": (Task, "story"),
}

WORKLOG_FIELDS = frozenset(
    {
        "occurred_on",
        "title",
        *HIERARCHY_FIELDS,
        "work_type",
        "status",
        "content",
        "outcome",
        "impact",
        "next_steps",
        "effort_minutes",
        "is_billable",
        "tags",
        "source",
        "source_ref",
        "metadata",
    }
)


def _check_owned(user, **nodes) -> None:
    errors = {
        name: f"Choose one of your own {name} entries."
        for name, node in nodes.items()
        if node is not None and node.owner_id != user.pk
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_node(user, *, level: str, name: str, parent=None, **fields) -> models.Model:
    """Add a client (no parent) or a project, sprint, epic, feature, story or task under
    `parent`, which must be one of `user`'s nodes on the level above."""
    if level not in LEVELS:
        raise ValidationError({"level": "Unknown level."})
    model, parent_level = LEVELS[level]
    if parent_level is None:
        node = model(user=user, name=name, **fields)
    else:
        expected = LEVELS[parent_level][0]
        if not isinstance(parent, expected):
            raise ValidationError({"parent": f"A {level} belongs to a {parent_level}."})
        _check_owned(user, parent=parent)
        node = model(name=name, **{parent_level: parent}, **fields)
    node.full_clean()
    node.save()
    return node


def _counted(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def node_uses(node: models.Model) -> list[str]:
    """What still refers to `node`, e.g. ["2 projects", "1 work log"]: the nodes below it, work
    logs, presets, reports and timer sessions, deleted ones left out."""
    level = next(name for name, (model, _parent) in LEVELS.items() if isinstance(node, model))
    uses = []
    for model, parent_level in LEVELS.values():
        if parent_level == level:
            count = model.objects.filter(**{level: node}).count()
            meta = model._meta
            uses.append(_counted(count, str(meta.verbose_name), str(meta.verbose_name_plural)))
    uses.append(_counted(WorkLog.objects.filter(**{level: node}).count(), "work log", "work logs"))
    if level in ("client", "project"):
        count = WorkLogPreset.objects.filter(**{level: node}).count()
        uses.append(_counted(count, "preset", "presets"))
    if level in ("client", "project", "sprint"):
        count = WorkLogReport.objects.filter(**{level: node}).count()
        uses.append(_counted(count, "report", "reports"))
    timed = WorkSession.objects.filter(
        target_content_type=ContentType.objects.get_for_model(node), target_id=str(node.pk)
    ).count()
    uses.append(_counted(timed, "timer session", "timer sessions"))
    return [use for use in uses if not use.startswith("0 ")]


@transaction.atomic
def delete_node(user, node: models.Model) -> None:
    """Delete one of `user`'s nodes (softly), unless something still refers to it: then a
    ValidationError says what; deactivating the node keeps those and hides it from pickers.
    Its name is free again for a new node."""
    _check_owned(user, node=node)
    locked = type(node).objects.select_for_update().get(pk=node.pk)
    uses = node_uses(locked)
    if uses:
        raise ValidationError(
            f"“{locked}” is still used by {', '.join(uses)}: remove those first, or deactivate "
            "it instead."
        )
    locked.delete()


@transaction.atomic
def update_node(user, node: models.Model, **fields) -> models.Model:
    """Rename, describe, date or (de)activate one of `user`'s nodes; its parent stays."""
    _check_owned(user, node=node)
    locked = type(node).objects.select_for_update().get(pk=node.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


def normalize_tags(tags) -> list[str]:
    """Tags as a sorted list of distinct lower-case words, from a list or a comma-separated text."""
    if isinstance(tags, str):
        tags = tags.split(",")
    return sorted({tag.strip().lower() for tag in tags or [] if tag and tag.strip()})


def _apply(worklog: WorkLog, fields: dict) -> None:
    unknown = set(fields) - WORKLOG_FIELDS
    if unknown:
        raise TypeError(f"Unknown work log fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(worklog, name, normalize_tags(value) if name == "tags" else value)


# The text enrichment reads: a save that changes it enriches again (with the user's setting).
ENRICHED_FIELDS = ("title", "content", "outcome", "impact")


def lock_editable(worklog_id) -> WorkLog:
    """The log's row, locked (with its user), unless the log is final: a final log and its
    parts are read only until it is reopened (WorkLogFinalError)."""
    locked = (
        WorkLog.objects.select_for_update(of=("self",)).select_related("user").get(pk=worklog_id)
    )
    if locked.is_final:
        raise WorkLogFinalError(locked)
    return locked


def _enrich_on_save(worklog: WorkLog) -> WorkLog:
    """With the user's setting on, a saved log is enriched without asking; not a final one,
    whose suggestions could not be reviewed."""
    if not worklog.user.enrich_on_save or worklog.is_final:
        return worklog
    from worklog.journal.enrichment import request_enrichment

    return request_enrichment(worklog)


@transaction.atomic
def create_worklog(user, **fields) -> WorkLog:
    """A work log of `user`. Missing parents are filled in from the most specific reference."""
    worklog = WorkLog(user=user)
    _apply(worklog, fields)
    worklog.full_clean()
    worklog.save()
    return _enrich_on_save(worklog)


@transaction.atomic
def update_worklog(worklog: WorkLog, **fields) -> WorkLog:
    """Change a log that is not final (it may become final by this change)."""
    locked = lock_editable(worklog.pk)
    text_before = [getattr(locked, field) for field in ENRICHED_FIELDS]
    # Parents are backfilled again from the new references, not kept from the old ones.
    if any(field in fields for field in HIERARCHY_FIELDS):
        for field in HIERARCHY_FIELDS:
            fields.setdefault(field, None)
    _apply(locked, fields)
    locked.full_clean()
    locked.save()
    if [getattr(locked, field) for field in ENRICHED_FIELDS] != text_before:
        return _enrich_on_save(locked)
    return locked


@transaction.atomic
def change_status(worklog: WorkLog, status: str) -> WorkLog:
    """Move a log to `status`. Final is read only: a final log leaves it only by being reopened
    (back to draft) or archived."""
    if status not in WorkLogStatus.values:
        raise ValidationError({"status": f"“{status}” is not a status."})
    locked = WorkLog.objects.select_for_update().get(pk=worklog.pk)
    leaves_final = status in (WorkLogStatus.DRAFT, WorkLogStatus.ARCHIVED, WorkLogStatus.FINAL)
    if locked.is_final and not leaves_final:
        raise WorkLogFinalError(locked)
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def delete_worklog(worklog: WorkLog) -> None:
    lock_editable(worklog.pk).delete()


@transaction.atomic
def restore_worklog(worklog: WorkLog) -> WorkLog:
    """Undo a deletion. A node deleted meanwhile is no longer referred to; the parents above it
    that are still there stay."""
    worklog.restore()
    restored = WorkLog.all_objects.with_hierarchy().get(pk=worklog.pk)
    gone = [
        field
        for field in HIERARCHY_FIELDS
        if getattr(restored, field) is not None and getattr(restored, field).is_deleted
    ]
    if gone:
        for field in gone:
            setattr(restored, field, None)
        restored.save(update_fields=[*gone, "updated_at"])
    return restored


# Links the journal recognises, with the key (and a title when the URL carries one).
JIRA_BROWSE = re.compile(r"/browse/(?P<key>[A-Z][A-Z0-9_]+-\d+)")
JIRA_SELECTED = re.compile(r"selectedIssue=(?P<key>[A-Z][A-Z0-9_]+-\d+)")
GITHUB_ITEM = re.compile(
    r"^/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/(?P<kind>pull|issues|commit|discussions)/(?P<ref>[\w]+)"
)
GITHUB_KINDS = {
    "pull": "Pull request",
    "issues": "Issue",
    "commit": "Commit",
    "discussions": "Discussion",
}


@dataclass(frozen=True)
class ParsedLink:
    system: str
    key: str
    title: str


def parse_external_url(url: str) -> ParsedLink:
    """What a pasted URL says about itself, without fetching it: Jira issue keys, GitHub pull
    requests, issues, commits and repositories."""
    parsed = urlparse(url.strip())
    host = (parsed.hostname or "").lower()
    path = unquote(parsed.path)
    jira = JIRA_BROWSE.search(path) or JIRA_SELECTED.search(parsed.query)
    if jira and ("atlassian" in host or "jira" in host or "/browse/" in path):
        key = jira.group("key")
        return ParsedLink(ExternalSystem.JIRA, key, f"Jira {key}")
    if host in ("github.com", "www.github.com"):
        item = GITHUB_ITEM.match(path)
        if item:
            repo = f"{item['owner']}/{item['repo']}"
            if item["kind"] == "commit":
                ref = item["ref"][:12]
                return ParsedLink(ExternalSystem.GITHUB, f"{repo}@{ref}", f"Commit {ref} in {repo}")
            key = f"{repo}#{item['ref']}"
            return ParsedLink(ExternalSystem.GITHUB, key, f"{GITHUB_KINDS[item['kind']]} {key}")
        parts = [part for part in path.split("/") if part]
        if len(parts) >= 2:
            repo = f"{parts[0]}/{parts[1]}"
            return ParsedLink(ExternalSystem.GITHUB, repo, f"Repository {repo}")
    return ParsedLink(ExternalSystem.OTHER, "", "")


@transaction.atomic
def add_external_link(worklog: WorkLog, *, url: str, title: str = "") -> WorkLogExternalLink:
    lock_editable(worklog.pk)
    parsed = parse_external_url(url)
    link = WorkLogExternalLink(
        worklog=worklog,
        url=url.strip(),
        system=parsed.system,
        key=parsed.key,
        title=title.strip() or parsed.title,
    )
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def delete_external_link(link: WorkLogExternalLink) -> None:
    lock_editable(link.worklog_id)
    link.hard_delete()


def allowed_attachment_types() -> dict[str, str]:
    return settings.JOURNAL_ATTACHMENT_TYPES


def _check_upload(upload: UploadedFile) -> tuple[str, str]:
    """The upload's extension and content type, if both are allowed and agree; else an error."""
    limit = settings.JOURNAL_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"file": f"The file is larger than the limit of {limit // 1024} KiB."}
        )
    extension = PurePosixPath(upload.name or "").suffix.lower()
    allowed = allowed_attachment_types()
    if extension not in allowed:
        raise ValidationError(
            {"file": f"Files of type {extension or '(none)'} are not accepted here."}
        )
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    expected = allowed[extension]
    if declared and declared not in (expected, "application/octet-stream"):
        raise ValidationError({"file": f"A {extension} file should be {expected}, not {declared}."})
    return extension, expected


@transaction.atomic
def add_attachment(
    worklog: WorkLog, *, uploaded_by, upload: UploadedFile, description: str = ""
) -> Attachment:
    """Store `upload` in the default storage under a name of our own and record it with its
    SHA-256; the stored file is removed again if the row cannot be written."""
    if worklog.user_id != uploaded_by.pk:
        raise ValidationError({"file": "You can only attach files to your own work logs."})
    lock_editable(worklog.pk)
    extension, mime_type = _check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    object_key = f"journal/{uploaded_by.pk}/{uuid.uuid4().hex}{extension}"
    kind = AttachmentKind.IMAGE if mime_type.startswith("image/") else AttachmentKind.DOCUMENT
    stored_key = default_storage.save(object_key, upload)
    try:
        return Attachment.objects.create(
            worklog=worklog,
            uploaded_by=uploaded_by,
            kind=kind,
            storage_provider=settings.STORAGES["default"]["BACKEND"].rsplit(".", 1)[-1],
            object_key=stored_key,
            filename=PurePosixPath(upload.name).name[:255],
            mime_type=mime_type,
            description=description,
            size_bytes=upload.size,
            checksum_sha256=digest.hexdigest(),
        )
    except Exception:
        default_storage.delete(stored_key)
        raise


def attachment_content_type(attachment: Attachment) -> str:
    return (
        attachment.mime_type
        or mimetypes.guess_type(attachment.filename)[0]
        or "application/octet-stream"
    )


@transaction.atomic
def delete_attachment(attachment: Attachment) -> None:
    lock_editable(attachment.worklog_id)
    key = attachment.object_key
    attachment.hard_delete()
    transaction.on_commit(lambda: default_storage.delete(key))


PRESET_FIELDS = frozenset(
    {
        "name",
        "description",
        "client",
        "project",
        "default_work_type",
        "default_tags",
        "intake_prompt",
        "is_active",
    }
)


@transaction.atomic
def create_preset(user, **fields) -> WorkLogPreset:
    unknown = set(fields) - PRESET_FIELDS
    if unknown:
        raise TypeError(f"Unknown preset fields: {', '.join(sorted(unknown))}")
    fields["default_tags"] = normalize_tags(fields.get("default_tags"))
    preset = WorkLogPreset(user=user, **fields)
    preset.full_clean()
    preset.save()
    return preset


@transaction.atomic
def update_preset(preset: WorkLogPreset, **fields) -> WorkLogPreset:
    unknown = set(fields) - PRESET_FIELDS
    if unknown:
        raise TypeError(f"Unknown preset fields: {', '.join(sorted(unknown))}")
    locked = WorkLogPreset.objects.select_for_update().get(pk=preset.pk)
    fields["default_tags"] = normalize_tags(fields.get("default_tags"))
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


def delete_preset(preset: WorkLogPreset) -> None:
    preset.delete()


def preset_initial(preset: WorkLogPreset) -> dict:
    """The quick-entry values a preset fills in."""
    return {
        "client": preset.client_id,
        "project": preset.project_id,
        "work_type": preset.default_work_type or None,
        "tags": ", ".join(preset.default_tags),
        "content": preset.intake_prompt,
        "preset": preset.pk,
    }


def session_draft_initial(session: WorkSession) -> dict:
    """Quick-entry values for logging a stopped timer session: its effort, its day and, when it
    was timed against a journal task or project, that place in the hierarchy."""
    minutes = max(1, round((session.duration_seconds or 0) / 60))
    target = session.target if session.target_id else None
    initial = {
        "effort_minutes": min(minutes, 24 * 60),
        "occurred_on": session.effective_at.date() if session.effective_at else None,
        "title": session.notes.splitlines()[0][:200] if session.notes else "",
        "content": session.notes,
        "status": WorkLogStatus.DRAFT,
        "session": session.pk,
    }
    if isinstance(target, Task):
        initial.update(
            task=target.pk,
            story=target.story_id,
            feature=target.story.feature_id,
            epic=target.story.feature.epic_id,
            project=target.story.feature.epic.project_id,
            client=target.story.feature.epic.project.client_id,
            title=initial["title"] or target.name,
        )
    elif isinstance(target, Project):
        initial.update(
            project=target.pk, client=target.client_id, title=initial["title"] or target.name
        )
    return initial


def source_for(*, preset_id=None, session_id=None) -> tuple[str, str]:
    """Where a quick entry came from, as the work log's `source` and `source_ref`."""
    if session_id:
        return WorkLogSource.TIMER, str(session_id)
    if preset_id:
        return WorkLogSource.PRESET, str(preset_id)
    return WorkLogSource.MANUAL, ""
