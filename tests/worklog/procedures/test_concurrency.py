"""Races on procedure sessions, with real threads on PostgreSQL (session_009)."""

import pytest
from django.db import connection

from tests.worklog.timer.test_concurrency import run_at_once
from worklog.exceptions import ActiveProcedureSessionExistsError, StepNotCurrentError
from worklog.models import ProcedureSession, SafetyCheck, WorkSession
from worklog.procedures import services
from worklog.procedures.selectors import ordered_steps

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_session_009_concurrent_starts_leave_one_active_session(user, make_sop):
    assert connection.vendor == "postgresql"
    sops = [make_sop(user, title=f"SOP {n}") for n in range(6)]
    errors = run_at_once(
        [lambda sop=sop: services.start_procedure_session(worker=user, sop=sop) for sop in sops]
    )
    assert len(errors) == 5
    assert all(isinstance(error, ActiveProcedureSessionExistsError) for error in errors)
    assert ProcedureSession.objects.active().count() == 1
    assert WorkSession.objects.active().count() == 1


def test_session_009_the_index_alone_refuses_concurrent_starts(user, make_sop, monkeypatch):
    """Without the lock on the worker's row the starts all pass the application's check; the
    partial unique index still lets only one commit, and the others get the clear error."""
    monkeypatch.setattr(services, "lock_users", lambda *user_ids: None)
    sops = [make_sop(user, title=f"SOP {n}") for n in range(6)]
    errors = run_at_once(
        [lambda sop=sop: services.start_procedure_session(worker=user, sop=sop) for sop in sops]
    )
    assert len(errors) == 5
    assert all(isinstance(error, ActiveProcedureSessionExistsError) for error in errors)
    assert ProcedureSession.objects.active().count() == 1


def test_concurrent_checks_on_one_step_record_one(user, make_sop):
    sop = make_sop(user)
    session = services.start_procedure_session(worker=user, sop=sop)
    first = ordered_steps(sop).first()
    errors = run_at_once(
        [
            lambda: services.record_check(
                session=session, user=user, step_id=first.pk, result="passed"
            )
            for _ in range(4)
        ]
    )
    assert len(errors) == 3
    assert all(isinstance(error, StepNotCurrentError) for error in errors)
    assert SafetyCheck.objects.count() == 1
