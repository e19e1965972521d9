"""Writes to teams and timesheet weeks. A week's state changes under its owner's row lock (the
timer's lock, see `worklog.teams.locks`), then the week's row: two managers approving at once
run one after the other, and the second finds the week approved. Every submission, approval,
rejection and unlock is a Decision about the week; an unlock supersedes the approval."""

import logging
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.services import lock_users
from decisioning.models import Decision, DecisionOutcome
from decisioning.services import record_decision
from worklog.teams.emails import send_reminder_email
from worklog.teams.exceptions import (
    NoteRequiredError,
    NotTeamManagerError,
    SelfApprovalError,
    WeekStateError,
)
from worklog.teams.models import (
    LockPeriod,
    ReminderKind,
    Team,
    TimesheetWeek,
    WeekReminder,
    WeekState,
)
from worklog.teams.selectors import (
    manages_user,
    previous_week_unsubmitted,
    week_start,
    weeks_waiting_for,
)
from worklog.timer.exceptions import describe_session
from worklog.timer.models import WorkSession

SUBMIT_DECISION = "timesheet_week.submitted"
APPROVAL_DECISION = "timesheet_week.approved"
REJECTION_DECISION = "timesheet_week.rejected"
UNLOCK_DECISION = "timesheet_week.unlocked"

logger = logging.getLogger(__name__)


def _locked_week(user, week_start: date) -> TimesheetWeek:
    lock_users(user.pk)
    week, _ = TimesheetWeek.objects.get_or_create(user=user, week_start=week_start)
    return TimesheetWeek.objects.select_for_update().select_related("user").get(pk=week.pk)


