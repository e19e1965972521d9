import uuid

import pytest
from django.contrib.contenttypes.models import ContentType

from decisioning.utils import get_target_ref, resolve_target_ref
from tests.testapp_decisioning.models import Note, Ticket

pytestmark = pytest.mark.django_db


def test_get_target_ref_returns_dict(ticket):
    ref = get_target_ref(ticket)
    assert isinstance(ref, dict)
    assert set(ref) == {"content_type_id", "app_label", "model", "object_id"}


def test_get_target_ref_includes_content_type(ticket):
    ref = get_target_ref(ticket)
    content_type = ContentType.objects.get_for_model(Ticket)
    assert ref["content_type_id"] == content_type.id
    assert ref["app_label"] == "testapp_decisioning"
    assert ref["model"] == "ticket"


def test_get_target_ref_includes_object_id(ticket):
    assert get_target_ref(ticket)["object_id"] == str(ticket.pk)


def test_resolve_target_ref_returns_object(ticket):
    assert resolve_target_ref(get_target_ref(ticket)) == ticket


def test_resolve_target_ref_by_id(ticket):
    ref = {"content_type_id": ContentType.objects.get_for_model(Ticket).id}
    ref["object_id"] = str(ticket.pk)
    assert resolve_target_ref(ref) == ticket


def test_resolve_target_ref_by_label(ticket):
    ref = {"app_label": "testapp_decisioning", "model": "ticket", "object_id": str(ticket.pk)}
    assert resolve_target_ref(ref) == ticket


def test_resolve_target_ref_returns_none_missing(ticket):
    ref = get_target_ref(ticket)
    assert resolve_target_ref({**ref, "object_id": str(uuid.uuid4())}) is None
    assert resolve_target_ref({**ref, "object_id": "not-a-uuid"}) is None
    assert resolve_target_ref({"app_label": "nope", "model": "nothing", "object_id": "1"}) is None
    assert resolve_target_ref({"content_type_id": 999_999, "object_id": "1"}) is None
    assert resolve_target_ref({}) is None


def test_roundtrip_get_resolve(ticket, user):
    note = Note.objects.create(text="hello", user=user)
    for obj in (ticket, note, user):
        assert resolve_target_ref(get_target_ref(obj)) == obj
