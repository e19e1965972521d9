"""The timer's pages: the dashboard, start/stop/toggle, the target search, session edits, the
running timer's state check, the timesheet (week, day, add time), forgotten timers (the settings,
the automatic-stop banner, the "Still working?" email's links), and the report with its
downloads."""

from django.urls import path

from worklog.timer import timesheet_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("timer/start/", views.start, name="timer-start"),
    path("timer/stop/", views.stop, name="timer-stop"),
    path("timer/toggle/", views.toggle, name="timer-toggle"),
    path("timer/targets/", views.target_search, name="timer-targets"),
    path("timer/state/", views.state, name="timer-state"),
    path("timer/sessions/<uuid:pk>/edit/", views.session_edit, name="session-edit"),
    path("timer/sessions/<uuid:pk>/stop-at/", views.stop_at, name="session-stop-at"),
    path("timer/sessions/<uuid:pk>/delete/", views.session_delete, name="session-delete"),
    path("timer/sessions/<uuid:pk>/restore/", views.session_restore, name="session-restore"),
    path("timer/sessions/<uuid:pk>/continue/", views.session_continue, name="session-continue"),
    path("timer/sessions/<uuid:pk>/move-start/", views.move_start, name="session-move-start"),
    path("timer/sessions/new/", timesheet_views.session_add, name="session-add"),
    path("timer/week/", timesheet_views.week, name="timer-week"),
    path("timer/day/", timesheet_views.day, name="timer-day"),
    path("timer/settings/", views.timer_settings, name="timer-settings"),
    path(
        "timer/notices/<uuid:pk>/dismiss/",
        views.auto_stop_notice_dismiss,
        name="timer-notice-dismiss",
    ),
    path(
        "timer/notices/<uuid:pk>/correct/",
        views.auto_stop_notice_correct,
        name="timer-notice-correct",
    ),
    path("timer/still-working/<str:token>/", views.still_working, name="timer-still-working"),
    path("timer/report/", views.timer_report, name="timer-report"),
    path("timer/report/download/", views.timer_report_download, name="timer-report-download"),
]
