from django.urls import path

from .views import journal, procedures, timer

app_name = "worklog"

urlpatterns = [
    path("", timer.dashboard, name="dashboard"),
    path("procedures/", procedures.procedure_list, name="procedures"),
    path("journal/", journal.journal, name="journal"),
]
