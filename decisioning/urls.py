from django.urls import path

from . import views

app_name = "decisioning"

urlpatterns = [
    path("", views.decision_list, name="decision-list"),
    path("export.csv", views.decision_export, name="decision-export"),
    path("<uuid:pk>/", views.decision_detail, name="decision-detail"),
    path("<uuid:pk>/target/", views.decision_target, name="decision-target"),
    path(
        "record/<int:content_type_id>/<str:object_id>/",
        views.record_decision,
        name="record-decision",
    ),
]
