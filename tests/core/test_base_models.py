import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.testapp.models import Part, Widget

pytestmark = pytest.mark.django_db


def test_uuid_model_assigns_uuid_primary_key():
    widget = Widget.objects.create(name="a")
    assert isinstance(widget.pk, uuid.UUID)
    assert widget.id == widget.pk
    assert Widget.objects.create(name="b").pk != widget.pk


def test_timestamps_set_on_create_and_update():
    widget = Widget.objects.create(name="a")
    created, updated = widget.created_at, widget.updated_at
    assert created is not None and updated is not None
    widget.name = "b"
    widget.save()
    widget.refresh_from_db()
    assert widget.created_at == created
    assert widget.updated_at > updated


def test_delete_is_soft_and_hidden_from_objects():
    widget = Widget.objects.create(name="a")
    widget.delete()
    assert widget.is_deleted
    assert widget.deleted_at is not None
    assert not Widget.objects.filter(pk=widget.pk).exists()
    assert Widget.all_objects.filter(pk=widget.pk).exists()


def test_restore_brings_row_back():
    widget = Widget.objects.create(name="a")
    widget.delete()
    widget.restore()
    assert not widget.is_deleted
    assert Widget.objects.filter(pk=widget.pk).exists()


def test_hard_delete_removes_row_and_cascades():
    widget = Widget.objects.create(name="a")
    Part.objects.create(widget=widget)
    widget.hard_delete()
    assert not Widget.all_objects.filter(pk=widget.pk).exists()
    assert not Part.all_objects.exists()


def test_soft_delete_keeps_related_rows():
    widget = Widget.objects.create(name="a")
    part = Part.objects.create(widget=widget)
    widget.delete()
    assert Part.objects.filter(pk=part.pk).exists()


def test_queryset_delete_is_soft():
    Widget.objects.create(name="a")
    Widget.objects.create(name="b")
    assert Widget.objects.all().delete() == 2
    assert Widget.objects.count() == 0
    assert Widget.all_objects.deleted().count() == 2
    assert Widget.all_objects.deleted().restore() == 2
    assert Widget.objects.count() == 2


def test_queryset_hard_delete():
    Widget.objects.create(name="a")
    Widget.all_objects.all().hard_delete()
    assert Widget.all_objects.count() == 0


def test_custom_queryset_methods_on_soft_delete_manager():
    kept = Widget.objects.create(name="x")
    Widget.objects.create(name="x").delete()
    assert list(Widget.objects.named("x")) == [kept]
    assert Widget.all_objects.named("x").count() == 2
    assert Widget.all_objects.alive().named("x").get() == kept


def test_deleted_at_is_not_editable_and_defaults_to_none():
    widget = Widget.objects.create(name="a")
    assert widget.deleted_at is None
    assert not Widget._meta.get_field("deleted_at").editable
    assert timezone.now() - widget.created_at < timedelta(minutes=1)
