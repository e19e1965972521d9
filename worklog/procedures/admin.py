"""The admin of SOPs and procedure sessions; a confirmed SOP and an approved session are frozen
here as on the site."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from worklog.exceptions import WorklogError
from worklog.procedures import services
from worklog.procedures.exceptions import SOPHasActiveSessionsError
from worklog.procedures.models import SOP, ProcedureSession, SafetyCheck, SOPStep, SOPTask


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
        services.delete_sop_as_staff(sop=obj)

    def delete_queryset(self, request, queryset: QuerySet) -> None:
        for sop in queryset:
            try:
                services.delete_sop_as_staff(sop=sop)
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
                services.approve_procedure_session(session=session, supervisor=request.user)
            except WorklogError as error:
                self.message_user(request, f"{session}: {error}", messages.ERROR)
            else:
                approved += 1
        self.message_user(request, f"Approved {approved} session(s).", messages.SUCCESS)