def _required(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise NoteRequiredError(what)
    return text


@transaction.atomic
def submit_week(*, user, week_start: date) -> TimesheetWeek:
    """The user hands in the week starting `week_start`; refused while one of its sessions
    runs, and for a week already submitted or approved."""
    week = _locked_week(user, week_start)
    if week.state in (WeekState.SUBMITTED, WeekState.APPROVED):
        raise WeekStateError(f"This week is already {week.get_state_display().lower()}.")
    start, end = week.bounds(user.zone)
    running = WorkSession.objects.for_user(user).active().in_range(start, end).first()
    if running is not None:
        raise WeekStateError(
            "Stop the running session before submitting the week: "
            f"{describe_session(running, user.zone)}."
        )
    now = timezone.now()
    week.state = WeekState.SUBMITTED
    week.submitted_at = now
    week.changed_since_submitted = False
    week.save()
    record_decision(
        target=week,
        decision_type=SUBMIT_DECISION,
        outcome=DecisionOutcome.PENDING,
        decided_by=user,
        effective_at=now,
    )
    return week


def _decidable(week: TimesheetWeek, manager) -> TimesheetWeek:
    if manager.pk == week.user_id:
        raise SelfApprovalError()
    if not manages_user(manager, week.user_id):
        raise NotTeamManagerError()
    week = _locked_week(week.user, week.week_start)
    if week.state != WeekState.SUBMITTED:
        raise WeekStateError(
            f"Only a submitted week can be decided; this one is {week.get_state_display().lower()}."
        )
    return week


@transaction.atomic
def approve_week(*, week: TimesheetWeek, manager, note: str = "") -> Decision:
    """A manager of one of the user's teams, never the user, approves the submitted week: it is
    locked from now on."""
    week = _decidable(week, manager)
    decision = record_decision(
        target=week,
        decision_type=APPROVAL_DECISION,
        outcome=DecisionOutcome.APPROVED,
        decided_by=manager,
        reason=note.strip(),
        context={"changed_since_submitted": week.changed_since_submitted},
    )
    week.state = WeekState.APPROVED
    week.decided_by = manager
    week.decided_at = decision.recorded_at
    week.rejection_note = ""
    week.save()
    return decision


@transaction.atomic
def reject_week(*, week: TimesheetWeek, manager, note: str) -> Decision:
    """The week goes back to its user with `note`; it is open again and can be resubmitted."""
    note = _required(note, "rejecting a week")
    week = _decidable(week, manager)
    decision = record_decision(
        target=week,
        decision_type=REJECTION_DECISION,
        outcome=DecisionOutcome.REJECTED,
        decided_by=manager,
        reason=note,
    )
    week.state = WeekState.REJECTED
    week.decided_by = manager
    week.decided_at = decision.recorded_at
    week.rejection_note = note
    week.save()
    return decision


@transaction.atomic
def unlock_week(*, week: TimesheetWeek, admin, reason: str) -> Decision:
    """An administrator opens an approved week again, with a reason; the unlock supersedes the
    approval, which stays in the log."""
    if not admin.is_superuser:
        raise NotTeamManagerError()
    reason = _required(reason, "unlocking a week")
    week = _locked_week(week.user, week.week_start)
    if week.state != WeekState.APPROVED:
        raise WeekStateError("Only an approved week can be unlocked.")
    approval = (
        Decision.objects.filter(decision_type=APPROVAL_DECISION)
        .for_target(week)
        .order_by("-recorded_at")
        .first()
    )
    decision = record_decision(
        target=week,
        decision_type=UNLOCK_DECISION,
        outcome=DecisionOutcome.APPROVED,
        decided_by=admin,
        reason=reason,
        supersedes=approval,
    )
    week.state = WeekState.OPEN
    week.decided_by = None
    week.decided_at = None
    week.save()
    return decision


@transaction.atomic
def set_lock_period(
    *, admin, locked_through: date | None, auto_lock_after_days: int | None, reason: str = ""
) -> LockPeriod:
    """A new lock period for everyone, kept beside the earlier ones."""
    if not admin.is_superuser:
        raise NotTeamManagerError()
    period = LockPeriod(
        locked_through=locked_through,
        auto_lock_after_days=auto_lock_after_days,
        reason=reason,
        set_by=admin,
    )
    period.full_clean()
    period.save()
    return period


def _managed(team: Team, manager) -> None:
    if not manager.is_superuser and not team.managers.filter(pk=manager.pk).exists():
        raise NotTeamManagerError()


@transaction.atomic
def add_team_member(*, team: Team, manager, member) -> None:
    _managed(team, manager)
    team.members.add(member)


@transaction.atomic
def remove_team_member(*, team: Team, manager, member) -> None:
    _managed(team, manager)
    team.members.remove(member)


# Monday reminders.

REMINDER_HOUR = 8


def _remind(user, week_start: date, kind: str, waiting: int = 0) -> WeekReminder | None:
    """Send one reminder unless it was sent: the row and the email go together. A second
    worker's insert of the same row waits for the first's transaction and then finds it (the
    unique constraint); a failed send rolls the row back so that the next run tries again."""
    with transaction.atomic():
        reminder, created = WeekReminder.objects.get_or_create(
            recipient=user, week_start=week_start, kind=kind
        )
        if not created:
            return None
        send_reminder_email(reminder, waiting=waiting)
    return reminder


def send_week_reminders(*, now: datetime | None = None) -> list[WeekReminder]:
    """On Monday from REMINDER_HOUR in each user's zone: remind members whose previous week is
    neither submitted nor approved, and managers with weeks waiting for them; each once per
    week. One failure does not hold up the others."""
    now = now or timezone.now()
    sent = []
    people = (
        get_user_model()
        .objects.filter(Q(teams__isnull=False) | Q(managed_teams__isnull=False))
        .exclude(email="")
        .distinct()
    )
    for user in people:
        local = now.astimezone(user.zone)
        if local.weekday() != 0 or local.hour < REMINDER_HOUR:
            continue
        last_week = week_start(local.date(), user.week_start) - timedelta(days=7)
        try:
            if previous_week_unsubmitted(user, today=local.date()) and (
                reminder := _remind(user, last_week, ReminderKind.SUBMIT)
            ):
                sent.append(reminder)
            waiting = weeks_waiting_for(user).count()
            if waiting and (
                reminder := _remind(user, last_week, ReminderKind.APPROVE, waiting=waiting)
            ):
                sent.append(reminder)
        except Exception:
            logger.exception("Could not send the week reminders of user %s", user.pk)
    return sent
