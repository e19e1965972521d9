"""The procedure pieces of the benchmark: an SOP of many steps, a running session per load
user, the check a worker records, and the run and history pages' query counts."""

from datetime import timedelta

import httpx
from django.test import Client
from django.utils import timezone

from bench.load import Request
from bench.queries import BATCH, Kind, Page
from bench.seed import LoadUser

TASKS, STEPS_PER_TASK = 4, 6


def confirmed_sop(author_pk: int):
    """A confirmed SOP of TASKS tasks of STEPS_PER_TASK steps; returns it and its steps in
    order."""
    from core.models import User
    from worklog.models import SOPStep
    from worklog.procedures import services as procedures

    author = User.objects.get(pk=author_pk)
    sop = procedures.create_sop(user=author, title="Load test procedure")
    for task_number in range(TASKS):
        task = procedures.add_task(sop=sop, user=author, title=f"Task {task_number + 1}")
        SOPStep.objects.bulk_create(
            SOPStep(task=task, position=n, instruction=f"Step {n + 1}", check_description="ok")
            for n in range(STEPS_PER_TASK)
        )
    procedures.confirm_sop(sop=sop, user=author)
    steps = list(SOPStep.objects.filter(task__sop=sop).order_by("task__position", "position"))
    return sop, [str(step.pk) for step in steps]


def start_sessions(sop, users: list[LoadUser]) -> dict[int, str]:
    """A fresh procedure session for each user, cancelling the one a previous run left open."""
    from core.models import User
    from worklog.models import ProcedureSession
    from worklog.procedures import services as procedures

    started = {}
    for load_user in users:
        worker = User.objects.get(pk=load_user.pk)
        for open_session in ProcedureSession.objects.filter(
            worker=worker, status__in=["in_progress", "paused"]
        ):
            procedures.cancel_procedure_session(session=open_session, user=worker)
        session = procedures.start_procedure_session(worker=worker, sop=sop)
        started[load_user.pk] = str(session.pk)
    return started


class ProcedureWalk:
    """What each client sends next: every step is checked twice, failed and then passed, and
    after the last step the worker starts the SOP again. A client sends one request at a time,
    so `observe` has seen the answer to its last request before the next one is made."""

    def __init__(self, sop_id: str, steps: list[str], sessions: list[str | None]) -> None:
        self.sop_id, self.steps = sop_id, steps
        self.session = list(sessions)
        self.step = [0] * len(sessions)
        self.failed_once = [False] * len(sessions)

    def __call__(self, index: int) -> Request:
        if self.session[index] is None:
            return Request("POST", f"/procedures/sops/{self.sop_id}/start/")
        result = "passed" if self.failed_once[index] else "failed"
        return Request(
            "POST",
            f"/procedures/sessions/{self.session[index]}/check/",
            data={"step": self.steps[self.step[index]], "result": result, "notes": "load"},
        )

    def observe(self, index: int, response: httpx.Response | None) -> None:
        if response is None or response.status_code >= 400:
            return
        if self.session[index] is None:
            # The start redirects to the new session's run page.
            self.session[index] = response.headers["location"].rstrip("/").rsplit("/", 1)[-1]
            self.step[index], self.failed_once[index] = 0, False
        elif not self.failed_once[index]:
            self.failed_once[index] = True
        else:
            self.failed_once[index] = False
            self.step[index] += 1
            if self.step[index] == len(self.steps):
                self.session[index] = None


def check_scenario(author_pk: int):
    """(prepare, start) for the load: each client walks its own session through the SOP."""
    sop, steps = confirmed_sop(author_pk)
    sessions: dict[int, str] = {}

    def prepare(users: list[LoadUser], run: int) -> None:
        sessions.update(start_sessions(sop, users))

    def start(users: list[LoadUser], run: int) -> ProcedureWalk:
        return ProcedureWalk(str(sop.pk), steps, [sessions.get(user.pk) for user in users])

    return prepare, start


def _grow_history(user, total: int) -> None:
    """Completed sessions of one SOP for `user`, each with a passed check on its first step."""
    from worklog.models import SOP, ProcedureSession, SafetyCheck, SOPStep

    sop = SOP.objects.filter(created_by=user, status="confirmed").first()
    first_step = SOPStep.objects.filter(task__sop=sop).order_by("task__position", "position")[0]
    existing = ProcedureSession.objects.filter(worker=user, status="completed").count()
    now = timezone.now() - timedelta(days=1)
    for start in range(existing, total, BATCH):
        sessions = ProcedureSession.objects.bulk_create(
            ProcedureSession(
                worker=user,
                sop=sop,
                status="completed",
                started_at=now - timedelta(hours=n),
                completed_at=now - timedelta(hours=n) + timedelta(minutes=30),
            )
            for n in range(start, min(start + BATCH, total))
        )
        SafetyCheck.objects.bulk_create(
            SafetyCheck(session=session, step=first_step, result="passed", checked_by=user)
            for session in sessions
        )


def kinds(user) -> list[Kind]:
    sop, steps = confirmed_sop(user.pk)
    running = start_sessions(sop, [LoadUser(user.pk, user.username, "", {})])[user.pk]

    def run_page(client: Client):
        return lambda: client.get(f"/procedures/sessions/{running}/")

    def record_check(client: Client):
        return lambda: client.post(
            f"/procedures/sessions/{running}/check/",
            {"step": steps[0], "result": "failed", "notes": "count"},
            headers={"HX-Request": "true"},
        )

    return [
        Kind(
            "procedure sessions (completed, with checks)",
            _grow_history,
            [
                Page("procedure run page", run_page),
                Page("procedure check", record_check),
                Page(
                    "procedure history", lambda client: lambda: client.get("/procedures/sessions/")
                ),
            ],
        )
    ]
