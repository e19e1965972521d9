from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorklogConfig(AppConfig):
    name = "worklog"
    verbose_name = "Worklog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .journal.models import Project, Task
        from .journal.selectors import hierarchy_placements
        from .procedures.models import ProcedureSession
        from .procedures.services import ensure_authors_group, ensure_supervisors_group
        from .targets import TargetType, register_target_type

        # After auth's own post_migrate handler has created the permission.
        post_migrate.connect(
            ensure_supervisors_group, sender=self, dispatch_uid="worklog-supervisors-group"
        )
        post_migrate.connect(
            ensure_authors_group, sender=self, dispatch_uid="worklog-authors-group"
        )

        # Starting a procedure session times it; the picker offers the worker's own sessions.
        register_target_type(
            TargetType(
                model=ProcedureSession,
                label="Procedure session",
                search_fields=("sop__title",),
                # A finished (completed, approved or cancelled) session is no longer worked on.
                visible_to=lambda user: (
                    ProcedureSession.objects.for_worker(user).active().select_related("sop")
                ),
                label_related=("sop",),
            )
        )
        # Journal tasks and projects can be timed; stopping such a session offers a draft log.
        register_target_type(
            TargetType(
                model=Task,
                label="Task",
                search_fields=("name", "story__feature__epic__project__name"),
                visible_to=lambda user: Task.objects.for_user(user).filter(is_active=True),
                placements=hierarchy_placements(Task),
            )
        )
        register_target_type(
            TargetType(
                model=Project,
                label="Project",
                search_fields=("name", "client__name"),
                visible_to=lambda user: (
                    Project.objects.for_user(user).filter(is_active=True).select_related("client")
                ),
                placements=hierarchy_placements(Project),
            )
        )
