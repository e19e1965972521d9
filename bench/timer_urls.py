"""The app's URLs plus a bare baseline view: the floor any toggle is compared against."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as app_urlpatterns
from worklog.models import WorkSession


@login_not_required
@csrf_exempt
@require_POST
def baseline(request: HttpRequest) -> JsonResponse:
    """One indexed read (the user's running session) and one write (touch it)."""
    user_id = int(request.headers["X-Bench-User"])
    session = WorkSession.objects.filter(user_id=user_id, stopped_at=None).first()
    WorkSession.objects.filter(pk=session.pk).update(
        updated_at=timezone.now(), metadata=F("metadata")
    )
    return JsonResponse({"id": str(session.pk)})


urlpatterns = [path("bench/baseline", baseline), *app_urlpatterns]
