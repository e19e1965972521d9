from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("work-queue/", views.work_queue, name="work-queue"),
]
