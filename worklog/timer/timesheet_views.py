"""The timesheet's pages: a week as a grid with its sessions day by day, one day with its
timeline, and adding time the user forgot to track."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.defaultfilters import urlencode
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.validators import EARLIEST_YEAR, LATEST_YEAR
from decisioning.http import idempotent_view
from worklog.teams.selectors import week_panel
from worklog.timer import services
from worklog.timer.exceptions import InvalidSessionTimesError, OverlappingSessionError
from worklog.timer.forms import AddTimeForm
from worklog.timer.models import WorkSession
from worklog.timer.timesheet import day_timeline, timesheet, week_timesheet

WEEK_TEMPLATE = "worklog/timer/week.html"
DAY_TEMPLATE = "worklog/timer/day.html"
ADD_TEMPLATE = "worklog/timer/session_add.html"


def _chosen_day(request: HttpRequest) -> date | None:
    """The `?date=` the page shows, the user's today by default; None if it is not a date the
    app supports."""
    value = request.GET.get("date", "")
    if not value:
        return timezone.localdate(timezone=request.user.zone)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    # A week or a day must fit, with its neighbours, between the supported years.
    return day if EARLIEST_YEAR < day.year < LATEST_YEAR else None


def _bad_day(request: HttpRequest) -> HttpResponse:
    return HttpResponseBadRequest(
        f"Give the date as YYYY-MM-DD, between the years {EARLIEST_YEAR + 1} and "
        f"{LATEST_YEAR - 1}.",
        content_type="text/plain; charset=utf-8",
    )


def _path_with_pk(name: str) -> Callable[[object], str]:
    """`reverse(name, args=[pk])` for a page's many sessions at the cost of one reverse."""
    placeholder = str(UUID(int=0))
    before, after = reverse(name, args=[placeholder]).split(placeholder)
    return lambda pk: f"{before}{pk}{after}"


def _add_links(sessions: list[WorkSession]) -> None:
    """The paths each session's row links to or posts to."""
    edit, continue_, delete = (
        _path_with_pk(f"worklog:session-{action}") for action in ("edit", "continue", "delete")
    )
    add = reverse("worklog:session-add")
    for session in sessions:
        session.links = {
            "edit": edit(session.pk),
            "continue": continue_(session.pk),
            "delete": delete(session.pk),
            "duplicate": f"{add}?duplicate={session.pk}",
        }


def _deleted_session(request: HttpRequest) -> WorkSession | None:
    """The session just deleted from this page (`?deleted=<id>`), for its Undo."""
    pk = request.GET.get("deleted", "")
    if not pk:
        return None
    try:
        return WorkSession.all_objects.for_user(request.user).deleted().filter(pk=pk).first()
    except ValidationError:
        return None


@require_GET
def week(request: HttpRequest) -> HttpResponse:
    day = _chosen_day(request)
    if day is None:
        return _bad_day(request)
    return render_week(request, request.user, day, deleted_session=_deleted_session(request))


def render_week(
    request: HttpRequest, owner, day: date, *, deleted_session=None, team=None
) -> HttpResponse:
    """`owner`'s week holding `day`: the user's own, or, read-only, a team member's for one of
    the team's managers (`team`)."""
    sheet = week_timesheet(owner, day)
    _add_links(sheet.sessions)
    first = sheet.first_day
    today = timezone.localdate(timezone=request.user.zone)
    context = {
        "sheet": sheet,
        "owner": owner,
        "team": team,
        "approval": week_panel(owner, request.user, first, today=today),
        "previous_week": first - timedelta(days=7),
        "next_week": first + timedelta(days=7),
        "last_day": first + timedelta(days=6),
        "chosen_day": day,
        "deleted_session": deleted_session,
        "here": request.get_full_path(),
        "here_encoded": urlencode(request.get_full_path()),
        "week_url": request.path,
    }
    return render(request, WEEK_TEMPLATE, context)


@require_GET
def day(request: HttpRequest) -> HttpResponse:
    chosen = _chosen_day(request)
    if chosen is None:
        return _bad_day(request)
    sheet = timesheet(request.user, chosen, 1)
    _add_links(sheet.sessions)
    the_day = sheet.days[0]
    context = {
        "sheet": sheet,
        "the_day": the_day,
        "timeline": day_timeline(the_day, request.user.zone),
        "previous_day": chosen - timedelta(days=1),
        "next_day": chosen + timedelta(days=1),
        "deleted_session": _deleted_session(request),
        "here": request.get_full_path(),
        "here_encoded": urlencode(request.get_full_path()),
    }
    return render(request, DAY_TEMPLATE, context)


def _add_initial(request: HttpRequest) -> dict:
    """A new entry's fields: a copy of `?duplicate=<id>` (to correct), or the hour before now
    on `?date=`, else an hour ago."""
    duplicate = request.GET.get("duplicate")
    if duplicate:
        try:
            source = WorkSession.objects.for_user(request.user).filter(pk=duplicate).first()
        except ValidationError:
            source = None
        if source is not None and source.stopped_at:
            return {
                "started_at": source.started_at,
                "stopped_at": source.stopped_at,
                "target": source.target_key,
                "session_type": source.session_type,
                "notes": source.notes,
            }
    zone = request.user.zone
    now = timezone.now().astimezone(zone).replace(second=0, microsecond=0)
    day = _chosen_day(request)
    if day and day != now.date():
        start = datetime.combine(day, time(9), tzinfo=zone)
        return {"started_at": start, "stopped_at": start + timedelta(hours=1)}
    return {"started_at": now - timedelta(hours=1), "stopped_at": now}


@require_http_methods(["GET", "POST"])
@idempotent_view
def session_add(request: HttpRequest) -> HttpResponse:
    """Add time the user forgot to track; an overlap is named and can be trimmed."""
    form = AddTimeForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial=_add_initial(request),
    )
    overlap = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.add_session(
                user=request.user,
                started_at=data["started_at"],
                stopped_at=data["stopped_at"],
                target=data["target"].object if data["target"] else None,
                session_type=data["session_type"],
                notes=data["notes"],
                trim_overlapping=data["trim_overlapping"],
            )
        except OverlappingSessionError as error:
            overlap = error
            form.add_error(None, str(error))
        except InvalidSessionTimesError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, "Time added.")
            local_day = session.started_at.astimezone(request.user.zone).date()
            return redirect(f"{reverse('worklog:timer-week')}?date={local_day:%Y-%m-%d}")
    context = {"form": form, "overlap": overlap, **form.picker_context()}
    return render(request, ADD_TEMPLATE, context, status=422 if form.errors else 200)
