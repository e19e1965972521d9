"""Teams in the admin (members and managers), the weeks as a read-only record (their changes
go through the week pages, which record each as a Decision), and the lock periods, where each
save adds a new period beside the earlier ones."""

from django.contrib import admin

from worklog.teams import services
from worklog.teams.models import LockPeriod, Team, TimesheetWeek


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    filter_horizontal = ("members", "managers")


@admin.register(TimesheetWeek)
class TimesheetWeekAdmin(admin.ModelAdmin):
    list_display = ("week_start", "user", "state", "changed_since_submitted", "decided_by")
    list_filter = ("state", ("week_start", admin.DateFieldListFilter))
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "decided_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LockPeriod)
class LockPeriodAdmin(admin.ModelAdmin):
    list_display = ("set_at", "locked_through", "auto_lock_after_days", "set_by")
    fields = ("locked_through", "auto_lock_after_days", "reason")
    list_select_related = ("set_by",)

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, period: LockPeriod, form, change: bool) -> None:
        saved = services.set_lock_period(
            admin=request.user,
            locked_through=period.locked_through,
            auto_lock_after_days=period.auto_lock_after_days,
            reason=period.reason,
        )
        period.pk = saved.pk
