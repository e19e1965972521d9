"""The approval pages: submitting one's week (on the week page), a manager's teams, a team's
week (members by days) with each member's week read-only, approving and rejecting, and an
administrator's unlock. Someone who manages no team sees none of them (404); a manager sees only
the teams they manage and their members."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.validators import EARLIEST_YEAR, LATEST_YEAR
from decisioning.http import idempotent_view
from worklog.exceptions import WorklogError
from worklog.teams import selectors, services
from worklog.teams.models import Team, TimesheetWeek
from worklog.timer.timesheet_views import render_week

TEAMS_TEMPLATE = "worklog/teams/teams.html"
TEAM_TEMPLATE = "worklog/teams/team.html"
TEAM_WEEK_TEMPLATE = "worklog/teams/team_week.html"


def _day(request: HttpRequest, source) -> date:
    """The `date` asked for, the user's today by default; a bad one is a 400."""
    value = source.get("date", "")
    if not value:
        return timezone.localdate(timezone=request.user.zone)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    # A week must fit, with its neighbours, between the supported years.
    if day is None or not EARLIEST_YEAR < day.year < LATEST_YEAR:
        raise BadRequest(
            f"Give the date as YYYY-MM-DD, between the years {EARLIEST_YEAR + 1} and "
            f"{LATEST_YEAR - 1}."
        )
    return day


def _own_week_url(week_start: date) -> str:
    return f"{reverse('worklog:timer-week')}?date={week_start:%Y-%m-%d}"


@require_POST
@idempotent_view
def submit(request: HttpRequest) -> HttpResponse:
    first = selectors.week_start(_day(request, request.POST), request.user.week_start)
    try:
        services.submit_week(user=request.user, week_start=first)
    except WorklogError as error:
        messages.error(request, f"The week was not submitted: {error}")
    else:
        messages.success(request, "Week submitted for approval.")
    return redirect(_own_week_url(first))


def _managed_team(request: HttpRequest, pk) -> Team:
    team = selectors.managed_team(request.user, pk)
    if team is None:
        raise Http404("No such team of yours.")
    return team


def _decidable_week(request: HttpRequest, pk) -> TimesheetWeek:
    week = get_object_or_404(TimesheetWeek.objects.select_related("user"), pk=pk)
    if not selectors.manages_user(request.user, week.user_id):
        raise Http404("No such week of your teams.")
    return week


@require_POST
@idempotent_view
def approve(request: HttpRequest, pk) -> HttpResponse:
    week = _decidable_week(request, pk)
    try:
        services.approve_week(week=week, manager=request.user)
    except WorklogError as error:
        messages.error(request, f"Not approved: {error}")
    else:
        messages.success(request, f"{week.user}'s week approved; it is locked now.")
    return redirect(_back_to_team_week(request, week))


@require_POST
@idempotent_view
def reject(request: HttpRequest, pk) -> HttpResponse:
    week = _decidable_week(request, pk)
    try:
        services.reject_week(week=week, manager=request.user, note=request.POST.get("note", ""))
    except WorklogError as error:
        messages.error(request, f"Not rejected: {error}")
    else:
        messages.success(request, f"{week.user}'s week sent back with your note.")
    return redirect(_back_to_team_week(request, week))


def _back_to_team_week(request: HttpRequest, week: TimesheetWeek) -> str:
    team = selectors.managed_teams(request.user).filter(members=week.user_id).first()
    return f"{reverse('worklog:team-week', args=[team.pk])}?date={week.week_start:%Y-%m-%d}"


@require_POST
@idempotent_view
def unlock(request: HttpRequest, pk) -> HttpResponse:
    if not request.user.is_superuser:
        raise Http404("No such week.")
    week = get_object_or_404(TimesheetWeek.objects.select_related("user"), pk=pk)
    try:
        services.unlock_week(week=week, admin=request.user, reason=request.POST.get("reason", ""))
    except WorklogError as error:
        messages.error(request, f"Not unlocked: {error}")
    else:
        messages.success(request, "Week unlocked; the unlock is in its decision trail.")
    if week.user_id == request.user.pk:
        return redirect(_own_week_url(week.week_start))
    team = selectors.managed_teams(request.user).filter(members=week.user_id).first()
    if team is None:
        return redirect("admin:worklog_timesheetweek_changelist")
    url = reverse("worklog:team-member-week", args=[team.pk, week.user_id])
    return redirect(f"{url}?date={week.week_start:%Y-%m-%d}")


@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    managed = list(selectors.managed_teams(request.user))
    if not managed:
        raise Http404("You manage no team.")
    return render(request, TEAMS_TEMPLATE, {"teams": managed})


@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, pk) -> HttpResponse:
    team = _managed_team(request, pk)
    if request.method == "POST":
        _change_members(request, team)
        return redirect("worklog:team-detail", team.pk)
    context = {
        "team": team,
        "members": team.members.order_by("username"),
        "managers": team.managers.order_by("username"),
    }
    return render(request, TEAM_TEMPLATE, context)


def _change_members(request: HttpRequest, team: Team) -> None:
    users = get_user_model().objects
    if username := request.POST.get("add", "").strip():
        member = users.filter(username=username).first()
        if member is None:
            messages.error(request, f"There is no user {username!r}.")
            return
        services.add_team_member(team=team, manager=request.user, member=member)
        messages.success(request, f"{member} added to {team}.")
    elif remove := request.POST.get("remove", ""):
        member = team.members.filter(pk=remove).first() if remove.isdigit() else None
        if member is None:
            raise Http404("No such member.")
        services.remove_team_member(team=team, manager=request.user, member=member)
        messages.success(request, f"{member} removed from {team}.")


@require_GET
def team_week(request: HttpRequest, pk) -> HttpResponse:
    team = _managed_team(request, pk)
    first = selectors.week_start(_day(request, request.GET), request.user.week_start)
    context = {
        "team": team,
        "grid": selectors.team_week(team, first),
        "previous_week": first - timedelta(days=7),
        "next_week": first + timedelta(days=7),
        "last_day": first + timedelta(days=6),
    }
    return render(request, TEAM_WEEK_TEMPLATE, context)


@require_GET
def member_week(request: HttpRequest, pk, user_id: int) -> HttpResponse:
    team = _managed_team(request, pk)
    member = get_object_or_404(team.members, pk=user_id)
    return render_week(request, member, _day(request, request.GET), team=team)
