"""The procedure pages: SOP list, editor and versions, session runs, history, approvals."""

from django.urls import path

from worklog.procedures import views

urlpatterns = [
    path("procedures/", views.procedure_list, name="procedures"),
    path("procedures/new/", views.sop_create, name="sop-create"),
    path("procedures/sops/<uuid:pk>/", views.sop_detail, name="sop-detail"),
    path("procedures/sops/<uuid:pk>/edit/", views.sop_editor, name="sop-editor"),
    path("procedures/sops/<uuid:pk>/tasks/add/", views.task_add, name="task-add"),
    path("procedures/sops/<uuid:pk>/confirm/", views.sop_confirm, name="sop-confirm"),
    path("procedures/sops/<uuid:pk>/new-version/", views.sop_new_version, name="sop-new-version"),
    path("procedures/sops/<uuid:pk>/delete/", views.sop_delete, name="sop-delete"),
    path("procedures/sops/<uuid:pk>/start/", views.sop_start, name="sop-start"),
    path(
        "procedures/sops/<uuid:pk>/sessions/<uuid:session_pk>/cancel/",
        views.sop_session_cancel,
        name="sop-session-cancel",
    ),
    *[
        path(
            f"procedures/tasks/<uuid:pk>/{action}/",
            views.task_action,
            {"action": action},
            name=f"task-{action}",
        )
        for action in views.TASK_ACTIONS
    ],
    *[
        path(
            f"procedures/steps/<uuid:pk>/{action}/",
            views.step_action,
            {"action": action},
            name=f"step-{action}",
        )
        for action in views.STEP_ACTIONS
    ],
    path("procedures/sessions/", views.session_history, name="session-history"),
    path("procedures/sessions/<uuid:pk>/", views.session_run, name="session-run"),
    path("procedures/sessions/<uuid:pk>/check/", views.session_check, name="session-check"),
    *[
        path(
            f"procedures/sessions/<uuid:pk>/{action}/",
            views.session_action,
            {"action": action},
            name=f"session-{action}",
        )
        for action in views.SESSION_ACTIONS
    ],
    path("procedures/approvals/", views.approval_queue, name="approval-queue"),
]
