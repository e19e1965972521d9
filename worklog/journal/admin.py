"""The admin of the work journal: the hierarchy, work logs with their parts, presets, reports."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from worklog.admin_filters import DeletedFilter
from worklog.journal.models import (
    Attachment,
    Client,
    Epic,
    Feature,
    Project,
    Sprint,
    Story,
    Task,
    WorkLog,
    WorkLogBullet,
    WorkLogExternalLink,
    WorkLogPreset,
    WorkLogReport,
    WorkLogSkillSignal,
)

# Each level of the hierarchy filters by its owner and its parent.


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
