from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError


def get_target_ref(obj):
    """
    Get a serializable reference to any Django model instance.

    Args:
        obj: Django model instance

    Returns:
        Dict with content_type and object_id
    """
    content_type = ContentType.objects.get_for_model(obj)
    return {
        "content_type_id": content_type.id,
        "app_label": content_type.app_label,
        "model": content_type.model,
        "object_id": str(obj.pk),
    }


def resolve_target_ref(ref):
    """
    Resolve a target reference back to a model instance.

    Args:
        ref: Dict from get_target_ref()

    Returns:
        Django model instance or None
    """
    try:
        if "content_type_id" in ref:
            content_type = ContentType.objects.get_for_id(ref["content_type_id"])
        else:
            content_type = ContentType.objects.get_by_natural_key(ref["app_label"], ref["model"])
        return content_type.get_object_for_this_type(pk=ref["object_id"])
    except (ObjectDoesNotExist, ValidationError, KeyError, ValueError, TypeError, AttributeError):
        return None
