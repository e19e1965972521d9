"""Concrete models over core's abstract bases, for testing the bases themselves."""

from django.db import models

from core.models import BaseModel, SoftDeleteQuerySet, UUIDModel, soft_delete_manager


class WidgetQuerySet(SoftDeleteQuerySet):
    def named(self, name: str):
        return self.filter(name=name)


class Widget(UUIDModel, BaseModel):
    name = models.CharField(max_length=50)

    objects = soft_delete_manager(WidgetQuerySet)
    all_objects = WidgetQuerySet.as_manager()


class Part(UUIDModel, BaseModel):
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="parts")
