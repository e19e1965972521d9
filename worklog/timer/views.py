"""The timer dashboard and its actions. An action answers an HTMX request with the active-session
fragment plus out-of-band swaps of today's list, the totals and the recent targets; a plain form
post is redirected back to the dashboard."""

from contextlib import suppress
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.charts import BarChart, bar_chart
from core.display import duration_short, duration_words
from decisioning.http import idempotent_view
from worklog.journal.selectors import journal_draft_url
from worklog.targets import (
    Target,
    resolve_target,
    search_targets,
    target_type_for_model,
    target_types,
)
from worklog.timer import services
from worklog.timer.exceptions import (
    InvalidSessionTimesError,
    NoActiveSessionError,
    SessionAlreadyStoppedError,
)
from worklog.timer.forms import CorrectionForm, StartForm, StopAtForm, StopForm
from worklog.timer.models import EndReason, WorkSession
from worklog.timer.selectors import (
    Totals,
    active_session,
    is_long_running,
    long_session_limit,
    recent_targets,
    timer_totals,
    todays_sessions,
)

TEMPLATE = "worklog/timer/dashboard.html"


def week_chart(totals: Totals) -> BarChart:
    """Hours per day this week, scaled to the longest day (at least one hour)."""
    days = totals.days
    return bar_chart(
        id="week-chart",
        title="Hours per day this week",
        width=290,
        values=[day.seconds for day in days],
        labels=[day.day.strftime("%a") for day in days],
        titles=[f"{day.day:%A %-d %B}: {duration_words(day.seconds)}" for day in days],
        shown_values=[duration_short(day.seconds) for day in days],
        highlighted=[day.is_today for day in days],
        max_bar_width=26,
        minimum_scale=3600,
    )


