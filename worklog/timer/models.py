"""Timed work sessions: who worked on what, from when to when, and why each session ended."""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from core.models import BaseModel, SoftDeleteQuerySet, UUIDModel, soft_delete_manager
from worklog.timer.exceptions import InvalidSessionTimesError, SessionAlreadyStoppedError


class EndReason(models.TextChoices):
    STOPPED = "stopped", "Stopped"
    SWITCHED = "switched", "Switched to another session"
    CORRECTED = "corrected", "Stop time corrected"
    AUTO_STOPPED = "auto_stopped", "Stopped automatically"


class WorkSessionQuerySet(SoftDeleteQuerySet):
    """QuerySet for work sessions."""

    def for_user(self, user):
        """Get sessions for a specific user."""
        return self.filter(user=user)

    def for_target(self, target):
        """Get sessions for a specific target object."""
        content_type = ContentType.objects.get_for_model(target)
        return self.filter(target_content_type=content_type, target_id=str(target.pk))

    def active(self):
        """Get currently active (not stopped) sessions."""
        return self.filter(stopped_at__isnull=True)

    def completed(self):
        """Get completed (stopped) sessions."""
        return self.filter(stopped_at__isnull=False)

    def switched_to(self, session):
        """The sessions that starting `session` stopped (the switch policy)."""
        return self.filter(stopped_at=session.started_at, end_reason=EndReason.SWITCHED).exclude(
            pk=session.pk
        )

    def in_range(self, start, end):
        """Get sessions that overlap with the half-open time range [start, end)."""
        return self.filter(started_at__lt=end).filter(
            Q(stopped_at__isnull=True) | Q(stopped_at__gt=start)
        )

    def total_duration(self):
        """Get total duration of all sessions in seconds."""
        return self.aggregate(total=Sum("duration_seconds"))["total"] or 0

    def with_targets(self):
        """Load each session's target with one query per target type, not one per session."""
        return self.select_related("target_content_type").prefetch_related("target")


class WorkSession(UUIDModel, BaseModel):
    """A timed work session, the half-open interval [started_at, stopped_at).

    The switch policy ("a user runs one session at a time") is kept twice: the services lock the
    user's row before they look for running sessions, and a partial unique index refuses a second
    running, undeleted session among those started under the policy (`switch_policy=True`).
    `start_session(stop_existing=False)` opts out, as the seed allows: such sessions carry
    `switch_policy=False` and may run side by side with anything.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_sessions"
    )

    target_content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=255, blank=True, default="")
    target = GenericForeignKey("target_content_type", "target_id")

    session_type = models.CharField(max_length=100, blank=True, default="")

    started_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.IntegerField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True, default="")
    switch_policy = models.BooleanField(
        default=False,
        help_text=(
            "Started under the switch policy: while it runs, it is the user's only such session."
        ),
    )

    effective_at = models.DateTimeField(
        default=timezone.now, help_text="When the session actually started (for backdating)"
    )
    recorded_at = models.DateTimeField(auto_now_add=True, help_text="When this record was created")

    notes = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)

    objects = soft_delete_manager(WorkSessionQuerySet)
    all_objects = WorkSessionQuerySet.as_manager()

    class Meta:
        verbose_name = "work session"
        verbose_name_plural = "work sessions"
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "stopped_at"]),
            models.Index(fields=["target_content_type", "target_id"]),
            models.Index(fields=["session_type"]),
            models.Index(fields=["started_at"]),
            models.Index(fields=["user", "started_at"], name="worklog_session_user_started"),
        ]
        constraints = [
            # The database's own guarantee behind the switch policy; sessions started with
            # stop_existing=False are outside the policy and may run side by side.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(stopped_at__isnull=True, deleted_at__isnull=True, switch_policy=True),
                name="worklog_one_running_switch_session_per_user",
            ),
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | Q(stopped_at__gte=models.F("started_at")),
                name="worklog_session_stops_after_start",
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True) | Q(duration_seconds__gte=0),
                name="worklog_session_duration_not_negative",
            ),
        ]

    def save(self, *args, **kwargs):
        # The generic key's column is NOT NULL: "no target" is stored as ''.
        self.target_id = "" if self.target_id is None else str(self.target_id)
        super().save(*args, **kwargs)

    @property
    def target_key(self) -> str:
        """The target's key as the picker and the API name it (`app_label.model:id`), or ''."""
        if not self.target_content_type_id:
            return ""
        content_type = ContentType.objects.get_for_id(self.target_content_type_id)
        return f"{content_type.app_label}.{content_type.model}:{self.target_id}"

    @property
    def is_active(self) -> bool:
        """Check if session is currently active."""
        return self.stopped_at is None

    @property
    def duration(self) -> timedelta:
        """Get duration as timedelta."""
        if self.duration_seconds is not None:
            return timedelta(seconds=self.duration_seconds)
        if self.stopped_at:
            return self.stopped_at - self.started_at
        return timezone.now() - self.started_at

    @property
    def duration_hours(self) -> float:
        """Get duration in hours."""
        return self.duration.total_seconds() / 3600

    def stop(self, stopped_at=None, end_reason: str = EndReason.STOPPED):
        """Stop this session at `stopped_at` (default: now)."""
        if self.stopped_at is not None:
            raise SessionAlreadyStoppedError(self.pk)
        stopped_at = stopped_at or timezone.now()
        if stopped_at < self.started_at:
            raise InvalidSessionTimesError("A session cannot stop before it started.")
        self.stopped_at = stopped_at
        self.duration_seconds = seconds_between(self.started_at, self.stopped_at)
        self.end_reason = end_reason
        self.save()

    def __str__(self):
        status = "active" if self.is_active else "stopped"
        return f"Session ({status}) - {self.duration_hours:.2f}h"

    def get_absolute_url(self) -> str:
        return reverse("worklog:session-edit", args=[self.pk])


