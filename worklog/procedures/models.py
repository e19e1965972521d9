"""Standard operating procedures (SOPs) and the procedure sessions that walk a worker through
one: an SOP holds ordered tasks, a task ordered steps; a session records a safety check per step
until the last one passes, and a supervisor's approval locks it."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.models import (
    BaseModel,
    SoftDeleteQuerySet,
    TimeStampedModel,
    UUIDModel,
    soft_delete_manager,
)
from worklog.procedures.exceptions import (
    NotSessionOwnerError,
    SessionLockedError,
    SessionNotActiveError,
    SessionNotCompletedError,
    StepNotCurrentError,
)


class SOPStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONFIRMED = "confirmed", "Confirmed"
    ARCHIVED = "archived", "Archived"


class SOPQuerySet(SoftDeleteQuerySet):
    def visible_to(self, user):
        """Confirmed and archived SOPs are shared; a draft is seen only by its author."""
        return self.filter(~Q(status=SOPStatus.DRAFT) | Q(created_by=user))

    def confirmed(self):
        return self.filter(status=SOPStatus.CONFIRMED)


class SOP(UUIDModel, BaseModel):
    """A standard operating procedure. Confirming freezes its tasks and steps: a change is a new
    version, a draft copy with `version + 1` that `previous_version` links back to."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=SOPStatus.choices, default=SOPStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sops"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    previous_version = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_versions"
    )

    objects = soft_delete_manager(SOPQuerySet)
    all_objects = SOPQuerySet.as_manager()

    class Meta:
        verbose_name = "SOP"
        verbose_name_plural = "SOPs"
        ordering = ["title", "-version"]
        permissions = [("manage_any_sop", "Can version, confirm and archive any author's SOP")]
        constraints = [
            models.CheckConstraint(
                condition=Q(version__gte=1), name="worklog_sop_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(status=SOPStatus.DRAFT) | Q(confirmed_at__isnull=False),
                name="worklog_sop_confirmed_has_time",
            ),
            # One successor per version, so two "new version" clicks make one draft.
            models.UniqueConstraint(
                fields=["previous_version"],
                condition=Q(deleted_at__isnull=True),
                name="worklog_sop_one_next_version",
            ),
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("worklog:sop-detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == SOPStatus.DRAFT

    @property
    def is_confirmed(self) -> bool:
        return self.status == SOPStatus.CONFIRMED


class SOPTask(UUIDModel, TimeStampedModel):
    sop = models.ForeignKey(SOP, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "SOP task"
        ordering = ["position", "created_at"]
        indexes = [models.Index(fields=["sop", "position"])]

    def __str__(self):
        return self.title


class SOPStep(UUIDModel, TimeStampedModel):
    task = models.ForeignKey(SOPTask, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    instruction = models.TextField()
    safety_check_required = models.BooleanField(default=True)
    check_description = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "SOP step"
        ordering = ["position", "created_at"]
        indexes = [models.Index(fields=["task", "position"])]

    def __str__(self):
        return self.instruction[:80]


class SessionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (SessionStatus.IN_PROGRESS, SessionStatus.PAUSED)


class ProcedureSessionQuerySet(models.QuerySet):
    def for_worker(self, worker):
        return self.filter(worker=worker)

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def awaiting_approval(self):
        return self.filter(status=SessionStatus.COMPLETED, locked=False)


class WithSOPManager(models.Manager):
    """The base manager: a session fetched as a related or generic object (the timer's target
    lists) comes with its SOP, which its label shows, in the same query."""

    def get_queryset(self):
        return super().get_queryset().select_related("sop")


class ProcedureSession(UUIDModel, TimeStampedModel):
    """One worker's walk through an SOP (the seed's `WorkSession` aggregate).

    A worker has at most one active (in progress or paused) session: the services check it under
    a lock on the worker's row, and a partial unique index refuses a second one whatever the
    code path, so two concurrent starts cannot both succeed."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="procedure_sessions"
    )
    sop = models.ForeignKey(SOP, on_delete=models.PROTECT, related_name="sessions")
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.IN_PROGRESS
    )
    current_step = models.ForeignKey(
        SOPStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(
        default=0, help_text="Time spent paused, excluded from the worked duration."
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    locked = models.BooleanField(default=False)
    locked_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_procedure_sessions",
    )
    timer_session = models.ForeignKey(
        "worklog.WorkSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The timer session started with this session or its latest resume.",
    )

    objects = ProcedureSessionQuerySet.as_manager()
    with_sop = WithSOPManager()

    class Meta:
        verbose_name = "procedure session"
        base_manager_name = "with_sop"
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["worker", "-started_at"], name="worklog_proc_worker_started"),
            models.Index(fields=["status", "locked"], name="worklog_proc_status_locked"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(status__in=["in_progress", "paused"]),
                name="worklog_one_active_procedure_per_worker",
                violation_error_message="This worker already has an active procedure session.",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed")
                | Q(completed_at__isnull=False, current_step__isnull=True),
                name="worklog_procedure_completed_has_time_no_step",
            ),
            models.CheckConstraint(
                condition=~Q(status="paused") | Q(paused_at__isnull=False),
                name="worklog_procedure_paused_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="worklog_procedure_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(locked=False) | Q(status="completed", locked_at__isnull=False),
                name="worklog_procedure_locked_when_completed",
            ),
        ]
        permissions = [
            ("approve_proceduresession", "Can approve, lock and override procedure sessions"),
        ]

    def __str__(self):
        return f"{self.sop} ({self.get_status_display().lower()}, {self.started_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("worklog:session-run", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_completed(self) -> bool:
        return self.status == SessionStatus.COMPLETED

    def worked_duration(self, now=None) -> timedelta:
        """Time from start to its end (or now), minus the time spent paused."""
        end = self.completed_at or self.cancelled_at or self.paused_at or now or timezone.now()
        return max(end - self.started_at - timedelta(seconds=self.paused_seconds), timedelta(0))

    # The aggregate's own rules (the seed's domain methods). They change this object in memory
    # only; the services lock the row, call them, and save the session with its new checks.

    @property
    def pending_checks(self) -> list["SafetyCheck"]:
        """Checks added since the session was loaded, saved with it by `services.save`."""
        return self.__dict__.setdefault("_pending_checks", [])

    def ensure_mutable(self, action: str) -> None:
        if self.locked:
            raise SessionLockedError(self)
        if not self.is_active:
            raise SessionNotActiveError(self, action)

    def ensure_owner(self, user) -> None:
        if user.pk != self.worker_id:
            raise NotSessionOwnerError(self)

    def add_check(self, *, step, result: str, checked_by, notes: str = "", checked_at=None):
        self.ensure_mutable("record a check")
        self.ensure_owner(checked_by)
        if self.status == SessionStatus.PAUSED:
            raise SessionNotActiveError(self, "record a check")
        if step is None or step.pk != self.current_step_id:
            raise StepNotCurrentError(self, getattr(step, "pk", None))
        check = SafetyCheck(
            session=self,
            step=step,
            result=CheckResult(result),
            notes=notes,
            checked_by=checked_by,
            checked_at=checked_at or timezone.now(),
        )
        self.pending_checks.append(check)
        return check

    def advance_to_next_step(self, next_step) -> None:
        self.ensure_mutable("advance")
        self.current_step = next_step

    def complete(self, at=None) -> None:
        self.ensure_mutable("complete the session")
        at = at or timezone.now()
        if self.status == SessionStatus.PAUSED:
            self._end_pause(at)
        self.status = SessionStatus.COMPLETED
        self.completed_at = at
        self.current_step = None

    def cancel(self, at=None) -> None:
        """Abandon the session where it stands: the current step is kept to show how far it
        got; a cancelled session is never approved."""
        self.ensure_mutable("cancel the session")
        at = at or timezone.now()
        if self.status == SessionStatus.PAUSED:
            self._end_pause(at)
        self.status = SessionStatus.CANCELLED
        self.cancelled_at = at

    def pause(self, at=None) -> None:
        self.ensure_mutable("pause")
        if self.status == SessionStatus.PAUSED:
            raise SessionNotActiveError(self, "pause")
        self.status = SessionStatus.PAUSED
        self.paused_at = at or timezone.now()

    def resume(self, at=None) -> None:
        self.ensure_mutable("resume")
        if self.status != SessionStatus.PAUSED:
            raise SessionNotActiveError(self, "resume")
        self._end_pause(at or timezone.now())
        self.status = SessionStatus.IN_PROGRESS

    def _end_pause(self, at) -> None:
        self.paused_seconds += max(int((at - self.paused_at).total_seconds()), 0)
        self.paused_at = None

    def lock(self, *, by, at=None) -> None:
        if self.locked:
            raise SessionLockedError(self)
        self.locked = True
        self.locked_at = at or timezone.now()
        self.approved_by = by

    def unlock(self) -> None:
        self.locked = False
        self.locked_at = None
        self.approved_by = None

    def reopen(self, *, at_step) -> None:
        """Back among the worker's open sessions, on `at_step`, paused since it was completed:
        the time until the worker resumes it is not worked time."""
        if self.locked:
            raise SessionLockedError(self)
        if not self.is_completed:
            raise SessionNotCompletedError(self, "reopened")
        self.status = SessionStatus.PAUSED
        self.paused_at = self.completed_at
        self.completed_at = None
        self.current_step = at_step


class CheckResult(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class SafetyCheck(UUIDModel):
    """A check recorded on a session's current step; failed checks stay in the history."""

    session = models.ForeignKey(ProcedureSession, on_delete=models.CASCADE, related_name="checks")
    step = models.ForeignKey(SOPStep, on_delete=models.PROTECT, related_name="checks")
    result = models.CharField(max_length=8, choices=CheckResult.choices)
    notes = models.TextField(blank=True, default="")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="safety_checks"
    )
    checked_at = models.DateTimeField(default=timezone.now)
    # A supervisor's correction of the result or notes; the Decision recording it keeps what
    # the worker had recorded and why it changed.
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_safety_checks",
    )
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "safety check"
        ordering = ["checked_at"]
        indexes = [models.Index(fields=["session", "checked_at"])]

    def __str__(self):
        return f"{self.get_result_display()}: {self.step}"

    @property
    def passed(self) -> bool:
        return self.result == CheckResult.PASSED
