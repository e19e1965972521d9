from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorklogConfig(AppConfig):
    name = "worklog"
    verbose_name = "Worklog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .models import ProcedureSession
        from .services.procedures import ensure_supervisors_group
        from .targets import TargetType, register_target_type

        # After auth's own post_migrate handler has created the permission.
        post_migrate.connect(
            ensure_supervisors_group, sender=self, dispatch_uid="worklog-supervisors-group"
        )

        # Starting a procedure session times it; the picker offers the worker's own sessions.
        register_target_type(
            TargetType(
                model=ProcedureSession,
                label="Procedure session",
                search_fields=("sop__title",),
                visible_to=lambda user: ProcedureSession.objects.for_worker(user).select_related(
                    "sop"
                ),
            )
        )
