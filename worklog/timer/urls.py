"""The timer's pages: the dashboard, start/stop/toggle, the target search, session edits, the
running timer's state check, and the timesheet (week, day, add time)."""

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
]
