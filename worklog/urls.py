"""The worklog app's URLs, all named `worklog:...`: each sub-domain lists its own."""

from django.urls import include, path

app_name = "worklog"

urlpatterns = [
    path("", include("worklog.timer.urls")),
    path("", include("worklog.procedures.urls")),
    path("", include("worklog.journal.urls")),
    path("", include("worklog.teams.urls")),
]
