from django.contrib import admin
from django.urls import include, path

from config.api import api
from core.views import favicon, healthz, metrics, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("core.urls")),
    path("decisions/", include("decisioning.urls")),
    path("catalog/", include("catalog.urls")),
    path("api/v1/", api.urls),
    path("", include("worklog.urls")),
]