def _active_context(user, active: WorkSession | None, now) -> dict:
    """What the active-session panel shows."""
    long_running = is_long_running(active, now=now)
    return {
        "active": active,
        "elapsed_seconds": int((now - active.started_at).total_seconds()) if active else 0,
        "long_running": long_running,
        "long_session_hours": int(long_session_limit().total_seconds() // 3600),
        "stop_at_form": (
            StopAtForm(initial={"stopped_at": active.started_at + long_session_limit()})
            if long_running
            else None
        ),
        "today": now.astimezone(user.zone).date(),
    }


def _timer_context(
    request: HttpRequest,
    *,
    all_of_today: bool = False,
    refresh_recent_targets: bool = True,
    **extra,
) -> dict:
    user = request.user
    now = timezone.now()
    totals = timer_totals(user, now=now)
    sessions = (
        todays_sessions(user, now=now, limit=None)
        if all_of_today
        else todays_sessions(user, now=now)
    )
    return {
        **_active_context(user, active_session(user), now),
        "log_work_url": _log_work_offer(request),
        "sessions": sessions,
        "earlier_sessions_today": sessions[0].today_count - len(sessions) if sessions else 0,
        "totals": totals,
        "chart": week_chart(totals),
        "refresh_recent_targets": refresh_recent_targets,
        "recent_targets": recent_targets(user) if refresh_recent_targets else [],
        "has_target_types": bool(target_types()),
        **extra,
    }


def _log_work_offer(request: HttpRequest) -> str:
    """The journal's offer for the session a plain stop form just stopped (`?stopped=<id>`)."""
    if not request.GET.get("stopped"):
        return ""
    with suppress(ValidationError):
        stopped = WorkSession.objects.for_user(request.user).filter(pk=request.GET["stopped"])
        return journal_draft_url(stopped.first())
    return ""


def _back_to_dashboard(stopped_session: WorkSession | None = None) -> HttpResponse:
    """Where a plain form post lands; after a stop, the page still offers to log the session."""
    if journal_draft_url(stopped_session):
        query = urlencode({"stopped": stopped_session.pk})
        return redirect(f"{reverse('worklog:dashboard')}?{query}")
    return redirect("worklog:dashboard")


def _timer_response(
    request: HttpRequest, *, announcement: str = "", status: int = 200, **extra
) -> HttpResponse:
    """The active-session panel and every other region of the dashboard, for an action whose
    effect on them is not known in advance (a correction, a deletion, an error)."""
    if not request.htmx:
        return _back_to_dashboard()
    context = _timer_context(request, announcement=announcement, **extra)
    return render(request, "worklog/timer/swap.html", context, status=status)


def _change_response(
    request: HttpRequest,
    *,
    announcement: str,
    started: WorkSession | None = None,
    stopped: list[WorkSession] | tuple = (),
    refresh_recent_targets: bool = False,
) -> HttpResponse:
    """The answer to a start or a stop: the active-session panel, plus only the rows and totals
    the action changed. A start adds nothing to the totals yet, so they are read only once a
    session has stopped; a timer action then costs the same whatever the day holds."""
    stopped_by_user = stopped[0] if stopped and started is None else None
    if not request.htmx:
        return _back_to_dashboard(stopped_by_user)
    user = request.user
    now = timezone.now()
    # A session that has just started is the latest running one: no need to read it back.
    active = started if started is not None else active_session(user)
    totals = timer_totals(user, now=now) if stopped else None
    context = {
        **_active_context(user, active, now),
        "announcement": announcement,
        "log_work_url": journal_draft_url(stopped_by_user),
        "changes_only": True,
        "started_session": started,
        "stopped_sessions": stopped,
        "totals": totals,
        "chart": week_chart(totals) if totals else None,
        "refresh_recent_targets": refresh_recent_targets,
        "recent_targets": recent_targets(user) if refresh_recent_targets else [],
    }
    return render(request, "worklog/timer/swap.html", context)


def _target_from_key(request: HttpRequest, key: str) -> Target | None:
    """The target a form names; 404 when it names one this user may not time."""
    if not key:
        return None
    target = resolve_target(request.user, key)
    if target is None:
        raise Http404("No such target.")
    return target


def _describe(session: WorkSession) -> str:
    return str(session.target) if session.target_id and session.target else "no target"


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page: the timer."""
    context = _timer_context(
        request, open_picker="pick" in request.GET, all_of_today=request.GET.get("today") == "all"
    )
    return render(request, TEMPLATE, context)


@require_POST
@idempotent_view
def start(request: HttpRequest) -> HttpResponse:
    form = StartForm(request.POST)
    if not form.is_valid():
        problems = " ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"Could not start: {problems}")
        return _timer_response(request)
    target_key = form.cleaned_data["target"]
    target = resolve_target(request.user, target_key) if target_key else None
    if target_key and target is None:
        if not request.htmx:
            raise Http404("No such target.")
        # Still a 404, but one htmx can swap in: the dashboard as it is, with the reason.
        messages.error(request, "That is not something you can time.")
        return _timer_response(request, status=404)
    session = services.start_session(
        request.user,
        target=target.object if target else None,
        session_type=form.cleaned_data["session_type"],
        notes=form.cleaned_data["notes"],
    )
    return _change_response(
        request,
        announcement=f"Timer started: {_describe(session)}.",
        started=session,
        stopped=list(WorkSession.objects.for_user(request.user).switched_to(session)),
        refresh_recent_targets=target is not None,
    )


@require_POST
@idempotent_view
def stop(request: HttpRequest) -> HttpResponse:
    form = StopForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    try:
        session = services.stop_session(request.user, notes=notes)
    except NoActiveSessionError:
        messages.warning(request, "No session is running.")
        return _timer_response(request, announcement="No session is running.")
    return _change_response(
        request,
        announcement=f"Timer stopped after {duration_words(session.duration_seconds)}.",
        stopped=[session],
    )


@require_POST
@idempotent_view
def toggle(request: HttpRequest) -> HttpResponse:
    """The keyboard shortcut's action, from any page."""
    session = services.toggle_session(request.user)
    # Toggling starts without a target, or stops: the recent targets stay as they are.
    if session.is_active:
        return _change_response(
            request, announcement=f"Timer started: {_describe(session)}.", started=session
        )
    return _change_response(
        request,
        announcement=f"Timer stopped after {duration_words(session.duration_seconds)}.",
        stopped=[session],
    )


@require_GET
def target_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    found = search_targets(request.user, query) if query.strip() else []
    return render(request, f"{TEMPLATE}#target-results", {"found_targets": found, "query": query})


def _own_session(request: HttpRequest, pk) -> WorkSession:
    return get_object_or_404(WorkSession.objects.for_user(request.user), pk=pk)


@require_POST
@idempotent_view
def stop_at(request: HttpRequest, pk) -> HttpResponse:
    """The one-step correction of a session left running too long."""
    session = _own_session(request, pk)
    form = StopAtForm(request.POST)
    if form.is_valid():
        try:
            services.stop_running_session(
                session=session,
                stopped_at=form.cleaned_data["stopped_at"],
                end_reason=EndReason.CORRECTED,
            )
        except InvalidSessionTimesError as error:
            messages.error(request, str(error))
        except SessionAlreadyStoppedError:
            messages.error(request, "That session was already stopped; edit it to correct it.")
        else:
            messages.success(request, "Session stopped and corrected.")
    else:
        messages.error(request, "Give the time the session should stop at.")
    return _timer_response(request)


def _target_choices(request: HttpRequest, session: WorkSession) -> tuple[str, list]:
    choices = [
        (target.key, f"{target.label} ({target.type.label})")
        for target in recent_targets(request.user)
    ]
    current_key = ""
    target_type = (
        target_type_for_model(session.target_content_type.model_class())
        if session.target_content_type_id
        else None
    )
    if target_type and session.target is not None:
        current = Target(target_type, session.target)
        current_key = current.key
        if current_key not in dict(choices):
            choices.insert(0, (current_key, f"{current.label} ({target_type.label})"))
    return current_key, choices


@require_http_methods(["GET", "POST"])
@idempotent_view
def session_edit(request: HttpRequest, pk) -> HttpResponse:
    """Correct a stopped session."""
    session = _own_session(request, pk)
    if session.is_active:
        messages.warning(request, "Stop the session before correcting it.")
        return redirect("worklog:dashboard")
    current_key, choices = _target_choices(request, session)
    form = CorrectionForm.for_session(
        session,
        target_key=current_key,
        target_choices=choices,
        data=request.POST if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = _target_from_key(request, data["target"])
        try:
            services.correct_session(
                session=session,
                started_at=data["started_at"],
                stopped_at=data["stopped_at"],
                effective_at=data["effective_at"],
                target=target.object if target else None,
                session_type=data["session_type"],
                notes=data["notes"],
            )
        except InvalidSessionTimesError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, "Session corrected.")
            return redirect("worklog:dashboard")
    status = 422 if form.errors else 200
    return render(
        request,
        "worklog/timer/session_edit.html",
        {"form": form, "session": session},
        status=status,
    )


@require_POST
@idempotent_view
def session_delete(request: HttpRequest, pk) -> HttpResponse:
    session = _own_session(request, pk)
    services.delete_session(session=session)
    if not request.htmx:
        messages.success(request, "Session deleted.")
    return _timer_response(request, deleted_session=session, announcement="Session deleted.")


@require_POST
@idempotent_view
def session_restore(request: HttpRequest, pk) -> HttpResponse:
    session = get_object_or_404(WorkSession.all_objects.for_user(request.user).deleted(), pk=pk)
    try:
        services.restore_session(session=session)
    except InvalidSessionTimesError as error:
        messages.error(request, f"Could not restore the session: {error}")
        return _timer_response(request)
    return _timer_response(request, announcement="Session restored.")
