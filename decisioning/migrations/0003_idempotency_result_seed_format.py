"""Completed idempotency keys written before this migration stored their result in a format of
our own (`result_type` "json" with the value under "value", or "model:<app_label.Model>");
`@idempotent` now stores the seed's format and reads only that, so existing rows are rewritten.
Keys of HTTP responses ("http_response") keep theirs."""

from django.apps import apps as live_apps
from django.db import migrations

OLD_JSON = "json"
OLD_MODEL_PREFIX = "model:"


def _class_path(label: str) -> str:
    """`<module>.<ClassName>` of the model `app_label.Model`, from the real classes (historical
    ones live in no module); a model that is gone gets its app's conventional models module."""
    try:
        model = live_apps.get_model(label)
    except (LookupError, ValueError):
        app_label, _, name = label.partition(".")
        return f"{app_label}.models.{name}"
    return f"{model.__module__}.{model.__name__}"


def to_seed_format(apps, schema_editor):
    IdempotencyKey = apps.get_model("decisioning", "IdempotencyKey")
    for row in IdempotencyKey.objects.filter(result_type=OLD_JSON).iterator():
        stored = row.result_data if isinstance(row.result_data, dict) else {}
        value = stored.get("value")
        row.result_type = f"builtins.{type(value).__name__}"
        row.result_data = value if isinstance(value, dict) else {"value": value}
        row.save(update_fields=["result_type", "result_data"])
    for row in IdempotencyKey.objects.filter(result_type__startswith=OLD_MODEL_PREFIX).iterator():
        row.result_type = _class_path(row.result_type.removeprefix(OLD_MODEL_PREFIX))
        row.save(update_fields=["result_type"])


def to_old_format(apps, schema_editor):
    IdempotencyKey = apps.get_model("decisioning", "IdempotencyKey")
    for row in IdempotencyKey.objects.filter(result_type__startswith="builtins.").iterator():
        value = row.result_data if row.result_type == "builtins.dict" else row.result_data.get(
            "value"
        )
        row.result_type = OLD_JSON
        row.result_data = {"value": value}
        row.save(update_fields=["result_type", "result_data"])
    references = IdempotencyKey.objects.exclude(result_id="").exclude(
        result_type__startswith=OLD_MODEL_PREFIX
    )
    models_by_path = {f"{m.__module__}.{m.__name__}": m for m in live_apps.get_models()}
    for row in references.iterator():
        model = models_by_path.get(row.result_type)
        if model is not None:
            row.result_type = f"{OLD_MODEL_PREFIX}{model._meta.label}"
            row.save(update_fields=["result_type"])


class Migration(migrations.Migration):
    dependencies = [
        ("decisioning", "0002_decision_target_repr"),
    ]

    operations = [
        migrations.RunPython(to_seed_format, to_old_format),
    ]
