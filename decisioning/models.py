"""Idempotency keys and the decision log.

An `IdempotencyKey` row is the claim on one operation: `(scope, key)` is unique, so claiming is
a single INSERT that only one caller can win (see decisioning.idempotency). A `Decision` records
who decided what about any object (a generic target), with business time (`effective_at`, may
be backdated) and system time (`recorded_at`, kept by a database trigger). Decisions are
append-only: a correction is a new decision that `supersedes` the earlier one.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.display import display_name
from core.models import BaseModel, UUIDModel, soft_delete_manager

from .mixins import TimeSemanticsMixin
from .querysets import DecisionQuerySet, IdempotencyKeyQuerySet


class IdempotencyStatus(models.TextChoices):
    IN_FLIGHT = "in_flight", "In Flight"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class IdempotencyKey(UUIDModel):
    """Track idempotent operation status."""

    key = models.CharField(max_length=255, db_index=True)
    scope = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="Whose key this is (a user, an operation); other scopes' keys are unrelated.",
    )
    status = models.CharField(
        max_length=20, choices=IdempotencyStatus.choices, default=IdempotencyStatus.IN_FLIGHT
    )
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="Hash of the request the key was first used for; another request is refused.",
    )
    lease_token = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text="Changes whenever a caller claims the key; only the holder may complete it.",
    )

    # Timing
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    # Result storage
    result_type = models.CharField(max_length=255, blank=True, default="")
    result_id = models.CharField(max_length=255, blank=True, default="")
    result_data = models.JSONField(default=dict, blank=True)

    # Error tracking
    error_message = models.TextField(blank=True, default="")

    # Expiry for cleanup
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = IdempotencyKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "idempotency key"
        verbose_name_plural = "idempotency keys"
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="decisioning_idempotency_key_unique_in_scope"
            )
        ]
        indexes = [
            models.Index(fields=["status", "started_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def mark_completed(self, result=None, result_type="", result_id=""):
        """Mark operation as completed."""
        self.status = IdempotencyStatus.COMPLETED
        self.completed_at = timezone.now()
        if result:
            self.result_data = result if isinstance(result, dict) else {"value": result}
        self.result_type = result_type
        self.result_id = str(result_id) if result_id else ""
        self.save()

    def mark_failed(self, error_message: str):
        """Mark operation as failed."""
        self.status = IdempotencyStatus.FAILED
        self.completed_at = timezone.now()
        self.error_message = error_message
        self.save()

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def __str__(self):
        return f"{self.key} ({self.status})"


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PENDING = "pending", "Pending"
    DEFERRED = "deferred", "Deferred"
    ESCALATED = "escalated", "Escalated"


TARGET_REPR_LENGTH = 255


def describe_target(target) -> str:
    """The text a decision keeps about its target (see `Decision.target_repr`)."""
    if target is None:
        return ""
    text = display_name(target)
    return text if len(text) <= TARGET_REPR_LENGTH else text[: TARGET_REPR_LENGTH - 1] + "…"


class Decision(UUIDModel, BaseModel, TimeSemanticsMixin):
    """Track a decision made about a target entity."""

    # Target via GenericFK
    target_content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=255)
    target = GenericForeignKey("target_content_type", "target_id")
    # What the target was called when the decision was recorded: the log shows this text, so
    # it needs no query per target type, and still names a target that was deleted since.
    target_repr = models.CharField(max_length=TARGET_REPR_LENGTH, blank=True, default="")

    # Decision details
    decision_type = models.CharField(max_length=100)
    outcome = models.CharField(
        max_length=20, choices=DecisionOutcome.choices, default=DecisionOutcome.PENDING
    )
    reason = models.TextField(blank=True, default="")

    # Decision maker
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions_made",
    )

    # Context and evidence
    context = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=dict, blank=True)

    # Linked idempotency key (optional)
    idempotency_key = models.ForeignKey(
        IdempotencyKey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )

    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The earlier decision this one corrects.",
    )

    # A decision is recorded when it is taken: it may be backdated, never dated ahead.
    allow_future_effective_at = False

    objects = soft_delete_manager(DecisionQuerySet)
    all_objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "decision"
        verbose_name_plural = "decisions"
        ordering = ["-effective_at", "-recorded_at"]
        indexes = [
            models.Index(fields=["target_content_type", "target_id"]),
            models.Index(fields=["decision_type"]),
            models.Index(fields=["outcome"]),
            models.Index(fields=["recorded_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["supersedes"],
                name="decisioning_decision_superseded_once",
                violation_error_message="This decision was already corrected.",
            )
        ]
        permissions = [("view_all_decisions", "Can see every user's decisions (back office)")]

    def save(self, *args, **kwargs):
        self.target_id = str(self.target_id)
        if self._state.adding and not self.target_repr:
            self.target_repr = describe_target(self.target)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("decisioning:decision-detail", args=[self.pk])

    @property
    def target_has_page(self) -> bool:
        """Whether the target's kind of object has a page to link to, known from its content
        type alone: the log never loads targets."""
        model = self.target_content_type.model_class()
        return model is not None and hasattr(model, "get_absolute_url")

    @property
    def is_backdated(self) -> bool:
        return (
            self.recorded_at is not None
            and self.effective_at is not None
            and (self.recorded_at - self.effective_at).total_seconds() > 60
        )

    def __str__(self):
        return f"{self.decision_type}: {self.outcome}"
