"""Reads the procedure pages and the API need, each with a fixed number of queries. Includes the
seed's repository reads: `get_by_id`, `get_current_for_worker`, `list_by_worker`."""

from dataclasses import dataclass, field
from itertools import groupby
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from worklog.procedures.models import (
    SOP,
    ProcedureSession,
    SafetyCheck,
    SessionStatus,
    SOPStep,
    SOPTask,
)

SUPERVISE_PERMISSION = "worklog.approve_proceduresession"
MANAGE_ANY_SOP_PERMISSION = "worklog.manage_any_sop"
STEP_ORDER = ("task__position", "task__created_at", "position", "created_at")


def can_supervise(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(SUPERVISE_PERMISSION))


def can_manage_sop(user, sop: SOP) -> bool:
    """Whether `user` may make a new version of `sop`, or confirm one and so archive `sop`: its
    author, or a member of the Procedure authors group."""
    return sop.created_by_id == user.pk or user.has_perm(MANAGE_ANY_SOP_PERMISSION)


# SOPs


def visible_sops(user) -> QuerySet[SOP]:
    return SOP.objects.visible_to(user).select_related("created_by")


def ordered_steps(sop: SOP | UUID) -> QuerySet[SOPStep]:
    """The SOP's (or the SOP id's) steps in the order a session walks them: task by task."""
    return SOPStep.objects.filter(task__sop=sop).order_by(*STEP_ORDER)


def first_step(sop: SOP) -> SOPStep | None:
    return ordered_steps(sop).first()


def sop_tasks(sop: SOP) -> list[SOPTask]:
    """The SOP's tasks, each with its steps prefetched in order: two queries."""
    steps = SOPStep.objects.order_by("position", "created_at")
    return list(
        SOPTask.objects.filter(sop=sop)
        .order_by("position", "created_at")
        .prefetch_related(Prefetch("steps", queryset=steps))
    )


# Procedure sessions


def get_by_id(session_id, *, user=None) -> ProcedureSession | None:
    """The session (for `user`: only one they may see), with its SOP and current step."""
    session = (
        ProcedureSession.objects.select_related(
            "sop", "worker", "current_step__task", "approved_by"
        )
        .filter(pk=session_id)
        .first()
    )
    return session if _may_see(user, session) else None


def get_for_action(session_id, *, user) -> ProcedureSession | None:
    """The session's own row, without its related rows, if `user` may see it: what an action
    needs before its service locks the session and reads it again."""
    session = ProcedureSession.objects.filter(pk=session_id).first()
    return session if _may_see(user, session) else None


def _may_see(user, session: ProcedureSession | None) -> bool:
    """A worker sees their own sessions (without their permissions being read); a supervisor
    sees everyone's."""
    return session is not None and (
        user is None or session.worker_id == user.pk or can_supervise(user)
    )


def get_current_for_worker(worker_id, *, include_paused: bool = False) -> ProcedureSession | None:
    """The worker's session in progress (the seed's query), or with `include_paused` their open
    session, in progress or paused: at most one exists, and it blocks starting another."""
    sessions = ProcedureSession.objects.filter(worker_id=worker_id).active()
    if not include_paused:
        sessions = sessions.filter(status=SessionStatus.IN_PROGRESS)
    return sessions.select_related("sop", "worker", "current_step__task", "approved_by").first()


def get_for_cancel(session_id, *, user) -> ProcedureSession | None:
    """The session's row if `user` may cancel it: one they may see, or one of an SOP they
    wrote (its worker may have abandoned it)."""
    session = ProcedureSession.objects.select_related("sop", "worker").filter(pk=session_id).first()
    if session is None:
        return None
    return session if _may_see(user, session) or session.sop.created_by_id == user.pk else None


def open_sessions_of(sop: SOP) -> list[ProcedureSession]:
    """The SOP's active sessions, oldest first, with their workers: what keeps it from being
    deleted."""
    return list(sop.sessions.active().select_related("worker").order_by("started_at"))


def list_by_worker(worker_id, *, status: str | None = None) -> QuerySet[ProcedureSession]:
    """The worker's sessions, most recent first, optionally of one status."""
    sessions = ProcedureSession.objects.filter(worker_id=worker_id).select_related("sop")
    if status:
        sessions = sessions.filter(status=status)
    return sessions.order_by("-started_at")


