"""The app's URLs plus the floor endpoints every figure is compared against."""

import json
from datetime import datetime

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from ninja.responses import NinjaJSONEncoder

from config.urls import urlpatterns as app_urlpatterns
from core.api_auth import ApiTokenAuth
from worklog.models import WorkSession
from worklog.timer import api as timer_api
from worklog.timer.selectors import listed_sessions


@require_POST
def floor(request: HttpRequest) -> JsonResponse:
    """The least an authenticated action can do: the same session sign-in and CSRF check as the
    app's forms, one indexed read (the user's latest session) and one write (touch it)."""
    session = WorkSession.objects.filter(user=request.user).order_by("-started_at").first()
    WorkSession.objects.filter(pk=session.pk).update(
        updated_at=timezone.now(), metadata=F("metadata")
    )
    return JsonResponse({"id": str(session.pk)})


@login_not_required
@require_GET
def read_floor(request: HttpRequest) -> HttpResponse:
    """The least `GET /api/v1/timer/sessions?from=&to=` can do: the same token check, the same
    SQL for the same range, and its rows, as the database driver returns them, written by the
    API's JSON encoder. Nothing checks the range: the benchmark sends good ones."""
    user = ApiTokenAuth()(request)
    if user is None:
        return JsonResponse({"code": "unauthorized"}, status=401)
    start, end = (
        timezone.make_aware(datetime.fromisoformat(request.GET[name]), user.zone)
        for name in ("from", "to")
    )
    sql, params = listed_sessions(
        user, start=start, end=end, limit=timer_api.MAX_LISTED_SESSIONS
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return HttpResponse(json.dumps(rows, cls=NinjaJSONEncoder), content_type="application/json")


urlpatterns = [
    path("bench/floor", floor),
    path("bench/read-floor", read_floor),
    *app_urlpatterns,
]
