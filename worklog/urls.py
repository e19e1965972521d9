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
    path("journal/", journal.journal, name="journal"),
]
