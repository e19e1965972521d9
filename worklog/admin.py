from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from worklog import services
from worklog.exceptions import SOPHasActiveSessionsError, WorklogError
from worklog.models import (
    SOP,
    Attachment,
    Client,
    EndReason,
    Epic,
    Feature,
    ProcedureSession,
    Project,
    SafetyCheck,
    SOPStep,
    SOPTask,
    Sprint,
    Story,
    Task,
    WorkLog,
    WorkLogBullet,
    WorkLogExternalLink,
    WorkLogPreset,
    WorkLogReport,
    WorkLogSkillSignal,
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

    def delete_view(self, request, object_id, extra_context=None) -> HttpResponse:
        """Refused, with the list of active sessions, before the confirmation page."""
        sop = self.get_object(request, unquote(object_id))
        if sop is not None and sop.sessions.active().exists():
            active = sop.sessions.active().select_related("worker").order_by("started_at")
            self.message_user(request, str(SOPHasActiveSessionsError(sop, active)), messages.ERROR)
            return redirect("admin:worklog_sop_change", sop.pk)
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        """A soft delete touches only the SOPs: their finished sessions stay and do not block
        it; active sessions do, and are listed as what protects the SOP."""
        sops = list(objs)
        active = (
            ProcedureSession.objects.filter(sop__in=sops).active().select_related("sop", "worker")
        )
        protected = [f"{session} of {session.worker}" for session in active]
        summary = {SOP._meta.verbose_name_plural: len(sops)}
        return [str(sop) for sop in sops], summary, set(), protected

    def delete_model(self, request, obj: SOP) -> None:
        procedure_services.delete_sop_as_staff(sop=obj)

    def delete_queryset(self, request, queryset: QuerySet) -> None:
        for sop in queryset:
            try:
                procedure_services.delete_sop_as_staff(sop=sop)
            except SOPHasActiveSessionsError as error:
                self.message_user(request, str(error), messages.ERROR)


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


# The work journal. Each level of the hierarchy filters by its owner and its parent.


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "is_active", "website", "created_at")
    list_filter = ("user", "is_active")
    search_fields = ("name", "description", "notes")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "client", "role", "started_on", "ended_on", "is_active")
    list_filter = ("client__user", "client", "is_active")
    search_fields = ("name", "description", "client__name")
    list_select_related = ("client",)
    autocomplete_fields = ("client",)


@admin.register(Sprint)
class SprintAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "start_date", "end_date", "is_active")
    list_filter = ("project__client__user", "project", "is_active")
    search_fields = ("name", "goal", "project__name")
    list_select_related = ("project",)
    autocomplete_fields = ("project",)


@admin.register(Epic)
class EpicAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "is_active")
    list_filter = ("project__client__user", "project", "is_active")
    search_fields = ("name", "project__name")
    list_select_related = ("project",)
    autocomplete_fields = ("project",)


@admin.register(Feature)
class FeatureAdmin(admin.ModelAdmin):
    list_display = ("name", "epic", "is_active")
    list_filter = ("epic__project__client__user", "epic", "is_active")
    search_fields = ("name", "epic__name")
    list_select_related = ("epic",)
    autocomplete_fields = ("epic",)


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("name", "feature", "is_active")
    list_filter = ("feature__epic__project__client__user", "feature", "is_active")
    search_fields = ("name", "feature__name")
    list_select_related = ("feature",)
    autocomplete_fields = ("feature",)


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("name", "story", "is_active")
    list_filter = ("story__feature__epic__project__client__user", "story", "is_active")
    search_fields = ("name", "story__name")
    list_select_related = ("story",)
    autocomplete_fields = ("story",)


class ExternalLinkInline(admin.TabularInline):
    model = WorkLogExternalLink
    extra = 0
    fields = ("system", "key", "url", "title")


class BulletInline(admin.TabularInline):
    model = WorkLogBullet
    extra = 0
    fields = ("kind", "text", "status", "is_selected", "is_ai_generated", "order")


class SkillSignalInline(admin.TabularInline):
    model = WorkLogSkillSignal
    extra = 0
    fields = ("name", "kind", "confidence", "source", "status", "evidence")


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("filename", "kind", "mime_type", "size_bytes", "checksum_sha256")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkLog)
class WorkLogAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_on",
        "__str__",
        "user",
        "client",
        "project",
        "work_type",
        "status",
        "effort_minutes",
        "is_billable",
        "enrichment_status",
    )
    list_filter = (
        "user",
        "status",
        "work_type",
        "enrichment_status",
        "is_billable",
        "client",
        "project",
        DeletedFilter,
    )
    search_fields = ("title", "content", "outcome", "impact")
    date_hierarchy = "occurred_on"
    list_select_related = ("user", "client", "project")
    raw_id_fields = ("user", "client", "project", "epic", "feature", "story", "task", "sprint")
    readonly_fields = ("created_at", "updated_at", "deleted_at")
    inlines = (ExternalLinkInline, BulletInline, SkillSignalInline, AttachmentInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return WorkLog.all_objects.select_related("user", "client", "project")


@admin.register(WorkLogSkillSignal)
class WorkLogSkillSignalAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "confidence", "status", "source", "worklog")
    list_filter = ("status", "kind", "source")
    search_fields = ("name", "evidence")
    raw_id_fields = ("worklog",)


@admin.register(WorkLogBullet)
class WorkLogBulletAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "status", "is_selected", "is_ai_generated", "worklog")
    list_filter = ("kind", "status", "is_selected", "is_ai_generated")
    search_fields = ("text",)
    raw_id_fields = ("worklog",)


@admin.register(WorkLogExternalLink)
class WorkLogExternalLinkAdmin(admin.ModelAdmin):
    list_display = ("key", "system", "title", "url", "worklog")
    list_filter = ("system",)
    search_fields = ("key", "title", "url")
    raw_id_fields = ("worklog",)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("filename", "kind", "mime_type", "size_bytes", "uploaded_by", "worklog")
    list_filter = ("kind", "mime_type")
    search_fields = ("filename", "checksum_sha256")
    raw_id_fields = ("worklog", "uploaded_by")
    readonly_fields = ("object_key", "storage_provider", "size_bytes", "checksum_sha256")


@admin.register(WorkLogPreset)
class WorkLogPresetAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "client", "project", "default_work_type", "is_active")
    list_filter = ("user", "is_active", "default_work_type")
    search_fields = ("name", "description")
    raw_id_fields = ("user", "client", "project")


@admin.register(WorkLogReport)
class WorkLogReportAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "period_start", "period_end", "created_via")
    list_filter = ("user", "kind", "created_via")
    search_fields = ("title", "content_md")
    date_hierarchy = "period_start"
    raw_id_fields = ("user", "client", "project", "sprint")
