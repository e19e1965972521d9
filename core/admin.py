from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Preferences", {"fields": ("time_zone", "week_start", "enrich_on_save")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "time_zone")
