from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.template.defaultfilters import pluralize
from django.utils import timezone

from . import services
from .models import Decision, IdempotencyKey


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [("expired", "Expired"), ("live", "Not expired yet"), ("never", "Never expires")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "expired":
            return queryset.filter(expires_at__lte=now)
        if self.value() == "live":
            return queryset.filter(expires_at__gt=now)
        if self.value() == "never":
            return queryset.filter(expires_at__isnull=True)
        return queryset


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """Read-only: keys are written by the idempotency protocol alone."""

    list_display = ("key", "scope", "status", "started_at", "completed_at", "expires_at")
    list_filter = ("status", ExpiryFilter)
    search_fields = ("key", "scope")
    ordering = ("-started_at",)
    date_hierarchy = "started_at"
    actions = ["purge_expired"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Purge all expired keys (not in flight)", permissions=["delete"])
    def purge_expired(self, request, queryset):
        deleted = services.purge_expired_idempotency_keys()
        self.message_user(request, f"Deleted {deleted} expired idempotency keys.", messages.SUCCESS)


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Not deleted"), ("yes", "Deleted"), ("all", "All")]

    def choices(self, changelist):
        # "Not deleted" is the default, so the plain changelist never shows deleted rows.
        value = self.value() or "no"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "no"
        if value == "no":
            return queryset.filter(deleted_at__isnull=True)
        if value == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


class DecisionAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        content_type, target_id = cleaned.get("target_content_type"), cleaned.get("target_id")
        if content_type and target_id:
            try:
                content_type.get_object_for_this_type(pk=target_id)
            except (ObjectDoesNotExist, ValueError, ValidationError):
                self.add_error("target_id", f"No such {content_type.name} with id {target_id!r}.")
        return cleaned


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    form = DecisionAdminForm
    list_display = (
        "decision_type",
        "outcome",
        "target_content_type",
        "target_repr",
        "decided_by",
        "effective_at",
        "recorded_at",
        "deleted_at",
    )
    list_filter = (DeletedFilter, "outcome", "decision_type", "target_content_type", "effective_at")
    search_fields = ("reason", "decision_type", "target_id", "target_repr", "decided_by__username")
    list_select_related = ("decided_by", "target_content_type")
    date_hierarchy = "effective_at"
    readonly_fields = ("recorded_at", "target_repr", "created_at", "updated_at", "deleted_at")
    raw_id_fields = ("decided_by", "supersedes", "idempotency_key")
    actions = ["soft_delete", "restore"]

    def get_queryset(self, request):
        return Decision.all_objects.all()

    def get_readonly_fields(self, request, obj=None):
        # Decisions are append-only: an existing one is read, corrected by a new one, or deleted.
        if obj is not None:
            return [field.name for field in Decision._meta.fields] + ["target"]
        return self.readonly_fields

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # Deleting is soft here: the bulk "delete selected" would hard-delete.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        obj.delete()

    @admin.action(description="Soft-delete selected decisions", permissions=["delete"])
    def soft_delete(self, request, queryset):
        count = services.soft_delete_decisions(queryset)
        self.message_user(
            request, f"Soft-deleted {count} decision{pluralize(count)}.", messages.SUCCESS
        )

    @admin.action(description="Restore selected deleted decisions", permissions=["change"])
    def restore(self, request, queryset):
        count = services.restore_decisions(queryset)
        self.message_user(
            request, f"Restored {count} decision{pluralize(count)}.", messages.SUCCESS
        )
