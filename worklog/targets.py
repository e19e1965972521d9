"""The things a user can time. Apps register their models here in `AppConfig.ready()`; the
dashboard's picker, the recent-targets list and the API resolve targets only through this registry,
and only among the objects `visible_to(user)` returns."""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet

from core.display import display_name
from core.models import User


@dataclass(frozen=True)
class TargetPlacement:
    """How a report names one timed object, and the client and project its time counts under."""

    label: str
    client: str = ""
    project: str = ""


@dataclass(frozen=True)
class TargetType:
    model: type[models.Model]
    label: str
    search_fields: tuple[str, ...]
    visible_to: Callable[[User], QuerySet]
    # For reports: `placements(user, pks)` names the user's objects among `pks` (those no longer
    # offered for timing included) with their client and project, in one query. Without it, a
    # report names the objects `visible_to` returns, under no client or project.
    placements: Callable[[User, Collection[str]], dict[str, TargetPlacement]] | None = None
    # The relations `display_name` reads, loaded with the objects so that naming many objects
    # costs one query per type rather than one more per object.
    label_related: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


@dataclass(frozen=True)
class Target:
    """One object a session can be timed against, as the picker and the API show it."""

    type: TargetType
    object: models.Model

    @property
    def key(self) -> str:
        """`app_label.model:pk`, the reference forms and the API pass back."""
        return f"{self.type.key}:{self.object.pk}"

    @property
    def label(self) -> str:
        return display_name(self.object)


@dataclass(frozen=True)
class TargetName:
    """How a list of sessions names a session's target: its type key, id and label."""

    type: str
    id: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"


_registry: dict[str, TargetType] = {}


def register_target_type(target_type: TargetType) -> None:
    _registry[target_type.key] = target_type


def unregister_target_type(model: type[models.Model]) -> None:
    _registry.pop(model._meta.label_lower, None)


def target_types() -> list[TargetType]:
    return list(_registry.values())


def target_type_for_model(model: type[models.Model]) -> TargetType | None:
    return _registry.get(model._meta.label_lower)


def search_targets(user: User, query: str, limit: int = 20) -> list[Target]:
    """Objects of every registered type that `user` may time and whose search fields contain
    `query`: one query per type."""
    # PostgreSQL refuses NUL in text parameters; nobody searches for one.
    query = query.replace("\x00", "").strip()
    found: list[Target] = []
    for target_type in target_types():
        if len(found) >= limit:
            break
        queryset = target_type.visible_to(user)
        if query and target_type.search_fields:
            queryset = queryset.filter(
                reduce(
                    or_,
                    (
                        models.Q(**{f"{field}__icontains": query})
                        for field in target_type.search_fields
                    ),
                )
            )
        found.extend(Target(target_type, obj) for obj in queryset[: limit - len(found)])
    return found


def _wanted_by_type(references: Iterable[tuple[int | None, str]]) -> dict[int, set[str]]:
    wanted: dict[int, set[str]] = {}
    for content_type_id, object_id in references:
        if content_type_id and object_id:
            wanted.setdefault(content_type_id, set()).add(object_id)
    return wanted


def resolve_target(user: User, key: str) -> Target | None:
    """The target `key` names, if its type is registered and `user` may see it; else None."""
    type_key, _, pk = key.partition(":")
    target_type = _registry.get(type_key.lower())
    if target_type is None or not pk:
        return None
    try:
        obj = target_type.visible_to(user).filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):  # a malformed key, e.g. not a UUID
        return None
    return Target(target_type, obj) if obj is not None else None


def visible_targets(
    user: User, references: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], Target]:
    """The targets among `(content_type_id, object_id)` pairs that `user` may still see, with one
    query per target type."""
    wanted = _wanted_by_type(references)
    found: dict[tuple[int, str], Target] = {}
    for content_type_id, object_ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        target_type = target_type_for_model(model) if model else None
        if target_type is None:
            continue
        for obj in target_type.visible_to(user).filter(pk__in=object_ids):
            found[(content_type_id, str(obj.pk))] = Target(target_type, obj)
    return found


def target_placements(
    user: User, references: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], TargetPlacement]:
    """How a report names each of `(content_type_id, object_id)` that `user` may see, with one
    query per target type; references to unregistered types or to objects gone are left out."""
    wanted = _wanted_by_type(references)
    found: dict[tuple[int, str], TargetPlacement] = {}
    for content_type_id, object_ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        target_type = target_type_for_model(model) if model else None
        if target_type is None:
            continue
        if target_type.placements is not None:
            placed = target_type.placements(user, object_ids)
        else:
            objects = target_type.visible_to(user).filter(pk__in=object_ids)
            placed = {str(obj.pk): TargetPlacement(str(obj)) for obj in objects}
        found.update(((content_type_id, pk), placement) for pk, placement in placed.items())
    return found


def _valid_pks(model: type[models.Model], object_ids: Iterable[str]) -> list:
    """The ids that can name a row of `model`; a malformed one (not a UUID) names none."""
    valid = []
    for object_id in object_ids:
        try:
            valid.append(model._meta.pk.to_python(object_id))
        except ValidationError:
            continue
    return valid


def target_names(
    references: Iterable[tuple[int | None, str]],
) -> dict[tuple[int, str], TargetName]:
    """The names of the objects among `(content_type_id, object_id)` pairs, with one query per
    target type. A session's history keeps its target's name after the target is finished,
    hidden or soft-deleted, so objects are read whether or not anyone may still time them; only
    rows gone from the table are left out."""
    found: dict[tuple[int, str], TargetName] = {}
    for content_type_id, object_ids in _wanted_by_type(references).items():
        content_type = ContentType.objects.get_for_id(content_type_id)
        model = content_type.model_class()
        if model is None:
            continue
        target_type = target_type_for_model(model)
        related = target_type.label_related if target_type else ()
        objects = model._base_manager.filter(pk__in=_valid_pks(model, object_ids))
        type_key = f"{content_type.app_label}.{content_type.model}"
        for obj in objects.select_related(*related) if related else objects:
            object_id = obj._meta.pk.value_to_string(obj)
            found[(content_type_id, object_id)] = TargetName(type_key, object_id, display_name(obj))
    return found
