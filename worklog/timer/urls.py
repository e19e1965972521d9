"""The timer's pages: the dashboard, start/stop/toggle, the target search, session edits and the
report with its downloads."""

from django.urls import path

from worklog.timer import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("timer/start/", views.start, name="timer-start"),
    path("timer/stop/", views.stop, name="timer-stop"),
    path("timer/toggle/", views.toggle, name="timer-toggle"),
    path("timer/targets/", views.target_search, name="timer-targets"),
    path("timer/sessions/<uuid:pk>/edit/", views.session_edit, name="session-edit"),
    path("timer/sessions/<uuid:pk>/stop-at/", views.stop_at, name="session-stop-at"),
    path("timer/sessions/<uuid:pk>/delete/", views.session_delete, name="session-delete"),
    path("timer/sessions/<uuid:pk>/restore/", views.session_restore, name="session-restore"),
    path("timer/report/", views.timer_report, name="timer-report"),
    path("timer/report/download/", views.timer_report_download, name="timer-report-download"),
]
