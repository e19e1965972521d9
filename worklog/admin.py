from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from worklog import services
from worklog.exceptions import WorklogError
from worklog.models import (
    SOP,
    EndReason,
    ProcedureSession,
    SafetyCheck,
    SOPStep,
    SOPTask,
    WorkSession,
)
from worklog.models.timer import seconds_between
from worklog.services import procedures as procedure_services


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


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Not deleted"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.deleted()
        if self.value() == "no":
            return queryset.alive()
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


# Procedures


class SOPTaskInline(admin.TabularInline):
    model = SOPTask
    fields = ("position", "title", "step_count", "edit_steps")
    readonly_fields = ("step_count", "edit_steps")
    extra = 0
    ordering = ("position", "created_at")

    @admin.display(description="steps")
    def step_count(self, task: SOPTask) -> int:
        return task.steps.count() if task.pk else 0

    @admin.display(description="")
    def edit_steps(self, task: SOPTask) -> str:
        if not task.pk:
            return ""
        return format_html(
            '<a href="{}">Steps</a>', reverse("admin:worklog_soptask_change", args=[task.pk])
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is None or obj.is_draft

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or obj.is_draft

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or obj.is_draft


@admin.register(SOP)
class SOPAdmin(admin.ModelAdmin):
    """SOPs with their tasks inline (each task's steps are inline on its own page). A
    confirmed or archived SOP is frozen here as on the site."""

    list_display = ("title", "version", "status", "created_by", "confirmed_at", "is_deleted")
    list_filter = ("status",)
    search_fields = ("title",)
    list_select_related = ("created_by",)
    raw_id_fields = ("created_by", "previous_version")
    readonly_fields = ("status", "confirmed_at", "created_at", "updated_at", "deleted_at")
    inlines = (SOPTaskInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return SOP.all_objects.select_related("created_by")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return (*self.readonly_fields, "title", "description", "version", "created_by")
        return self.readonly_fields

    @admin.display(boolean=True, description="deleted")
    def is_deleted(self, sop: SOP) -> bool:
        return sop.deleted_at is not None


class SOPStepInline(admin.StackedInline):
    model = SOPStep
    fields = ("position", "instruction", "safety_check_required", "check_description")
    extra = 0
    ordering = ("position", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is None or obj.sop.is_draft

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or obj.sop.is_draft

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or obj.sop.is_draft


@admin.register(SOPTask)
class SOPTaskAdmin(admin.ModelAdmin):
    list_display = ("title", "sop", "position")
    list_select_related = ("sop",)
    search_fields = ("title", "sop__title")
    raw_id_fields = ("sop",)
    inlines = (SOPStepInline,)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.sop.is_draft)


class SafetyCheckInline(admin.TabularInline):
    model = SafetyCheck
    fields = ("checked_at", "step", "result", "checked_by", "notes")
    readonly_fields = ("checked_at", "step", "result", "checked_by")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.locked


@admin.register(ProcedureSession)
class ProcedureSessionAdmin(admin.ModelAdmin):
    """Sessions with their checks inline. State changes go through the services (the run page,
    the API, the approve action); a check's notes can be corrected until the session is
    approved, after which everything here is read only."""

    list_display = ("sop", "worker", "status", "started_at", "completed_at", "locked")
    list_filter = ("status", "locked")
    search_fields = ("sop__title", "worker__username")
    list_select_related = ("sop", "worker")
    date_hierarchy = "started_at"
    readonly_fields = (
        "worker",
        "sop",
        "status",
        "current_step",
        "started_at",
        "paused_at",
        "paused_seconds",
        "completed_at",
        "locked",
        "locked_at",
        "approved_by",
        "timer_session",
        "created_at",
        "updated_at",
    )
    inlines = (SafetyCheckInline,)
    actions = ("approve_selected",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or not obj.locked)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Approve and lock the selected completed sessions")
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        approved = 0
        for session in queryset:
            try:
                procedure_services.approve_procedure_session(
                    session=session, supervisor=request.user
                )
            except WorklogError as error:
                self.message_user(request, f"{session}: {error}", messages.ERROR)
            else:
                approved += 1
        self.message_user(request, f"Approved {approved} session(s).", messages.SUCCESS)
