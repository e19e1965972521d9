"""Reads the decision pages need: who may see which decisions and targets.

Visibility of decisions: a user sees the decisions they recorded (`decided_by`); holders of
`decisioning.view_all_decisions` (the back office, granted through a group) see all.

Visibility of a target (what a decision may be recorded about, from the target's own page):
a model whose default manager has `visible_to(user)` (baskets, work items) decides itself;
otherwise an object is visible to a user when it has a `user`, `created_by` or `owner` field
pointing at them, or is that user; back-office users see every object. Anything else, an
unknown content type or a missing object included, is answered 404, never 403, so nobody
learns what exists.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404

from .models import Decision

OWNER_FIELDS = ("user", "created_by", "owner")
BACK_OFFICE_PERMISSION = "decisioning.view_all_decisions"


def is_back_office(user) -> bool:
    return user.is_authenticated and user.has_perm(BACK_OFFICE_PERMISSION)


def target_visible_to(user, target: models.Model) -> bool:
    if not user.is_authenticated:
        return False
    if is_back_office(user):
        return True
    if isinstance(target, get_user_model()) and target.pk == user.pk:
        return True
    manager = type(target)._default_manager
    if callable(getattr(manager, "visible_to", None)):
        return manager.visible_to(user).filter(pk=target.pk).exists()
    for name in OWNER_FIELDS:
        try:
            field = target._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_one and getattr(target, field.attname) == user.pk:
            return True
    return False


def get_visible_target(user, *, content_type_id, object_id) -> models.Model:
    """The target a user may record a decision about, or Http404."""
    if not user.is_authenticated:
        raise Http404("No such object.")
    try:
        content_type = ContentType.objects.get_for_id(int(content_type_id))
        manager = content_type.model_class()._default_manager
        if callable(getattr(manager, "visible_to", None)) and not is_back_office(user):
            # The model decides who sees what: read the target through it, in one query,
            # rather than read it and then ask whether it is visible.
            return manager.visible_to(user).get(pk=object_id)
        target = content_type.get_object_for_this_type(pk=object_id)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError, AttributeError):
        raise Http404("No such object.") from None
    if not target_visible_to(user, target):
        raise Http404("No such object.")
    return target


def get_visible_decision(user, pk) -> Decision:
    try:
        return (
            Decision.objects.visible_to(user)
            .select_related("decided_by", "target_content_type", "supersedes")
            .get(pk=pk)
        )
    except (Decision.DoesNotExist, ValidationError):
        raise Http404("No such decision.") from None


def decisions_about(user, target: models.Model, *, limit: int = 5) -> list[Decision]:
    return list(
        Decision.objects.visible_to(user).for_target(target).select_related("decided_by")[:limit]
    )