def seconds_between(start, end) -> int:
    return int((end - start).total_seconds())


class TimerPreferences(models.Model):
    """One user's timer settings; a user without a row has the defaults (nothing automatic)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="timer_preferences",
    )
    auto_stop_after_hours = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 7)],
        help_text="Stop a running timer automatically after this many hours; blank for never.",
    )
    auto_stop_at = models.TimeField(
        null=True,
        blank=True,
        help_text="Stop a running timer automatically at this time every day (in your zone).",
    )
    report_columns = models.JSONField(
        default=list,
        blank=True,
        help_text="The columns chosen for the last export of a timer report.",
    )

    class Meta:
        verbose_name = "timer preferences"
        verbose_name_plural = "timer preferences"

    def __str__(self):
        return f"Timer preferences of {self.user}"


class NoticeKind(models.TextChoices):
    AUTO_STOPPED = "auto_stopped", "Stopped automatically"
    STILL_WORKING = "still_working", "Asked by email whether still working"


class NoticeAnswer(models.TextChoices):
    DISMISSED = "dismissed", "Dismissed"
    CORRECTING = "correcting", "Went to correct the session"
    STOPPED = "stopped", "Stopped from the email"
    KEPT = "kept", "Kept running from the email"


class TimerNotice(UUIDModel):
    """What the timer told a user about one of their sessions: that it stopped the session
    automatically (a banner until answered), or asked by email whether they are still working
    (answered by the email's links). The database keeps one per session and kind, which is what
    stops two workers from telling twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timer_notices"
    )
    session = models.ForeignKey(WorkSession, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=16, choices=NoticeAnswer.choices, blank=True, default="")

    class Meta:
        verbose_name = "timer notice"
        verbose_name_plural = "timer notices"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "kind"], name="worklog_one_timer_notice_per_session_and_kind"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="")
                | Q(answered_at__isnull=False) & ~Q(answer=""),
                name="worklog_timer_notice_answered_with_an_answer",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "kind", "-created_at"],
                condition=Q(answered_at__isnull=True),
                name="worklog_timer_notice_open",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"
