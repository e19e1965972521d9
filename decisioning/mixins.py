"""Time semantics for any model.

`TimeSemanticsMixin` separates business time (`effective_at`: when it happened) from system time
(`recorded_at`: when we learnt it). `recorded_at` is written once: `save()` refuses to change it,
and a model that adds `ProtectRecordedAt("<model>")` (decisioning.operations) to a migration gets
a database trigger that refuses it even through `QuerySet.update()`.

Each model states its policy with class attributes: `allow_future_effective_at` (True, as in
the seed: a scheduled event or next month's price change is recorded now and `as_of()` leaves it
out until its time; a model whose records only say what already happened sets False, and a
future `effective_at` is refused), `future_tolerance` (clock skew accepted then) and
`max_backdate` (None: any past date is fine).

`EffectiveDatedMixin` gives a validity period `[valid_from, valid_to)`, with a check constraint
that `valid_to` comes after `valid_from`. A subclass that declares its own Meta keeps the
constraint by inheriting it: `class Meta(EffectiveDatedMixin.Meta): ...`. To forbid
overlapping periods per subject, add `NoOverlappingValidity` (decisioning.constraints).
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class TimeSemanticsMixin(models.Model):
    """
    Mixin for event-sourced models with clear time semantics.

    effective_at: When the event actually happened (business time)
    recorded_at: When we recorded the event (system time)
    """

    effective_at = models.DateTimeField(
        default=timezone.now, help_text="When this event actually occurred (business time)"
    )
    recorded_at = models.DateTimeField(
        auto_now_add=True, help_text="When this record was created (system time)"
    )

    allow_future_effective_at = True
    future_tolerance = timedelta(minutes=1)
    max_backdate: timedelta | None = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.validate_effective_at()
        else:
            stored = getattr(self, "_recorded_at_in_db", None)
            current = self.__dict__.get("recorded_at")
            if stored is not None and current is not None and current != stored:
                raise ValueError("recorded_at is system time; it cannot change after insert.")
        super().save(*args, **kwargs)
        self._recorded_at_in_db = self.__dict__.get("recorded_at")

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        instance._recorded_at_in_db = instance.__dict__.get("recorded_at")
        return instance

    def validate_effective_at(self) -> None:
        """Apply the model's backdating policy to `effective_at`."""
        now = timezone.now()
        if self.effective_at is None:
            return
        if not self.allow_future_effective_at and self.effective_at > now + self.future_tolerance:
            raise ValidationError(
                {"effective_at": "The effective time cannot be in the future."},
                code="future_effective_at",
            )
        limit = self.max_backdate
        if limit is not None and self.effective_at < now - limit:
            raise ValidationError(
                {"effective_at": f"The effective time cannot be more than {limit} ago."},
                code="backdated_too_far",
            )

    def clean(self):
        super().clean()
        self.validate_effective_at()


class EffectiveDatedMixin(models.Model):
    """
    Mixin for models with temporal validity periods.

    valid_from: When this record becomes valid
    valid_to: When this record expires (null = indefinite)
    """

    valid_from = models.DateTimeField(
        default=timezone.now, help_text="When this record becomes valid"
    )
    valid_to = models.DateTimeField(
        null=True, blank=True, help_text="When this record expires (null = indefinite)"
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="%(app_label)s_%(class)s_valid_to_after_valid_from",
                violation_error_message="The end of the validity period must come after its start.",
            )
        ]

    @property
    def is_active(self) -> bool:
        """Check if this record is currently valid."""
        now = timezone.now()
        if now < self.valid_from:
            return False
        return not (self.valid_to and now >= self.valid_to)

    @property
    def is_expired(self) -> bool:
        """Check if this record has expired."""
        if not self.valid_to:
            return False
        return timezone.now() >= self.valid_to

    @property
    def is_future(self) -> bool:
        """Check if this record is not yet valid."""
        return timezone.now() < self.valid_from
