"""The timesheet weeks in the JSON API, named by ISO week (`2026-W49`): submit your own week;
approve or reject a team member's (`user_id` in the body). A week is the user's week holding
that ISO week's Monday, in the user's week-start setting."""

import re
from datetime import date

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from config.api import ApiError, Error, PlainText
from core.validators import EARLIEST_YEAR, LATEST_YEAR
from worklog.teams import services
from worklog.teams.exceptions import (
    NoteRequiredError,
    NotTeamManagerError,
    SelfApprovalError,
    WeekStateError,
)
from worklog.teams.models import TimesheetWeek
from worklog.teams.selectors import manages_user, week_start

router = Router(tags=["timesheets"])

# Years 1901 to 2998 (the supported years, with room for the week's neighbours) and weeks 01 to
# 53; that a year has no week 53 is the one thing the pattern cannot say (422 invalid_week).
WEEK_PATTERN = (
    r"^(190[1-9]|19[1-9][0-9]|2[0-8][0-9]{2}|29[0-8][0-9]|299[0-8])-W(0[1-9]|[1-4][0-9]|5[0-3])$"
)


class WeekOut(Schema):
    week: str = Field(description="The ISO week of the week's first day, e.g. 2026-W49.")
    week_start: date
    user_id: int
    state: str
    changed_since_submitted: bool
    rejection_note: str

    @staticmethod
    def resolve_week(week: TimesheetWeek) -> str:
        return week.label


class DecisionIn(Schema):
    user_id: int
    note: PlainText = Field("", max_length=2000, description="Required to reject.")


def _first_day(label: str, user) -> date:
    problem = ApiError(
        422,
        "invalid_week",
        f"Name the week as YYYY-Www, e.g. 2026-W49, between the years {EARLIEST_YEAR + 1} and "
        f"{LATEST_YEAR - 1}.",
    )
    if not re.fullmatch(WEEK_PATTERN, label):
        raise problem
    year, week = (int(part) for part in label.split("-W"))
    if not EARLIEST_YEAR < year < LATEST_YEAR:
        raise problem
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as error:
        raise problem from error
    return week_start(monday, user.week_start)


def _refused(error: Exception) -> ApiError:
    if isinstance(error, SelfApprovalError):
        return ApiError(403, "self_approval", str(error))
    if isinstance(error, NoteRequiredError):
        return ApiError(422, "note_required", str(error))
    return ApiError(409, "week_state", str(error))


@router.post(
    "/{week}/submit",
    response={200: WeekOut, 409: Error, 422: Error},
    summary="Submit your week for approval",
)
def submit(request: HttpRequest, week: str = Path(..., pattern=WEEK_PATTERN)):
    try:
        return services.submit_week(user=request.user, week_start=_first_day(week, request.user))
    except WeekStateError as error:
        raise _refused(error) from error


def _member_week(request: HttpRequest, week: str, user_id: int) -> TimesheetWeek:
    member = get_user_model().objects.filter(pk=user_id).first()
    # Someone the caller does not manage is not there, as another user's object never is.
    if member is None or (member != request.user and not manages_user(request.user, member.pk)):
        raise ApiError(404, "not_found", "No such member of a team you manage.")
    start = _first_day(week, member)
    return TimesheetWeek.objects.filter(user=member, week_start=start).first() or TimesheetWeek(
        user=member, week_start=start
    )


def _decide(request: HttpRequest, week: str, payload: DecisionIn, decide) -> TimesheetWeek:
    """A manager's approval or rejection (`decide`) of the member's week, as it now stands."""
    the_week = _member_week(request, week, payload.user_id)
    try:
        decide(week=the_week, manager=request.user, note=payload.note)
    except (WeekStateError, SelfApprovalError, NotTeamManagerError, NoteRequiredError) as error:
        raise _refused(error) from error
    return TimesheetWeek.objects.get(user=the_week.user, week_start=the_week.week_start)


@router.post(
    "/{week}/approve",
    response={200: WeekOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Approve a team member's submitted week (it is locked from then on)",
)
def approve(request: HttpRequest, payload: DecisionIn, week: str = Path(..., pattern=WEEK_PATTERN)):
    return _decide(request, week, payload, services.approve_week)


@router.post(
    "/{week}/reject",
    response={200: WeekOut, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="Send a team member's submitted week back with a note",
)
def reject(request: HttpRequest, payload: DecisionIn, week: str = Path(..., pattern=WEEK_PATTERN)):
    return _decide(request, week, payload, services.reject_week)