def approval_queue() -> QuerySet[ProcedureSession]:
    """Completed sessions waiting for a supervisor, oldest completion first."""
    return (
        ProcedureSession.objects.awaiting_approval()
        .select_related("sop", "worker")
        .order_by("completed_at")
    )


def recently_locked(limit: int = 20) -> list[ProcedureSession]:
    return list(
        ProcedureSession.objects.filter(locked=True)
        .select_related("sop", "worker", "approved_by")
        .order_by("-locked_at")[:limit]
    )


@dataclass
class StepProgress:
    step: SOPStep
    number: int
    state: str  # "done", "current" or "todo"
    checks: list[SafetyCheck] = field(default_factory=list)


@dataclass
class TaskProgress:
    task: SOPTask
    steps: list[StepProgress]


@dataclass
class SessionProgress:
    """What the run page and the API show: every task and step with its state and checks, the
    current and the next expected step, and how far the session has come."""

    session: ProcedureSession
    tasks: list[TaskProgress]
    checks: list[SafetyCheck]
    current_step: SOPStep | None
    next_step: SOPStep | None
    done_steps: int
    total_steps: int

    @property
    def percent(self) -> int:
        return round(100 * self.done_steps / self.total_steps) if self.total_steps else 0

    def step_rows(self, step_ids: set) -> list[StepProgress]:
        return [step for task in self.tasks for step in task.steps if step.step.pk in step_ids]

    @property
    def current_number(self) -> int | None:
        for task in self.tasks:
            for step in task.steps:
                if step.state == "current":
                    return step.number
        return None


def session_progress(session: ProcedureSession) -> SessionProgress:
    """Three queries whatever the SOP's size: tasks, their steps, the session's checks."""
    tasks = [(task, list(task.steps.all())) for task in sop_tasks(session.sop)]
    checks = list(
        session.checks.select_related("checked_by", "corrected_by").order_by("checked_at")
    )
    return _progress(session, tasks, checks)


def progress_from_steps(
    session: ProcedureSession, *, steps: list[SOPStep], only_step_ids: set | None = None
) -> SessionProgress:
    """`session_progress` from the steps a service has just read (in walking order, each with
    its task): one query, for the session's checks, or only those of `only_step_ids` when just
    those steps' rows are shown again. A confirmed SOP has no task without steps, so grouping
    the steps by task leaves out no task."""
    checks = session.checks.select_related("checked_by", "corrected_by").order_by("checked_at")
    if only_step_ids is not None:
        checks = checks.filter(step_id__in=only_step_ids)
    return _progress(session, _by_task(steps), list(checks))


def _by_task(steps: list[SOPStep]) -> list[tuple[SOPTask, list[SOPStep]]]:
    return [(task, list(group)) for task, group in groupby(steps, key=lambda step: step.task)]


def _progress(
    session: ProcedureSession,
    tasks: list[tuple[SOPTask, list[SOPStep]]],
    checks: list[SafetyCheck],
) -> SessionProgress:
    checks_by_step: dict = {}
    for check in checks:
        checks_by_step.setdefault(check.step_id, []).append(check)
    flat = [step for _, steps in tasks for step in steps]
    if session.status == SessionStatus.COMPLETED or session.current_step_id is None:
        current_index = len(flat)
    else:
        current_index = next(
            (i for i, step in enumerate(flat) if step.pk == session.current_step_id), len(flat)
        )
    number = 0
    task_progress = []
    for task, task_steps in tasks:
        steps = []
        for step in task_steps:
            state = "done" if number < current_index else "current"
            if number > current_index:
                state = "todo"
            number += 1
            steps.append(StepProgress(step, number, state, checks_by_step.get(step.pk, [])))
        task_progress.append(TaskProgress(task, steps))
    current = flat[current_index] if current_index < len(flat) else None
    following = flat[current_index + 1] if current_index + 1 < len(flat) else None
    return SessionProgress(
        session=session,
        tasks=task_progress,
        checks=checks,
        current_step=current,
        next_step=following,
        done_steps=current_index,
        total_steps=len(flat),
    )
