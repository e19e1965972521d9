import logging
from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from decisioning.http import idempotent_view

from . import services
from .forms import ApiTokenForm, LoginForm, ProfileForm
from .observability import metrics_allowed, metrics_page, readiness

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _profile_page(request: HttpRequest, status: int = 200, **context) -> HttpResponse:
    context.setdefault("form", ProfileForm(instance=request.user))
    context.setdefault("token_form", ApiTokenForm())
    context["api_tokens"] = request.user.api_tokens.filter(revoked_at=None)
    return render(request, "core/profile.html", context, status=status)


@require_http_methods(["GET", "POST"])
@idempotent_view
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, "Profile saved.")
        return redirect("core:profile")
    return _profile_page(request, form=form)


def _token_already_created(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """What a resubmitted "create token" form gets instead of a replay: the secret is shown on
    the first response only, and is never stored with the idempotency key."""
    if response.status_code != HTTPStatus.OK:
        return response
    return render(
        request,
        "decisioning/idempotency_problem.html",
        {
            "status": HTTPStatus.CONFLICT,
            "detail": "This token was already created, and its secret was shown once. If you "
            "did not copy it, revoke the token on your profile page and create a new one.",
        },
        status=HTTPStatus.CONFLICT,
    )


@never_cache
@require_POST
@idempotent_view(stored_response=_token_already_created)
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Creates a token and shows its secret on this response only: it is stored hashed."""
    token_form = ApiTokenForm(request.POST)
    if not token_form.is_valid():
        return _profile_page(request, status=422, token_form=token_form)
    token, secret = services.create_api_token(
        user=request.user, name=token_form.cleaned_data["name"]
    )
    return _profile_page(request, new_token=token, new_token_secret=secret)


@require_POST
@idempotent_view
def api_token_revoke(request: HttpRequest, pk) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens.filter(revoked_at=None), pk=pk)
    services.revoke_api_token(token=token)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("core:profile")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers and holds every migration this code expects
    (a node started before `migrate` ran stays out of the load balancer)."""
    ready, checks = readiness()
    status = "ok" if ready else "unavailable"
    return JsonResponse({"status": status, **checks}, status=200 if ready else 503)


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for an allowed network or the metrics token only."""
    if not metrics_allowed(request):
        return HttpResponseForbidden(
            "Metrics are readable from METRICS_ALLOWED_NETWORKS or with the metrics token.",
            content_type="text/plain",
        )
    return metrics_page()


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages (such as the admin's) that do not name one."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
