"""`NoOverlappingValidity`: at most one valid row per subject at any instant.

    class Price(EffectiveDatedMixin, BaseModel):
        product = models.ForeignKey(Product, on_delete=models.CASCADE)

        class Meta(EffectiveDatedMixin.Meta):
            constraints = [
                *EffectiveDatedMixin.Meta.constraints,
                NoOverlappingValidity(
                    fields=["product"],
                    name="price_no_overlap",
                    condition=Q(deleted_at__isnull=True),
                ),
            ]

Periods are half-open, `[valid_from, valid_to)`, so one period may end exactly where the next
starts; an open `valid_to` runs for ever. `condition` leaves rows out (soft-deleted ones above).
On PostgreSQL the database enforces it with an exclusion constraint over `tstzrange` (the
migration that adds it must run after `decisioning.0001_initial`, which installs `btree_gist`);
on other databases `full_clean()` / `validate_constraints()` enforce it.
"""

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models.constraints import BaseConstraint

from .querysets import EffectiveDatedQuerySet


class NoOverlappingValidity(BaseConstraint):
    default_violation_error_message = "This validity period overlaps another one for %(fields)s."

    def __init__(
        self,
        *,
        fields,
        name,
        condition=None,
        violation_error_code=None,
        violation_error_message=None,
    ):
        if not fields:
            raise ValueError("NoOverlappingValidity needs the subject's fields.")
        self.fields = tuple(fields)
        self.condition = condition
        super().__init__(
            name=name,
            violation_error_code=violation_error_code,
            violation_error_message=violation_error_message,
        )

    def _exclusion_constraint(self):
        from django.contrib.postgres.constraints import ExclusionConstraint
        from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators

        class ValidityRange(models.Func):
            function = "TSTZRANGE"
            output_field = DateTimeRangeField()

        return ExclusionConstraint(
            name=self.name,
            expressions=[
                (ValidityRange("valid_from", "valid_to", RangeBoundary()), RangeOperators.OVERLAPS),
                *[(field, RangeOperators.EQUAL) for field in self.fields],
            ],
            condition=self.condition,
        )

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return self._exclusion_constraint().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return self._exclusion_constraint().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return self._exclusion_constraint().remove_sql(model, schema_editor)

    def get_violation_error_message(self):
        return self.violation_error_message % {"fields": ", ".join(self.fields)}

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        from django.core.exceptions import ValidationError

        checked = {"valid_from", "valid_to", *self.fields}
        if exclude and checked & set(exclude):
            return
        if instance.valid_from is None:
            return
        if self.condition is not None:
            against = instance._get_field_expression_map(meta=model._meta, exclude=exclude)
            if not models.Q(self.condition).check(against, using=using):
                return
        others = EffectiveDatedQuerySet(model, using=using).filter(
            **{
                model._meta.get_field(field).attname: getattr(
                    instance, model._meta.get_field(field).attname
                )
                for field in self.fields
            }
        )
        if self.condition is not None:
            others = others.filter(self.condition)
        if not instance._state.adding and instance.pk is not None:
            others = others.exclude(pk=instance.pk)
        if others.overlapping(instance.valid_from, instance.valid_to).exists():
            raise ValidationError(
                self.get_violation_error_message(), code=self.violation_error_code
            )

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        path = "decisioning.constraints.NoOverlappingValidity"
        kwargs["fields"] = self.fields
        if self.condition is not None:
            kwargs["condition"] = self.condition
        return path, args, kwargs

    def __eq__(self, other):
        if isinstance(other, NoOverlappingValidity):
            return (
                self.name == other.name
                and self.fields == other.fields
                and self.condition == other.condition
                and self.violation_error_code == other.violation_error_code
                and self.violation_error_message == other.violation_error_message
            )
        return super().__eq__(other)

    def __repr__(self):
        return f"<{self.__class__.__name__}: fields={self.fields!r} name={self.name!r}>"
