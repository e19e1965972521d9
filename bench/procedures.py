"""The procedure pieces of the benchmark: an SOP of many steps, a running session per load
user, the check a worker records, and the run and history pages' query counts."""

from collections.abc import Callable
from datetime import timedelta
from itertools import count

from django.test import Client
from django.utils import timezone

from bench.load import Request
from bench.queries import BATCH, Kind, Page
from bench.seed import LoadUser

STEPS = 400
# One check in PASS_EVERY passes and moves to the next step; the others fail and stay.
PASS_EVERY = 4


def confirmed_sop(author_pk: int):
    """An SOP of STEPS steps in four tasks, confirmed; returns it and its steps in order."""
    from core.models import User
    from worklog.models import SOPStep
    from worklog.services import procedures

    author = User.objects.get(pk=author_pk)
    sop = procedures.create_sop(user=author, title="Load test procedure")
    for task_number in range(4):
        task = procedures.add_task(sop=sop, user=author, title=f"Task {task_number + 1}")
        SOPStep.objects.bulk_create(
            SOPStep(task=task, position=n, instruction=f"Step {n + 1}", check_description="ok")
            for n in range(STEPS // 4)
        )
    procedures.confirm_sop(sop=sop, user=author)
    steps = list(SOPStep.objects.filter(task__sop=sop).order_by("task__position", "position"))
    return sop, [str(step.pk) for step in steps]


def start_sessions(sop, users: list[LoadUser]) -> dict[int, str]:
    """A fresh procedure session for each user, cancelling the one a previous run left open."""
    from core.models import User
    from worklog.models import ProcedureSession
    from worklog.services import procedures

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


def check_scenario(author_pk: int):
    """(prepare, start) for the load: each client checks its own session's current step."""
    sop, steps = confirmed_sop(author_pk)
    sessions: dict[int, str] = {}

    def prepare(users: list[LoadUser], run: int) -> None:
        sessions.update(start_sessions(sop, users))

    def start(users: list[LoadUser], run: int) -> Callable[[int], Request]:
        sent = [count() for _ in users]

        def request(index: int) -> Request:
            number = next(sent[index])
            passed = number % PASS_EVERY == PASS_EVERY - 1
            step = steps[min(number // PASS_EVERY, len(steps) - 1)]
            session = sessions[users[index].pk]
            return Request(
                "POST",
                f"/procedures/sessions/{session}/check/",
                data={"step": step, "result": "passed" if passed else "failed", "notes": "load"},
            )

        return request

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
