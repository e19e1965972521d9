"""Teams, the weekly timesheets their members submit and their managers approve, and the lock
periods an administrator sets. An approved week, and any time before a lock period's cutoff, is
locked: `worklog.teams.locks` refuses every change to a session that overlaps it."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.models import UUIDModel
from worklog.timer.selectors import local_day_bounds


class Team(UUIDModel):
    """People whose weeks one or more managers approve; a manager may also be a member."""

    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teams", verbose_name="members"
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="managed_teams", verbose_name="managers"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("worklog:team-detail", args=[self.pk])


class WeekState(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class TimesheetWeek(UUIDModel):
    """One user's week, from `week_start` (the first day in the user's week-start setting when
    the row was made) for seven local days. A week without a row is open."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timesheet_weeks"
    )
    week_start = models.DateField()
    state = models.CharField(max_length=16, choices=WeekState.choices, default=WeekState.OPEN)
    submitted_at = models.DateTimeField(null=True, blank=True)
    changed_since_submitted = models.BooleanField(
        default=False, help_text="A session in the week changed after it was submitted."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who approved or rejected it last.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_note = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "timesheet week"
        verbose_name_plural = "timesheet weeks"
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week_start"], name="worklog_one_timesheet_week_per_user_and_start"
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(rejection_note=""),
                name="worklog_timesheet_week_rejected_with_a_note",
            ),
        ]
        indexes = [models.Index(fields=["state", "week_start"], name="worklog_week_state_start")]

    def __str__(self):
        return f"{self.user} – week of {self.week_start:%-d %b %Y}"

    def get_absolute_url(self) -> str:
        return f"{reverse('worklog:timer-week')}?date={self.week_start:%Y-%m-%d}"

    @property
    def last_day(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def label(self) -> str:
        """'2026-W49': the ISO week of its first day, as the API names it."""
        year, week, _ = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"

    def bounds(self, zone) -> tuple[datetime, datetime]:
        """The week as the half-open interval of its seven local days in `zone`."""
        return local_day_bounds(self.week_start, zone)[0], local_day_bounds(self.last_day, zone)[1]

    @property
    def is_locked(self) -> bool:
        return self.state == WeekState.APPROVED


class LockPeriod(models.Model):
    """An administrator's lock of everyone's time: every day up to `locked_through`, and every
    week that ended more than `auto_lock_after_days` days ago. Rows are never changed: the
    latest one applies, and the earlier ones are its history."""

    locked_through = models.DateField(
        null=True, blank=True, help_text="Lock everyone's time up to and including this day."
    )
    auto_lock_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(366)],
        help_text="Lock each week this many days after it ends; blank for no automatic lock.",
    )
    reason = models.TextField(blank=True, default="")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "lock period"
        verbose_name_plural = "lock periods"
        ordering = ["-set_at"]

    def __str__(self):
        parts = []
        if self.locked_through:
            parts.append(f"locked through {self.locked_through:%-d %b %Y}")
        if self.auto_lock_after_days is not None:
            parts.append(f"weeks locked {self.auto_lock_after_days} days after they end")
        return ", ".join(parts) or "no lock"

    def clean(self):
        if self.locked_through and self.locked_through > timezone.localdate():
            raise ValidationError({"locked_through": "Time can be locked up to today at most."})

    def cutoff(self, zone, first_weekday: int, today: date) -> datetime | None:
        """The moment before which a user in `zone` whose weeks start on `first_weekday` can
        change nothing, or None."""
        days = []
        if self.locked_through:
            days.append(self.locked_through + timedelta(days=1))
        if self.auto_lock_after_days is not None:
            this_week = today - timedelta(days=(today.weekday() - first_weekday) % 7)
            # The latest week whose end (its next week's start) lies that many days back.
            next_start = this_week
            while next_start + timedelta(days=self.auto_lock_after_days) > today:
                next_start -= timedelta(days=7)
            days.append(next_start)
        if not days:
            return None
        return local_day_bounds(max(days), zone)[0]


class ReminderKind(models.TextChoices):
    SUBMIT = "submit", "Submit last week"
    APPROVE = "approve", "Weeks waiting for approval"


class WeekReminder(models.Model):
    """One Monday email: to a member whose previous week is not submitted, or to a manager with
    weeks waiting. The database keeps one per recipient, week and kind, which is what stops two
    workers from sending it twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="week_reminders"
    )
    week_start = models.DateField(help_text="The first day of the week the reminder is about.")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "week reminder"
        verbose_name_plural = "week reminders"
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "week_start", "kind"],
                name="worklog_one_week_reminder_per_recipient_week_and_kind",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient} ({self.week_start})"
