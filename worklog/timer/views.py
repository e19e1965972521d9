"""The timer dashboard and its actions. An action answers an HTMX request with the active-session
fragment plus out-of-band swaps of today's list, the totals and the recent targets; a plain form
post is redirected back to the dashboard."""

from contextlib import suppress
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.charts import BarChart, bar_chart
from core.display import display_name, duration_short, duration_words
from decisioning.http import idempotent_view
from worklog.journal.selectors import journal_draft_url
from worklog.targets import (
    resolve_target,
    search_targets,
    target_types,
)
from worklog.teams.selectors import managed_team
from worklog.timer import exports, forms, reports, services
from worklog.timer.emails import (
    STILL_WORKING_LINK_VALIDITY,
    StillWorkingAnswer,
    read_still_working_link,
)
from worklog.timer.exceptions import (
    InvalidSessionTimesError,
    NoActiveSessionError,
    NoticeAlreadyAnsweredError,
    SessionAlreadyStoppedError,
)
from worklog.timer.forms import (
    CorrectionForm,
    MoveStartForm,
    StartForm,
    StopAtForm,
    StopForm,
    TimerPreferencesForm,
)
from worklog.timer.models import EndReason, NoticeAnswer, NoticeKind, TimerNotice, WorkSession
from worklog.timer.running import RunningTimer
from worklog.timer.selectors import (
    Totals,
    active_session,
    active_session_among,
    is_long_running,
    long_session_limit,
    recent_targets,
    timer_preferences,
    timer_totals,
    timer_totals_and_notice,
    todays_sessions,
)
from worklog.timer.state_check import answer_state_check

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
        "running_timer": RunningTimer.of(user, active),
        "on_dashboard": True,
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
    totals, notice = timer_totals_and_notice(user, now=now)
    sessions = (
        todays_sessions(user, now=now, limit=None)
        if all_of_today
        else todays_sessions(user, now=now)
    )
    return {
        **_active_context(user, active_session_among(user, sessions), now),
        "log_work_url": _log_work_offer(request),
        "sessions": sessions,
        "earlier_sessions_today": sessions[0].today_count - len(sessions) if sessions else 0,
        "totals": totals,
        "chart": week_chart(totals),
        "refresh_recent_targets": refresh_recent_targets,
        "recent_targets": recent_targets(user) if refresh_recent_targets else [],
        "has_target_types": bool(target_types()),
        # Read with the totals: the base template's banner then costs no query of its own.
        "auto_stop_notice": notice,
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


def _header_response(request: HttpRequest, *, announcement: str, status: int = 200):
    """The answer to the header's toggle on a page other than the dashboard: the header."""
    context = {
        "running_timer": RunningTimer(request.user),
        "announcement": announcement,
    }
    return render(request, "base.html#timer-header", context, status=status)


def _answers_header(request: HttpRequest) -> bool:
    return bool(request.htmx) and request.POST.get("answer") == "header"


def _timer_response(
    request: HttpRequest, *, announcement: str = "", status: int = 200, **extra
) -> HttpResponse:
    """The active-session panel and every other region of the dashboard, for an action whose
    effect on them is not known in advance (a correction, a deletion, an error)."""
    if not request.htmx:
        return _back_to_dashboard()
    if _answers_header(request):
        return _header_response(request, announcement=announcement, status=status)
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
    if _answers_header(request):
        return _header_response(request, announcement=announcement)
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


def _refused(request: HttpRequest, error: InvalidSessionTimesError) -> HttpResponse:
    """A change the services refused (a locked week): the timer as it is, with the reason."""
    messages.error(request, str(error))
    return _timer_response(request, announcement=str(error), status=409)


def _describe(session: WorkSession) -> str:
    return display_name(session.target) if session.target_id and session.target else "no target"


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
    try:
        session = services.start_session(
            request.user,
            target=target.object if target else None,
            session_type=form.cleaned_data["session_type"],
            notes=form.cleaned_data["notes"],
        )
    except InvalidSessionTimesError as error:
        return _refused(request, error)
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
    except InvalidSessionTimesError as error:
        return _refused(request, error)
    return _change_response(
        request,
        announcement=f"Timer stopped after {duration_words(session.duration_seconds)}.",
        stopped=[session],
    )


@require_POST
@idempotent_view
def toggle(request: HttpRequest) -> HttpResponse:
    """The keyboard shortcut's action, from any page."""
    try:
        session = services.toggle_session(request.user)
    except InvalidSessionTimesError as error:
        return _refused(request, error)
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


@login_not_required
@require_GET
def state(request: HttpRequest) -> HttpResponse:
    """Whether the running timer changed: `304` while the `If-None-Match` version holds, else
    the version. Authenticated by the header's signed token, not the session cookie, so an
    open tab's check costs one query. The deployed app answers it before this view
    (worklog/timer/state_check.py); both give `answer_state_check`'s answer."""
    answer = answer_state_check(
        request.GET.get("token", ""), request.headers.get("If-None-Match", "")
    )
    response = HttpResponse(answer.body, status=answer.status)
    del response["Content-Type"]
    for name, value in answer.headers:
        response[name] = value
    return response


@require_GET
def target_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    found = search_targets(request.user, query) if query.strip() else []
    if request.GET.get("choose"):
        # The picker inside a form: choices to select, keeping the one already chosen.
        chosen = resolve_target(request.user, request.GET.get("target", "")[:300])
        found = [target for target in found if chosen is None or target.key != chosen.key]
        context = {
            "found_targets": found,
            "query": query,
            "chosen_target": chosen,
            # The admin's picker names its field otherwise (see worklog/timer/admin.py).
            "field_name": "target_key" if request.GET.get("field") == "target_key" else "target",
        }
        return render(request, "worklog/timer/target_field.html#target-choices", context)
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


@require_http_methods(["GET", "POST"])
@idempotent_view
def session_edit(request: HttpRequest, pk) -> HttpResponse:
    """Correct a stopped session."""
    session = _own_session(request, pk)
    if session.is_active:
        messages.warning(request, "Stop the session before correcting it.")
        return redirect("worklog:dashboard")
    form = CorrectionForm.for_session(
        session, user=request.user, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = data["target"]
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
            return redirect(_safe_next(request) or "worklog:dashboard")
    status = 422 if form.errors else 200
    return render(
        request,
        "worklog/timer/session_edit.html",
        {"form": form, "session": session, "next": _safe_next(request), **form.picker_context()},
        status=status,
    )


@require_POST
@idempotent_view
def session_delete(request: HttpRequest, pk) -> HttpResponse:
    session = _own_session(request, pk)
    back = _safe_next(request)
    try:
        services.delete_session(session=session)
    except InvalidSessionTimesError as error:
        if back and not request.htmx:
            messages.error(request, f"Could not delete the session: {error}")
            return redirect(back)
        return _refused(request, error)
    if back and not request.htmx:
        # The page the row was on offers the Undo.
        separator = "&" if "?" in back else "?"
        return redirect(f"{back}{separator}{urlencode({'deleted': session.pk})}")
    if not request.htmx:
        messages.success(request, "Session deleted.")
    return _timer_response(request, deleted_session=session, announcement="Session deleted.")


@require_POST
@idempotent_view
def session_restore(request: HttpRequest, pk) -> HttpResponse:
    session = get_object_or_404(WorkSession.all_objects.for_user(request.user).deleted(), pk=pk)
    back = _safe_next(request)
    try:
        services.restore_session(session=session)
    except InvalidSessionTimesError as error:
        messages.error(request, f"Could not restore the session: {error}")
        return redirect(back) if back and not request.htmx else _timer_response(request)
    if back and not request.htmx:
        messages.success(request, "Session restored.")
        return redirect(back)
    return _timer_response(request, announcement="Session restored.")


@require_POST
@idempotent_view
def session_continue(request: HttpRequest, pk) -> HttpResponse:
    """Start the same target, type and notes as a listed session, now."""
    back = _safe_next(request)
    try:
        session = services.continue_session(session=_own_session(request, pk))
    except InvalidSessionTimesError as error:
        if back and not request.htmx:
            messages.error(request, str(error))
            return redirect(back)
        return _refused(request, error)
    announcement = f"Timer started: {_describe(session)}."
    if back and not request.htmx:
        messages.success(request, announcement)
        return redirect(back)
    return _change_response(
        request,
        announcement=announcement,
        started=session,
        stopped=list(WorkSession.objects.for_user(request.user).switched_to(session)),
        refresh_recent_targets=bool(session.target_id),
    )


@require_POST
@idempotent_view
def move_start(request: HttpRequest, pk) -> HttpResponse:
    """Move the running session's start: to a given time, or by a few minutes."""
    session = _own_session(request, pk)
    form = MoveStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the new start as a time, or a number of minutes.")
        return _timer_response(request, status=422)
    try:
        services.move_running_start(session=session, started_at=form.new_start(session))
    except InvalidSessionTimesError as error:
        messages.error(request, f"The start was not moved: {error}")
        return _timer_response(request, status=409)
    return _timer_response(request, announcement="Start moved.")


def _safe_next(request: HttpRequest) -> str | None:
    """The page (of this site) a form asks to return to, from `next`."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return None


# Forgotten timers: the settings page, the banner after an automatic stop, and the answers to
# the "Still working?" email.


@require_http_methods(["GET", "POST"])
@idempotent_view
def timer_settings(request: HttpRequest) -> HttpResponse:
    """When the user's timer stops by itself."""
    form = TimerPreferencesForm(request.POST or None, instance=timer_preferences(request.user))
    if request.method == "POST" and form.is_valid():
        services.update_timer_preferences(user=request.user, **form.cleaned_data)
        messages.success(request, "Timer settings saved.")
        return redirect("worklog:timer-settings")
    long_session_hours = int(long_session_limit().total_seconds() // 3600)
    context = {"form": form, "long_session_hours": long_session_hours}
    status = 422 if form.errors else 200
    return render(request, "worklog/timer/settings.html", context, status=status)


def _own_notice(request: HttpRequest, pk, kind: NoticeKind) -> TimerNotice:
    return get_object_or_404(TimerNotice.objects.filter(user=request.user, kind=kind), pk=pk)


@require_POST
@idempotent_view
def auto_stop_notice_dismiss(request: HttpRequest, pk) -> HttpResponse:
    notice = _own_notice(request, pk, NoticeKind.AUTO_STOPPED)
    services.answer_auto_stop_notice(notice=notice, answer=NoticeAnswer.DISMISSED)
    if request.htmx:
        return render(request, "worklog/timer/auto_stop_notice.html", {"auto_stop_notice": None})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("worklog:dashboard")
    return redirect(back)


@require_POST
@idempotent_view
def auto_stop_notice_correct(request: HttpRequest, pk) -> HttpResponse:
    """The banner's "That was wrong: correct it": the banner goes, the correction page opens."""
    notice = _own_notice(request, pk, NoticeKind.AUTO_STOPPED)
    services.answer_auto_stop_notice(notice=notice, answer=NoticeAnswer.CORRECTING)
    return redirect("worklog:session-edit", notice.session_id)


@require_http_methods(["GET", "POST"])
@idempotent_view
def still_working(request: HttpRequest, token: str) -> HttpResponse:
    """A link from the "Still working?" email. GET shows what it will do and POST does it, so a
    mail scanner that follows links stops nothing. Only the signed-in owner may use it (another
    user: 404); a used or expired link says so (410)."""
    try:
        link = read_still_working_link(token)
    except signing.BadSignature as error:
        raise Http404("No such link.") from error
    asked = TimerNotice.objects.filter(user=request.user, kind=NoticeKind.STILL_WORKING)
    notice = get_object_or_404(asked.select_related("session"), pk=link.notice_id)
    page = "worklog/timer/still_working.html"
    context = {
        "token": token,
        "link": link,
        "notice": notice,
        "session": notice.session,
        "valid_hours": int(STILL_WORKING_LINK_VALIDITY.total_seconds() // 3600),
    }
    if notice.answered_at is not None or link.expired:
        return render(request, page, context, status=410)
    if request.method == "GET":
        return render(request, page, context)
    keep_running = link.answer == StillWorkingAnswer.KEEP
    try:
        stopped = services.answer_still_working(notice=notice, keep_running=keep_running)
    except NoticeAlreadyAnsweredError:
        notice.refresh_from_db()
        return render(request, page, context, status=410)
    except InvalidSessionTimesError as error:
        messages.error(request, str(error))
        return redirect("worklog:dashboard")
    if keep_running:
        messages.success(request, "Your timer keeps running; you will not be asked about it again.")
    elif stopped is not None:
        messages.success(
            request,
            f"Timer stopped at {timezone.localtime(stopped.stopped_at):%H:%M} "
            f"after {duration_words(stopped.duration_seconds)}.",
        )
    else:
        messages.info(request, "That timer had already stopped.")
    return redirect("worklog:dashboard")


# -- the report ----------------------------------------------------------------------------------

REPORT_TEMPLATE = "worklog/timer/report.html"
DAYS_CHARTED_ONE_BY_ONE = 31


def report_chart(report: reports.TimerReport) -> BarChart:
    """Hours per day, or per month for a period longer than a month."""
    days = report.by_day
    if len(days) <= DAYS_CHARTED_ONE_BY_ONE:
        label_format = "%a" if len(days) <= 7 else "%-d"
        return bar_chart(
            id="report-chart",
            title=f"Hours per day, {report.period.label}",
            width=600,
            values=[day.seconds for day in days],
            labels=[f"{day.day:{label_format}}" for day in days],
            titles=[f"{day.day:%A %-d %B %Y}: {day.hours} hours" for day in days],
            shown_values=[f"{day.seconds / 3600:.1f}" if day.seconds else "" for day in days],
            max_bar_width=40,
            minimum_scale=3600,
        )
    months = {}
    for day in days:
        month = day.day.replace(day=1)
        months[month] = months.get(month, 0) + day.seconds
    every = -(-len(months) // 12)  # at most twelve labels
    return bar_chart(
        id="report-chart",
        title=f"Hours per month, {report.period.label}",
        width=600,
        values=list(months.values()),
        labels=[f"{month:%b}" if index % every == 0 else "" for index, month in enumerate(months)],
        titles=[f"{month:%B %Y}: {seconds / 3600:.2f} hours" for month, seconds in months.items()],
        shown_values=[f"{seconds / 3600:.0f}" if seconds else "" for seconds in months.values()],
        minimum_scale=3600,
    )


def _report_form(request: HttpRequest, data, **kwargs) -> forms.TimerReportForm:
    user = request.user
    today = timezone.now().astimezone(user.zone).date()
    return forms.TimerReportForm(data, today=today, week_start=user.week_start, **kwargs)


def _report_team(request: HttpRequest):
    """The team whose report a manager asked for (`?team=`), or None; 404 for any team the user
    does not manage."""
    pk = request.GET.get("team") or request.POST.get("team")
    if not pk:
        return None
    try:
        team = managed_team(request.user, pk)
    except ValidationError:
        team = None
    if team is None:
        raise Http404("No such team of yours.")
    return team


def _team_members(team) -> tuple[int, ...]:
    return tuple(team.members.values_list("pk", flat=True)) if team else ()


def _report_params(
    period: reports.Period, rounding: reports.Rounding, team=None
) -> list[tuple[str, str]]:
    """The query naming this report exactly: for links and the download form."""
    if period.kind == reports.PeriodKind.CUSTOM:
        params = [("start", period.first_day.isoformat()), ("end", period.last_day.isoformat())]
    else:
        params = [("date", period.first_day.isoformat())]
    params.insert(0, ("period", period.kind))
    if rounding.minutes:
        params += [
            ("rounding", str(rounding.minutes)),
            ("rounding_mode", rounding.mode),
            ("rounding_scope", rounding.scope),
        ]
    if team is not None:
        params.append(("team", str(team.pk)))
    return params


def _render_report(
    request: HttpRequest, form: forms.TimerReportForm, *, download_error: str = ""
) -> HttpResponse:
    """The report page (or, for HTMX, its #report-page fragment) for the form's filters, or
    the filters with their errors; 422 for either kind of error."""
    team = _report_team(request)
    context = {
        "team": team,
        "form": form,
        "filters": form.filters(),
        "presets": reports.Preset.choices,
        "column_choices": reports.REPORT_COLUMNS.items(),
        "export_formats": exports.EXPORT_FORMATS.items(),
        "download_error": download_error,
    }
    if form.is_valid():
        period, rounding = form.cleaned_data["report_period"], form.cleaned_data["report_rounding"]
        report = reports.timer_report(
            request.user, period=period, rounding=rounding, members=_team_members(team)
        )
        params = _report_params(period, rounding, team)
        context |= {
            # The filters show the period as resolved (a preset's dates, the whole week).
            "filters": _report_form(request, None, initial=dict(params)).filters(),
            "report": report,
            "chart": report_chart(report),
            "grouped_totals": exports.grouped_totals(report),
            # A week lists every day; a longer period, the days with time.
            "day_rows": (
                report.by_day
                if len(report.by_day) <= 7
                else [day for day in report.by_day if day.seconds]
            ),
            "report_params": params,
            "report_query": urlencode(params),
            "previous_query": urlencode(_report_params(period.shifted(-1), rounding, team)),
            "next_query": urlencode(_report_params(period.shifted(1), rounding, team)),
            "columns": reports.report_columns(request.user),
        }
    status = 200 if form.is_valid() and not download_error else 422
    template = f"{REPORT_TEMPLATE}#report-page" if request.htmx else REPORT_TEMPLATE
    return render(request, template, context, status=status)


@require_GET
def timer_report(request: HttpRequest) -> HttpResponse:
    """Timer time in a period, grouped and charted, with its downloads."""
    return _render_report(request, _report_form(request, request.GET))


@require_http_methods(["GET", "POST"])
def timer_report_download(request: HttpRequest) -> HttpResponse:
    """The report as CSV, XLSX or Markdown. A POST (the page's download form) remembers the
    columns it names; a GET uses the remembered ones."""
    form = _report_form(request, request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return _render_report(request, form)
    if not form.cleaned_data["format"]:
        return _render_report(request, form, download_error="Choose CSV, XLSX or Markdown.")
    if request.method == "POST":
        try:
            services.set_report_columns(user=request.user, columns=form.cleaned_data["columns"])
        except ValidationError as error:
            return _render_report(request, form, download_error=" ".join(error.messages))
    report = reports.timer_report(
        request.user,
        period=form.cleaned_data["report_period"],
        rounding=form.cleaned_data["report_rounding"],
        members=_team_members(_report_team(request)),
    )
    columns = reports.report_columns(request.user)
    return exports.download(report, columns, form.cleaned_data["format"])
