from django.apps import AppConfig


class WorklogConfig(AppConfig):
    name = "worklog"
    verbose_name = "Worklog"
    default_auto_field = "django.db.models.BigAutoField"
