"""The admin of timed work sessions: stop or restore them; an edited stop is a correction. A
session's target is named and linked, picked by search, and found by its name."""

from functools import reduce
from operator import or_

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from worklog.admin_filters import DeletedFilter
from worklog.exceptions import WorklogError
from worklog.targets import resolve_target, target_type_for_model, target_types
from worklog.teams.exceptions import WeekLockedError
from worklog.teams.locks import ensure_not_locked, hold_users, record_refusal
from worklog.templatetags.timer_format import hours_clock
from worklog.timer import services
from worklog.timer.models import EndReason, WorkSession, seconds_between

# How many matching objects of each target type a search looks for sessions of.
TARGET_SEARCH_LIMIT = 500


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


class TargetPicker(forms.TextInput):
    """The session's target as the timer's picker shows it: a search over everything the staff
    member may time, and a choice among the results (static/js/admin_target_picker.js)."""

    def __init__(self, user=None):
        self.user = user
        super().__init__()

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = resolve_target(self.user, value) if value and self.user else None
        return render_to_string(
            "worklog/timer/admin_target_picker.html",
            {
                "chosen_target": chosen,
                "found_targets": [],
                "search_url": reverse("worklog:timer-targets"),
            },
        )

    class Media:
        js = ("js/admin_target_picker.js",)


class WorkSessionAdminForm(forms.ModelForm):
    # Not `target`: the admin takes that name for the model's generic key, which no form edits.
    target_key = forms.CharField(
        required=False, max_length=300, label="Target", widget=TargetPicker
    )

    class Meta:
        model = WorkSession
        fields = (
            "user",
            "session_type",
            "started_at",
            "stopped_at",
            "effective_at",
            "notes",
            "metadata",
        )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["target_key"].widget.user = user
        self.fields["target_key"].initial = self.instance.target_key

    def clean_target_key(self):
        key = self.cleaned_data["target_key"]
        if not key:
            return None
        target = resolve_target(self.user, key)
        if target is None:
            raise forms.ValidationError("Choose a target from the search.")
        return target.object

    def save(self, commit=True):
        self.instance.target = self.cleaned_data.get("target_key")
        return super().save(commit)

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
        if user and started_at:
            self._refuse_locked_time(user, started_at, stopped_at)
        return cleaned

    def _refuse_locked_time(self, user, started_at, stopped_at) -> None:
        # The same check as every other write path, under the same row lock, which the admin's
        # transaction holds until the save; the instance still holds the saved times.
        changes = [(user, [(started_at, stopped_at)])]
        if not self.instance._state.adding:
            original = self.instance
            changes.append((original.user, [(original.started_at, original.stopped_at)]))
        hold_users(*(owner for owner, _ in changes))
        try:
            for owner, spans in changes:
                ensure_not_locked(owner, spans, action="changing a session in the admin")
        except WeekLockedError as error:
            record_refusal(error, actor=self.user)
            raise forms.ValidationError(str(error), code="week_locked") from error


@admin.register(WorkSession)
class WorkSessionAdmin(admin.ModelAdmin):
    form = WorkSessionAdminForm
    list_display = (
        "started_at",
        "user",
        "target_display",
        "session_type",
        "stopped_at",
        "hours",
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
    search_fields = ("notes", "user__username", "user__email")
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
        "target_key",
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

    def delete_model(self, request, session: WorkSession) -> None:
        try:
            services.delete_session(session=session)
        except WorklogError as error:
            self.message_user(request, str(error), messages.ERROR)

    def delete_queryset(self, request, queryset: QuerySet) -> None:
        for session in queryset.alive():
            self.delete_model(request, session)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class FormForUser(form):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, user=request.user, **form_kwargs)

        return FormForUser

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Soft-deleted sessions stay visible here, so they can be found and restored.
        return WorkSession.all_objects.select_related("user", "target_content_type")

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The shown page's targets: one query per target type, not one per row.
        changelist.result_list = changelist.result_list.prefetch_related("target")
        return changelist

    def get_search_results(self, request, queryset, search_term):
        """Also the sessions whose target's name matches (each target type's search fields)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.replace("\x00", "").strip()
        if not term:
            return found, may_have_duplicates
        by_target = Q(pk__in=[])
        for target_type in target_types():
            if not target_type.search_fields:
                continue
            matching = target_type.model._default_manager.filter(
                reduce(
                    or_, (Q(**{f"{field}__icontains": term}) for field in target_type.search_fields)
                )
            ).values_list("pk", flat=True)[:TARGET_SEARCH_LIMIT]
            by_target |= Q(
                target_content_type=ContentType.objects.get_for_model(target_type.model),
                target_id__in=[str(pk) for pk in matching],
            )
        return found | queryset.filter(by_target), True

    @admin.display(description="target")
    def target_display(self, session: WorkSession) -> str:
        if not session.target_content_type_id:
            return "—"
        target = session.target
        if target is None:
            return "Deleted target"
        model = session.target_content_type.model_class()
        target_type = target_type_for_model(model) if model else None
        kind = target_type.label if target_type else session.target_content_type.name
        try:
            url = reverse(
                f"admin:{target._meta.app_label}_{target._meta.model_name}_change",
                args=[target.pk],
            )
        except NoReverseMatch:
            return format_html("{} <small>({})</small>", target, kind)
        return format_html('<a href="{}">{}</a> <small>({})</small>', url, target, kind)

    @admin.display(description="hours", ordering="duration_seconds")
    def hours(self, session: WorkSession) -> str:
        return (
            hours_clock(session.duration_seconds)
            if session.duration_seconds is not None
            else "running"
        )

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
