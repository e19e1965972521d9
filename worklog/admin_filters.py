"""List filters the sub-domains' admins share."""

from django.contrib import admin


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
