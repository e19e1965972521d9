"""The admin of timed work sessions: stop or restore them; an edited stop is a correction."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from worklog.admin_filters import DeletedFilter
from worklog.exceptions import WorklogError
from worklog.timer import services
from worklog.timer.models import EndReason, WorkSession, seconds_between


class ActiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "Running"), ("no", "Stopped")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.completed()
        return queryset


class WorkSessionAdminForm(forms.ModelForm):
    class Meta:
        model = WorkSession
        fields = (
            "user",
            "target_content_type",
            "target_id",
            "session_type",
            "started_at",
            "stopped_at",
            "effective_at",
            "notes",
            "metadata",
        )

    def clean(self):
        cleaned = super().clean()
        started_at, stopped_at = cleaned.get("started_at"), cleaned.get("stopped_at")
        if started_at and stopped_at and stopped_at < started_at:
            self.add_error("stopped_at", "The stop must not be before the start.")
        user = cleaned.get("user")
        if user and stopped_at is None and self.instance.switch_policy:
            # The database allows one running session per user under the switch policy.
            others = WorkSession.objects.for_user(user).active().filter(switch_policy=True)
            if others.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "stopped_at",
                    "Another session of this user is already running; stop it first.",
                )
        return cleaned


@admin.register(WorkSession)
class WorkSessionAdmin(admin.ModelAdmin):
    form = WorkSessionAdminForm
    list_display = (
        "started_at",
        "user",
        "target_display",
        "session_type",
        "stopped_at",
        "duration_seconds",
        "end_reason",
        "is_deleted",
    )
    list_filter = (
        "user",
        ActiveFilter,
        "session_type",
        ("started_at", admin.DateFieldListFilter),
        "end_reason",
        DeletedFilter,
    )
    search_fields = ("notes",)
    date_hierarchy = "started_at"
    list_select_related = ("user", "target_content_type")
    readonly_fields = (
        "recorded_at",
        "created_at",
        "updated_at",
        "deleted_at",
        "duration_seconds",
        "end_reason",
        "switch_policy",
    )
    fields = (
        "user",
        ("target_content_type", "target_id"),
        "session_type",
        ("started_at", "stopped_at"),
        "duration_seconds",
        "end_reason",
        "effective_at",
        "notes",
        "metadata",
        "switch_policy",
        ("recorded_at", "created_at", "updated_at", "deleted_at"),
    )
    raw_id_fields = ("user",)
    actions = ("stop_selected", "restore_selected")

    def save_model(self, request, session: WorkSession, form, change: bool) -> None:
        # Keep the duration true to the times; an edited stop is a correction.
        if session.stopped_at is not None:
            session.duration_seconds = seconds_between(session.started_at, session.stopped_at)
            if change and "stopped_at" in form.changed_data:
                session.end_reason = EndReason.CORRECTED
            session.end_reason = session.end_reason or EndReason.STOPPED
        else:
            session.duration_seconds = None
            session.end_reason = ""
        super().save_model(request, session, form, change)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Soft-deleted sessions stay visible here, so they can be found and restored.
        return WorkSession.all_objects.select_related("user", "target_content_type")

    @admin.display(description="target")
    def target_display(self, session: WorkSession) -> str:
        if not session.target_content_type_id:
            return "—"
        return f"{session.target_content_type.name}: {session.target_id}"

    @admin.display(boolean=True, description="deleted")
    def is_deleted(self, session: WorkSession) -> bool:
        return session.deleted_at is not None

    @admin.action(description="Stop the selected running sessions")
    def stop_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        stopped = 0
        for session in queryset.active().alive():
            try:
                services.stop_running_session(session=session)
            except WorklogError as error:
                self.message_user(request, f"{session}: {error}", messages.ERROR)
            else:
                stopped += 1
        self.message_user(request, f"Stopped {stopped} session(s).", messages.SUCCESS)

    @admin.action(description="Restore the selected deleted sessions")
    def restore_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        restored = 0
        for session in queryset.deleted():
            try:
                services.restore_session(session=session)
            except WorklogError as error:
                self.message_user(
                    request, f"{session.started_at:%Y-%m-%d %H:%M}: {error}", messages.ERROR
                )
            else:
                restored += 1
        self.message_user(request, f"Restored {restored} session(s).", messages.SUCCESS)
