"""The work journal: a user's clients and their project hierarchy (project > epic > feature >
story > task, project > sprint), the work logs that refer to it, what enrichment found in them
(skill signals, bullets), their links and attachments, entry presets and stored reports.

Only a client names its owner; everything below it belongs to the client's user. A work log's
references are kept consistent by `WorkLog.clean()`: a child fills in its missing parents, a
parent that contradicts the child is refused, and every reference must belong to the log's user.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from core.models import BaseModel, SoftDeleteQuerySet, UUIDModel, soft_delete_manager


class WorkType(models.TextChoices):
    DELIVERY = "delivery", "Delivery"
    PLANNING = "planning", "Planning"
    INCIDENT = "incident", "Incident"
    SUPPORT = "support", "Support"
    LEARNING = "learning", "Learning"
    OTHER = "other", "Other"


class WorkLogStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    READY = "ready", "Ready"
    FINAL = "final", "Final"
    ARCHIVED = "archived", "Archived"


# What lists and reports show unless asked for archived logs too.
CURRENT_STATUSES = (WorkLogStatus.DRAFT, WorkLogStatus.READY, WorkLogStatus.FINAL)


class EnrichmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ENRICHED = "enriched", "Enriched"
    REVIEWED = "reviewed", "Reviewed"
    REJECTED = "rejected", "Rejected"
    ERROR = "error", "Error"


class SignalStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class BulletKind(models.TextChoices):
    NOTE = "note", "Note"
    STATUS = "status", "Status update"
    RESUME = "resume", "Resume bullet"


class SkillKind(models.TextChoices):
    TECHNICAL = "technical", "Technical"
    TOOL = "tool", "Tool"
    DOMAIN = "domain", "Domain"
    SOFT = "soft", "Soft skill"


class SignalSource(models.TextChoices):
    AI = "ai", "AI"
    MANUAL = "manual", "Manual"


class WorkLogSource(models.TextChoices):
    MANUAL = "manual", "Manual entry"
    PRESET = "preset", "Preset"
    TIMER = "timer", "Timer session"
    IMPORT = "import", "Import"


class ExternalSystem(models.TextChoices):
    JIRA = "jira", "Jira"
    GITHUB = "github", "GitHub"
    OTHER = "other", "Other"


class AttachmentKind(models.TextChoices):
    DOCUMENT = "document", "Document"
    IMAGE = "image", "Image"
    OTHER = "other", "Other"


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    SPRINT = "sprint", "Sprint"
    CUSTOM = "custom", "Custom period"


class ReportCreatedVia(models.TextChoices):
    WEB = "web", "Web"
    ADMIN = "admin", "Admin"
    API = "api", "API"


# A deleted node's name is free again: names are unique among the nodes still there.
ALIVE = Q(deleted_at__isnull=True)


class OwnedQuerySet(SoftDeleteQuerySet):
    """`for_user(user)`: the rows whose client belongs to `user`, through `owner_path`."""

    owner_path = "user"

    def for_user(self, user):
        return self.filter(**{self.owner_path: user})


def _owned_queryset(path: str) -> type[OwnedQuerySet]:
    return type("OwnedQuerySet", (OwnedQuerySet,), {"owner_path": path})


class HierarchyNode(UUIDModel, BaseModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    is_active = models.BooleanField(default=True)

    # The attribute naming the parent (None for a client) and the path to the owning user.
    parent_field: str | None = None
    owner_path = "user"

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def parent(self):
        return getattr(self, self.parent_field) if self.parent_field else None

    @property
    def owner_id(self):
        node = self
        while node.parent_field:
            node = node.parent
        return node.user_id


class Client(HierarchyNode):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_clients"
    )
    website = models.URLField(blank=True, default="")
    notes = models.TextField(blank=True, default="")

    objects = soft_delete_manager(_owned_queryset("user"))

    class Meta(HierarchyNode.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=ALIVE,
                name="journal_client_user_name_uniq",
                violation_error_message="A client with this name already exists.",
            )
        ]
        indexes = [models.Index(fields=["user", "is_active"], name="journal_client_user_active")]


class Project(HierarchyNode):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="projects")
    role = models.CharField(max_length=200, blank=True, default="")
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    parent_field = "client"
    objects = soft_delete_manager(_owned_queryset("client__user"))

    class Meta(HierarchyNode.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["client", "name"],
                condition=ALIVE,
                name="journal_project_client_name_uniq",
                violation_error_message="A project with this name already exists in this client.",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="journal_project_ended_after_started",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "is_active"], name="journal_project_client_active")
        ]

    def clean(self):
        super().clean()
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "A project cannot end before it starts."})


class Sprint(HierarchyNode):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sprints")
    goal = models.TextField(blank=True, default="")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    parent_field = "project"
    objects = soft_delete_manager(_owned_queryset("project__client__user"))

    class Meta(HierarchyNode.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=ALIVE,
                name="journal_sprint_project_name_uniq",
                violation_error_message="A sprint with this name already exists in this project.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="journal_sprint_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "is_active"], name="journal_sprint_project_active")
        ]

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A sprint cannot end before it starts."})


class Epic(HierarchyNode):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="epics")

    parent_field = "project"
    objects = soft_delete_manager(_owned_queryset("project__client__user"))

    class Meta(HierarchyNode.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=ALIVE,
                name="journal_epic_project_name_uniq",
                violation_error_message="An epic with this name already exists in this project.",
            )
        ]
        indexes = [
            models.Index(fields=["project", "is_active"], name="journal_epic_project_active")
        ]


class Feature(HierarchyNode):
    epic = models.ForeignKey(Epic, on_delete=models.CASCADE, related_name="features")

    parent_field = "epic"
    objects = soft_delete_manager(_owned_queryset("epic__project__client__user"))

    class Meta(HierarchyNode.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["epic", "name"],
                condition=ALIVE,
                name="journal_feature_epic_name_uniq",
                violation_error_message="A feature with this name already exists in this epic.",
            )
        ]
        indexes = [models.Index(fields=["epic", "is_active"], name="journal_feature_epic_active")]


class Story(HierarchyNode):
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="stories")

    parent_field = "feature"
    objects = soft_delete_manager(_owned_queryset("feature__epic__project__client__user"))

    class Meta(HierarchyNode.Meta):
        verbose_name_plural = "stories"
        constraints = [
            models.UniqueConstraint(
                fields=["feature", "name"],
                condition=ALIVE,
                name="journal_story_feature_name_uniq",
                violation_error_message="A story with this name already exists in this feature.",
            )
        ]
        indexes = [
            models.Index(fields=["feature", "is_active"], name="journal_story_feature_active")
        ]


class Task(HierarchyNode):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="tasks")

    parent_field = "story"
    objects = soft_delete_manager(_owned_queryset("story__feature__epic__project__client__user"))

    class Meta(HierarchyNode.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["story", "name"],
                condition=ALIVE,
                name="journal_task_story_name_uniq",
                violation_error_message="A task with this name already exists in this story.",
            )
        ]
        indexes = [models.Index(fields=["story", "is_active"], name="journal_task_story_active")]


# A work log's hierarchy references, child first, each with the parent it implies.
HIERARCHY_CHAIN: tuple[tuple[str, str | None], ...] = (
    ("task", "story"),
    ("story", "feature"),
    ("feature", "epic"),
    ("epic", "project"),
    ("sprint", "project"),
    ("project", "client"),
    ("client", None),
)
HIERARCHY_FIELDS = ("client", "project", "sprint", "epic", "feature", "story", "task")


class WorkLogQuerySet(SoftDeleteQuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def with_hierarchy(self):
        return self.select_related(*HIERARCHY_FIELDS)

    def in_period(self, start, end):
        """Logs with `occurred_on` in the closed range [start, end]."""
        return self.filter(occurred_on__gte=start, occurred_on__lte=end)

    def current(self):
        """Logs that are not archived."""
        return self.exclude(status=WorkLogStatus.ARCHIVED)


class WorkLog(UUIDModel, BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_logs"
    )
    occurred_on = models.DateField()
    title = models.CharField(max_length=200, blank=True, default="")
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_logs"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_logs"
    )
    epic = models.ForeignKey(
        Epic, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_logs"
    )
    feature = models.ForeignKey(
        Feature, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_logs"
    )
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_logs"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_logs"
    )
    sprint = models.ForeignKey(
        Sprint, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_logs"
    )
    work_type = models.CharField(max_length=20, choices=WorkType, default=WorkType.DELIVERY)
    status = models.CharField(max_length=20, choices=WorkLogStatus, default=WorkLogStatus.DRAFT)
    content = models.TextField()
    outcome = models.TextField(blank=True, default="")
    impact = models.TextField(blank=True, default="")
    next_steps = models.TextField(blank=True, default="")
    effort_minutes = models.PositiveIntegerField(default=0)
    is_billable = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=20, choices=WorkLogSource, default=WorkLogSource.MANUAL)
    source_ref = models.CharField(max_length=255, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    enrichment_status = models.CharField(
        max_length=20, choices=EnrichmentStatus, default=EnrichmentStatus.PENDING
    )
    enrichment_suggestions = models.JSONField(default=dict, blank=True)
    enrichment_error = models.TextField(blank=True, default="")
    ai_summary = models.TextField(blank=True, default="")

    objects = soft_delete_manager(WorkLogQuerySet)
    all_objects = WorkLogQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        indexes = [
            models.Index(fields=["user", "occurred_on"], name="journal_log_user_day"),
            models.Index(fields=["client", "occurred_on"], name="journal_log_client_day"),
            models.Index(fields=["project", "occurred_on"], name="journal_log_project_day"),
            models.Index(fields=["status", "occurred_on"], name="journal_log_status_day"),
            models.Index(fields=["work_type", "occurred_on"], name="journal_log_type_day"),
            models.Index(fields=["enrichment_status"], name="journal_log_enrichment"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(effort_minutes__lte=24 * 60), name="journal_log_effort_within_a_day"
            )
        ]

    def __str__(self):
        return self.title or self.content[:60]

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.effort_minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def is_final(self) -> bool:
        """Final: read only until reopened."""
        return self.status == WorkLogStatus.FINAL

    @property
    def hierarchy_nodes(self) -> list[HierarchyNode]:
        return [node for node in (getattr(self, field) for field in HIERARCHY_FIELDS) if node]

    def clean(self):
        super().clean()
        errors: dict[str, str] = {}
        # Backfill from the most specific reference upwards; a given parent must agree.
        for child_field, parent_field in HIERARCHY_CHAIN:
            child = getattr(self, child_field)
            if child is None or parent_field is None:
                continue
            implied = getattr(child, parent_field)
            current_id = getattr(self, f"{parent_field}_id")
            if current_id is None:
                setattr(self, parent_field, implied)
            elif current_id != implied.pk:
                errors.setdefault(
                    child_field,
                    f"This {child_field} does not belong to the chosen {parent_field}.",
                )
        for field in HIERARCHY_FIELDS:
            node = getattr(self, field)
            if node is not None and self.user_id is not None and node.owner_id != self.user_id:
                errors[field] = f"Choose one of your own {field} entries."
        if not isinstance(self.tags, list) or not all(isinstance(tag, str) for tag in self.tags):
            errors["tags"] = "Tags must be a list of words."
        if errors:
            raise ValidationError(errors)


class Attachment(UUIDModel, BaseModel):
    worklog = models.ForeignKey(WorkLog, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_attachments"
    )
    kind = models.CharField(max_length=20, choices=AttachmentKind, default=AttachmentKind.OTHER)
    storage_provider = models.CharField(max_length=100, default="default")
    object_key = models.CharField(max_length=500)
    filename = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    size_bytes = models.PositiveBigIntegerField()
    checksum_sha256 = models.CharField(max_length=64)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["worklog", "created_at"], name="journal_attachment_log_time"),
            models.Index(fields=["kind"], name="journal_attachment_kind"),
        ]

    def __str__(self):
        return self.filename


class WorkLogSkillSignal(UUIDModel, BaseModel):
    worklog = models.ForeignKey(WorkLog, on_delete=models.CASCADE, related_name="skill_signals")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=SkillKind, default=SkillKind.TECHNICAL)
    confidence = models.FloatField(default=0.5)
    source = models.CharField(max_length=20, choices=SignalSource, default=SignalSource.AI)
    status = models.CharField(max_length=20, choices=SignalStatus, default=SignalStatus.SUGGESTED)
    evidence = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-confidence", "name"]
        indexes = [
            models.Index(fields=["worklog"], name="journal_signal_log"),
            models.Index(fields=["name"], name="journal_signal_name"),
            models.Index(fields=["kind"], name="journal_signal_kind"),
            models.Index(fields=["status"], name="journal_signal_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="journal_signal_confidence_0_1",
            )
        ]

    def __str__(self):
        return self.name


class WorkLogBullet(UUIDModel, BaseModel):
    worklog = models.ForeignKey(WorkLog, on_delete=models.CASCADE, related_name="bullets")
    kind = models.CharField(max_length=20, choices=BulletKind, default=BulletKind.RESUME)
    text = models.TextField()
    is_ai_generated = models.BooleanField(default=False)
    # Reviewing a suggested bullet accepts or rejects it; only accepted bullets can be selected.
    status = models.CharField(max_length=20, choices=SignalStatus, default=SignalStatus.SUGGESTED)
    is_selected = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order", "created_at"]
        indexes = [
            models.Index(fields=["worklog", "kind"], name="journal_bullet_log_kind"),
            models.Index(fields=["kind", "is_selected"], name="journal_bullet_kind_selected"),
        ]

    def __str__(self):
        return self.text[:80]

    @property
    def metrics_text(self) -> str:
        """The metrics as a reader sees them: "p95 latency: 80 ms, tests: 40"."""
        return ", ".join(f"{name}: {value}" for name, value in self.metrics.items())


class WorkLogExternalLink(UUIDModel, BaseModel):
    worklog = models.ForeignKey(WorkLog, on_delete=models.CASCADE, related_name="external_links")
    system = models.CharField(max_length=20, choices=ExternalSystem, default=ExternalSystem.OTHER)
    key = models.CharField(max_length=200, blank=True, default="")
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=300, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.key or self.url


class WorkLogPreset(UUIDModel, BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_log_presets"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="presets"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="presets"
    )
    default_work_type = models.CharField(
        max_length=20, choices=WorkType, blank=True, default=WorkType.DELIVERY
    )
    default_tags = models.JSONField(default=list, blank=True)
    intake_prompt = models.TextField(blank=True, default="")
    is_active = models.BooleanField(default=True)

    objects = soft_delete_manager(_owned_queryset("user"))

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["user", "is_active"], name="journal_preset_user_active")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.project_id and self.client_id is None:
            self.client = self.project.client
        if self.project_id and self.project.client_id != self.client_id:
            errors["project"] = "This project does not belong to the chosen client."
        for field in ("client", "project"):
            node = getattr(self, field)
            if node is not None and node.owner_id != self.user_id:
                errors[field] = f"Choose one of your own {field} entries."
        if errors:
            raise ValidationError(errors)


class WorkLogReport(UUIDModel, BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_log_reports"
    )
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    sprint = models.ForeignKey(
        Sprint, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    kind = models.CharField(max_length=20, choices=ReportKind, default=ReportKind.WEEKLY)
    created_via = models.CharField(
        max_length=20, choices=ReportCreatedVia, default=ReportCreatedVia.WEB
    )
    period_start = models.DateField()
    period_end = models.DateField()
    title = models.CharField(max_length=200)
    content_md = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)

    objects = soft_delete_manager(_owned_queryset("user"))

    class Meta:
        ordering = ["-period_start", "-created_at"]
        indexes = [models.Index(fields=["user", "period_start"], name="journal_report_user_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="journal_report_period_ordered",
            )
        ]

    def __str__(self):
        return self.title
