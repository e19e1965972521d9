"""Base models every app builds on, and the user account.

`UUIDModel` gives a UUID primary key; `BaseModel` adds timestamps and soft delete. A soft-deleted
row keeps its data: `objects` hides it, `all_objects` still sees it, `restore()` brings it back.
"""

import uuid
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)

    def delete(self):
        """Soft-delete every row in the queryset; returns the number of rows marked."""
        return self.update(deleted_at=timezone.now())

    def hard_delete(self):
        return super().delete()

    def restore(self):
        return self.update(deleted_at=None)


class SoftDeleteManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """The default manager: rows that were soft-deleted are not there."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


def soft_delete_manager(queryset_class: type[SoftDeleteQuerySet]) -> SoftDeleteManager:
    """A manager that hides deleted rows and offers `queryset_class`'s methods."""
    return SoftDeleteManager.from_queryset(queryset_class)()


class SoftDeleteModel(models.Model):
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    objects = SoftDeleteManager()
    all_objects = SoftDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def delete(self, using=None, keep_parents=False):
        """Soft delete: the row stays, hidden from `objects`."""
        self.deleted_at = timezone.now()
        self.save(update_fields=["deleted_at"], using=using)
        return 1, {self._meta.label: 1}

    def hard_delete(self, using=None, keep_parents=False):
        return super().delete(using=using, keep_parents=keep_parents)

    def restore(self) -> None:
        self.deleted_at = None
        self.save(update_fields=["deleted_at"])


class BaseModel(TimeStampedModel, SoftDeleteModel):
    """Timestamps and soft delete; combine with `UUIDModel` for a UUID key."""

    class Meta:
        abstract = True


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError("%(value)s is not a known time zone.", params={"value": value})


class Weekday(models.IntegerChoices):
    """Python's numbering (`date.weekday()`): Monday is 0."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class User(AbstractUser):
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        validators=[validate_time_zone],
        help_text="Times are shown in this zone; blank uses the site's default.",
    )
    week_start = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text="The first day of your week on the timesheet and in reports.",
    )
    enrich_on_save = models.BooleanField(
        default=False,
        verbose_name="enrich work logs when saved",
        help_text="Suggest skills, bullets and a summary each time you save a work log's text, "
        "without asking.",
    )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return (
            zoneinfo.ZoneInfo(self.time_zone) if self.time_zone else timezone.get_default_timezone()
        )


class ApiToken(UUIDModel):
    """A personal token for the JSON API. Only a hash of the secret is stored: the secret itself
    is shown once, when the token is created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=12, help_text="The secret's first characters, to tell tokens apart."
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
