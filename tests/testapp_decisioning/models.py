"""Concrete models over decisioning's mixins and constraints, and decision targets, for tests."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import BaseModel, SoftDeleteQuerySet, UUIDModel, soft_delete_manager
from decisioning.constraints import NoOverlappingValidity
from decisioning.mixins import EffectiveDatedMixin, TimeSemanticsMixin
from decisioning.querysets import EffectiveDatedQuerySet, EventAsOfQuerySet


class Event(TimeSemanticsMixin):
    name = models.CharField(max_length=50, blank=True, default="")

    objects = EventAsOfQuerySet.as_manager()


class Forecast(TimeSemanticsMixin):
    """A model whose policy allows backdating by 30 days at most."""

    max_backdate = timedelta(days=30)


class Membership(EffectiveDatedMixin):
    member = models.CharField(max_length=50, blank=True, default="")

    objects = EffectiveDatedQuerySet.as_manager()


class Timeline(TimeSemanticsMixin, EffectiveDatedMixin):
    class Meta(EffectiveDatedMixin.Meta):
        pass


class PriceQuerySet(EffectiveDatedQuerySet, SoftDeleteQuerySet):
    pass


class Price(UUIDModel, BaseModel, EffectiveDatedMixin):
    product = models.CharField(max_length=50)
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    objects = soft_delete_manager(PriceQuerySet)
    all_objects = PriceQuerySet.as_manager()

    class Meta(EffectiveDatedMixin.Meta):
        constraints = [
            *EffectiveDatedMixin.Meta.constraints,
            NoOverlappingValidity(
                fields=["product"],
                name="testapp_decisioning_price_no_overlap",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]


class Ticket(UUIDModel):
    """A decision target owned through `owner`, with its own page (tests' URLconf)."""

    title = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    def get_absolute_url(self) -> str:
        return reverse("ticket-detail", args=[self.pk])

    def __str__(self):
        return self.title


class Note(models.Model):
    """A decision target owned through `user`."""

    text = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    def __str__(self):
        return self.text


class Secret(models.Model):
    """A decision target nobody owns: only the back office may see it."""

    text = models.CharField(max_length=100)

    def __str__(self):
        return self.text
