"""The project's URLs plus pages a test needs: a test target's own page, as another app's
object page would be, and small views behind `idempotent_view`."""

import json
import time

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as project_urlpatterns
from decisioning.http import idempotent_view

from .models import Ticket


def ticket_detail(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk, owner=request.user)
    return render(request, "testapp_decisioning/ticket_detail.html", {"ticket": ticket})


def _title(request) -> str:
    if request.content_type == "application/json":
        return json.loads(request.body)["title"]
    return request.POST["title"]


@require_POST
@idempotent_view
def create_ticket(request):
    if request.POST.get("sleep"):
        time.sleep(float(request.POST["sleep"]))
    ticket = Ticket.objects.create(title=_title(request), owner=request.user)
    return JsonResponse({"id": str(ticket.pk), "title": ticket.title}, status=201)


@require_POST
@idempotent_view
def create_and_redirect(request):
    ticket = Ticket.objects.create(title=_title(request), owner=request.user)
    response = HttpResponseRedirect(f"/tickets/{ticket.pk}/")
    response["HX-Trigger"] = "ticketCreated"
    response.set_cookie("not-replayed", "1")
    return response


@require_POST
@idempotent_view
def create_then_answer_500(request):
    Ticket.objects.create(title=_title(request), owner=request.user)
    return HttpResponse("upstream failed", status=502)


@require_POST
@idempotent_view
def create_then_raise(request):
    Ticket.objects.create(title=_title(request), owner=request.user)
    raise RuntimeError("boom")


@require_POST
@idempotent_view
def refuse(request):
    return JsonResponse({"error": "title too long"}, status=400)


@require_POST
@idempotent_view
def binary(request):
    Ticket.objects.create(title="binary", owner=request.user)
    return HttpResponse(bytes(range(256)), content_type="application/octet-stream")


@require_POST
@idempotent_view(required=True)
def key_required(request):
    return HttpResponse("ran")


urlpatterns = [
    path("tickets/<uuid:pk>/", ticket_detail, name="ticket-detail"),
    path("idem/tickets/", create_ticket),
    path("idem/redirect/", create_and_redirect),
    path("idem/fail/", create_then_answer_500),
    path("idem/raise/", create_then_raise),
    path("idem/refuse/", refuse),
    path("idem/binary/", binary),
    path("idem/required/", key_required),
    *project_urlpatterns,
]
