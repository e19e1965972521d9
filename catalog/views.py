from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/catalog.html")


@require_GET
def work_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/work_queue.html")
