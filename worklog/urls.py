from django.urls import path

from .views import journal, procedures, timer

app_name = "worklog"

urlpatterns = [
    path("", timer.dashboard, name="dashboard"),
    path("timer/start/", timer.start, name="timer-start"),
    path("timer/stop/", timer.stop, name="timer-stop"),
    path("timer/toggle/", timer.toggle, name="timer-toggle"),
    path("timer/targets/", timer.target_search, name="timer-targets"),
    path("timer/sessions/<uuid:pk>/edit/", timer.session_edit, name="session-edit"),
    path("timer/sessions/<uuid:pk>/stop-at/", timer.stop_at, name="session-stop-at"),
    path("timer/sessions/<uuid:pk>/delete/", timer.session_delete, name="session-delete"),
    path("timer/sessions/<uuid:pk>/restore/", timer.session_restore, name="session-restore"),
    path("procedures/", procedures.procedure_list, name="procedures"),
    path("procedures/new/", procedures.sop_create, name="sop-create"),
    path("procedures/sops/<uuid:pk>/", procedures.sop_detail, name="sop-detail"),
    path("procedures/sops/<uuid:pk>/edit/", procedures.sop_editor, name="sop-editor"),
    path("procedures/sops/<uuid:pk>/tasks/add/", procedures.task_add, name="task-add"),
    path("procedures/sops/<uuid:pk>/confirm/", procedures.sop_confirm, name="sop-confirm"),
    path(
        "procedures/sops/<uuid:pk>/new-version/", procedures.sop_new_version, name="sop-new-version"
    ),
    path("procedures/sops/<uuid:pk>/delete/", procedures.sop_delete, name="sop-delete"),
    path("procedures/sops/<uuid:pk>/start/", procedures.sop_start, name="sop-start"),
    *[
        path(
            f"procedures/tasks/<uuid:pk>/{action}/",
            procedures.task_action,
            {"action": action},
            name=f"task-{action}",
        )
        for action in procedures.TASK_ACTIONS
    ],
    *[
        path(
            f"procedures/steps/<uuid:pk>/{action}/",
            procedures.step_action,
            {"action": action},
            name=f"step-{action}",
        )
        for action in procedures.STEP_ACTIONS
    ],
    path("procedures/sessions/", procedures.session_history, name="session-history"),
    path("procedures/sessions/<uuid:pk>/", procedures.session_run, name="session-run"),
    path("procedures/sessions/<uuid:pk>/check/", procedures.session_check, name="session-check"),
    *[
        path(
            f"procedures/sessions/<uuid:pk>/{action}/",
            procedures.session_action,
            {"action": action},
            name=f"session-{action}",
        )
        for action in procedures.SESSION_ACTIONS
    ],
    path("procedures/approvals/", procedures.approval_queue, name="approval-queue"),
    path("journal/", journal.journal, name="journal"),
]
