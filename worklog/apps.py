from django.apps import AppConfig


class WorklogConfig(AppConfig):
    name = "worklog"
    verbose_name = "Worklog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .models import Project, Task
        from .targets import TargetType, register_target_type

        # Journal tasks and projects can be timed; stopping such a session offers a draft log.
        register_target_type(
            TargetType(
                model=Task,
                label="Task",
                search_fields=("name", "story__feature__epic__project__name"),
                visible_to=lambda user: Task.objects.for_user(user).filter(is_active=True),
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
            )
        )
