"""The journal's pages: work logs and their parts, the hierarchy, presets and reports."""

from django.urls import path

from worklog.journal import views

urlpatterns = [
    path("journal/", views.journal, name="journal"),
    path("journal/new/", views.entry, name="journal-entry"),
    path("journal/pickers/", views.pickers, name="journal-pickers"),
    path("journal/logs/<uuid:pk>/", views.detail, name="journal-detail"),
    path("journal/logs/<uuid:pk>/edit/", views.edit, name="journal-edit"),
    path("journal/logs/<uuid:pk>/delete/", views.delete, name="journal-delete"),
    path("journal/logs/<uuid:pk>/restore/", views.restore, name="journal-restore"),
    path("journal/logs/<uuid:pk>/status/", views.change_status, name="journal-status"),
    path("journal/logs/<uuid:pk>/links/", views.add_link, name="journal-link-add"),
    path(
        "journal/logs/<uuid:pk>/attachments/",
        views.add_attachment,
        name="journal-attachment-add",
    ),
    path("journal/logs/<uuid:pk>/enrich/", views.enrich, name="journal-enrich"),
    path(
        "journal/logs/<uuid:pk>/reject-suggestions/",
        views.reject_suggestions,
        name="journal-reject-suggestions",
    ),
    path("journal/logs/<uuid:pk>/bullets/", views.add_bullet, name="journal-bullet-add"),
    path("journal/logs/<uuid:pk>/signals/", views.signal_add, name="journal-signal-add"),
    path("journal/bullets/<uuid:pk>/edit/", views.bullet_edit, name="journal-bullet-edit"),
    path("journal/bullets/<uuid:pk>/move/", views.bullet_move, name="journal-bullet-move"),
    path("journal/signals/<uuid:pk>/edit/", views.signal_edit, name="journal-signal-edit"),
    path("journal/signals/<uuid:pk>/remove/", views.signal_remove, name="journal-signal-remove"),
    path(
        "journal/attachments/<uuid:pk>/",
        views.download_attachment,
        name="journal-attachment",
    ),
    path("journal/links/<uuid:pk>/delete/", views.delete_link, name="journal-link-delete"),
    path(
        "journal/attachments/<uuid:pk>/delete/",
        views.delete_attachment,
        name="journal-attachment-delete",
    ),
    path("journal/signals/<uuid:pk>/", views.review_signal, name="journal-signal-review"),
    path("journal/bullets/<uuid:pk>/", views.review_bullet, name="journal-bullet-review"),
    path("journal/hierarchy/", views.hierarchy, name="journal-hierarchy"),
    path(
        "journal/hierarchy/<slug:level>/<uuid:pk>/edit/",
        views.node_edit,
        name="journal-node-edit",
    ),
    path(
        "journal/hierarchy/<slug:level>/<uuid:pk>/delete/",
        views.node_delete,
        name="journal-node-delete",
    ),
    path("journal/presets/", views.presets, name="journal-presets"),
    path("journal/presets/<uuid:pk>/edit/", views.preset_edit, name="journal-preset-edit"),
    path("journal/presets/<uuid:pk>/delete/", views.preset_delete, name="journal-preset-delete"),
    path("journal/reports/", views.report_list, name="journal-reports"),
    path("journal/reports/<uuid:pk>/", views.report_detail, name="journal-report"),
    path("journal/reports/<uuid:pk>/delete/", views.report_delete, name="journal-report-delete"),
    path("journal/reports/<uuid:pk>/report.md", views.report_markdown, name="journal-report-md"),
    path("journal/reports/<uuid:pk>/report.csv", views.report_csv, name="journal-report-csv"),
]
