from django.urls import path

from . import views

app_name = "decisioning"

urlpatterns = [
    path("", views.decision_list, name="decision-list"),
]
