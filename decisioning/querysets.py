"""Temporal querysets: `EventAsOfQuerySet` for business/system time, `EffectiveDatedQuerySet`
for validity periods, and the decision log's own queryset."""

from django.db import models
from django.utils import timezone

from core.models import SoftDeleteQuerySet


class EventAsOfQuerySet(models.QuerySet):
    """QuerySet for event-sourced models with effective_at/recorded_at."""

    def as_of(self, timestamp):
        """Get records effective as of a timestamp."""
        return self.filter(effective_at__lte=timestamp)

    def recorded_before(self, timestamp):
        """Get records recorded before a timestamp."""
        return self.filter(recorded_at__lte=timestamp)

    def recorded_after(self, timestamp):
        """Get records recorded after a timestamp."""
        return self.filter(recorded_at__gt=timestamp)

    def effective_between(self, start, end):
        """Get records effective within a range."""
        return self.filter(effective_at__gte=start, effective_at__lt=end)

    def known_at(self, timestamp):
        """What the system knew at `timestamp`: rows recorded by then (system time)."""
        return self.recorded_before(timestamp)


class EffectiveDatedQuerySet(models.QuerySet):
    """QuerySet for models with valid_from/valid_to fields."""

    def current(self):
        """Get currently valid records."""
        return self.as_of(timezone.now())

    def as_of(self, timestamp):
        """Get records valid at a specific timestamp."""
        return self.filter(valid_from__lte=timestamp).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=timestamp)
        )

    def expired(self):
        """Get records that have expired."""
        return self.filter(valid_to__lte=timezone.now())

    def future(self):
        """Get records not yet valid."""
        return self.filter(valid_from__gt=timezone.now())

    def overlapping(self, start, end):
        """Get records that overlap with a time range; `end=None` means open-ended."""
        overlapping = self.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=start))
        if end is not None:
            overlapping = overlapping.filter(valid_from__lt=end)
        return overlapping


class DecisionQuerySet(EventAsOfQuerySet, SoftDeleteQuerySet):
    def visible_to(self, user):
        """Decisions `user` recorded; every decision for holders of the back-office permission."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("decisioning.view_all_decisions"):
            return self
        return self.filter(decided_by=user)

    def for_target(self, target):
        from django.contrib.contenttypes.models import ContentType

        return self.filter(
            target_content_type=ContentType.objects.get_for_model(target),
            target_id=str(target.pk),
        )

    def for_log(self):
        """Everything the decision log shows, in a fixed number of queries whatever the number
        of target types: targets are shown by their `target_repr`, never loaded."""
        return self.select_related("decided_by", "target_content_type", "supersedes")


class IdempotencyKeyQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())

    def purgeable(self, now=None):
        """Expired keys whose operation is over; an in-flight key is never purged."""
        from .models import IdempotencyStatus

        return self.expired(now).exclude(status=IdempotencyStatus.IN_FLIGHT)
