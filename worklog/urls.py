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
    path("journal/new/", journal.entry, name="journal-entry"),
    path("journal/pickers/", journal.pickers, name="journal-pickers"),
    path("journal/logs/<uuid:pk>/", journal.detail, name="journal-detail"),
    path("journal/logs/<uuid:pk>/edit/", journal.edit, name="journal-edit"),
    path("journal/logs/<uuid:pk>/delete/", journal.delete, name="journal-delete"),
    path("journal/logs/<uuid:pk>/restore/", journal.restore, name="journal-restore"),
    path("journal/logs/<uuid:pk>/links/", journal.add_link, name="journal-link-add"),
    path(
        "journal/logs/<uuid:pk>/attachments/",
        journal.add_attachment,
        name="journal-attachment-add",
    ),
    path("journal/logs/<uuid:pk>/enrich/", journal.enrich, name="journal-enrich"),
    path(
        "journal/logs/<uuid:pk>/reject-suggestions/",
        journal.reject_suggestions,
        name="journal-reject-suggestions",
    ),
    path("journal/logs/<uuid:pk>/bullets/", journal.add_bullet, name="journal-bullet-add"),
    path(
        "journal/attachments/<uuid:pk>/",
        journal.download_attachment,
        name="journal-attachment",
    ),
    path("journal/links/<uuid:pk>/delete/", journal.delete_link, name="journal-link-delete"),
    path(
        "journal/attachments/<uuid:pk>/delete/",
        journal.delete_attachment,
        name="journal-attachment-delete",
    ),
    path("journal/signals/<uuid:pk>/", journal.review_signal, name="journal-signal-review"),
    path("journal/bullets/<uuid:pk>/", journal.review_bullet, name="journal-bullet-review"),
    path("journal/hierarchy/", journal.hierarchy, name="journal-hierarchy"),
    path(
        "journal/hierarchy/<slug:level>/<uuid:pk>/edit/",
        journal.node_edit,
        name="journal-node-edit",
    ),
    path("journal/presets/", journal.presets, name="journal-presets"),
    path("journal/presets/<uuid:pk>/edit/", journal.preset_edit, name="journal-preset-edit"),
    path("journal/presets/<uuid:pk>/delete/", journal.preset_delete, name="journal-preset-delete"),
    path("journal/reports/", journal.report_list, name="journal-reports"),
    path("journal/reports/<uuid:pk>/", journal.report_detail, name="journal-report"),
    path("journal/reports/<uuid:pk>/delete/", journal.report_delete, name="journal-report-delete"),
    path("journal/reports/<uuid:pk>/report.md", journal.report_markdown, name="journal-report-md"),
    path("journal/reports/<uuid:pk>/report.csv", journal.report_csv, name="journal-report-csv"),
]
