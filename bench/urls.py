"""The app's URLs plus the floor endpoint every figure is compared against."""

from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as app_urlpatterns
from worklog.models import WorkSession


@require_POST
def floor(request: HttpRequest) -> JsonResponse:
    """The least an authenticated action can do: the same session sign-in and CSRF check as the
    app's forms, one indexed read (the user's latest session) and one write (touch it)."""
    session = WorkSession.objects.filter(user=request.user).order_by("-started_at").first()
    WorkSession.objects.filter(pk=session.pk).update(
        updated_at=timezone.now(), metadata=F("metadata")
    )
    return JsonResponse({"id": str(session.pk)})


urlpatterns = [path("bench/floor", floor), *app_urlpatterns]
