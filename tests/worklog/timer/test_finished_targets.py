"""Finished work is no timer target: a completed, approved or cancelled procedure session and a
completed or cancelled work item are neither offered nor started on; completing a work item
stops the timer on it, and starting an SOP says which timer it stopped."""

import pytest
from django.urls import reverse

from catalog.services import complete_work_item, start_work_item
from tests.catalog.conftest import *  # noqa: F403 (the catalog's basket and work fixtures)
from worklog.procedures import services as procedures
from worklog.targets import resolve_target, search_targets
from worklog.timer import services
from worklog.timer.models import EndReason, WorkSession
from worklog.timer.selectors import recent_targets

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def key(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


@pytest.fixture
def work(committed_line):
    return committed_line.work_items.get(spawn_role="prepare")


def test_a_finished_procedure_session_is_no_target(user, make_sop):
    session = procedures.start_procedure_session(
        worker=user, sop=make_sop(user, steps_per_task=(1,))
    )
    assert resolve_target(user, key(session)) is not None
    procedures.cancel_procedure_session(session=session, user=user)
    assert resolve_target(user, key(session)) is None
    assert key(session) not in {target.key for target in search_targets(user, "Lockout")}
    assert key(session) not in {target.key for target in recent_targets(user)}


def test_starting_the_timer_on_a_finished_target_is_refused_with_a_message(
    user_client, user, make_sop
):
    session = procedures.start_procedure_session(
        worker=user, sop=make_sop(user, steps_per_task=(1,))
    )
    procedures.cancel_procedure_session(session=session, user=user)
    response = user_client.post(
        reverse("worklog:timer-start"), {"target": key(session)}, headers=HTMX
    )
    assert response.status_code == 404
    assert "That is not something you can time" in response.content.decode()
    assert not WorkSession.objects.active().exists()


def test_a_finished_work_item_is_no_target(user, work):
    assert resolve_target(user, key(work)) is not None
    complete_work_item(work)
    assert resolve_target(user, key(work)) is None


def test_completing_a_work_item_stops_its_timer_and_says_so(user_client, user, work):
    start_work_item(work, user, start_timer=True)
    running = WorkSession.objects.active().get()
    assert running.target == work
    response = user_client.post(reverse("catalog:work-item-complete", args=[work.pk]), follow=True)
    assert "Its timer was stopped." in response.content.decode()
    running.refresh_from_db()
    assert not running.is_active and running.end_reason == EndReason.STOPPED


def test_completing_leaves_a_timer_on_something_else_running(user, work):
    other = services.start_session(user)
    complete_work_item(work)
    other.refresh_from_db()
    assert other.is_active


def test_starting_an_sop_says_which_timer_it_stopped(user_client, user, work, make_sop):
    start_work_item(work, user, start_timer=True)
    sop = make_sop(user, steps_per_task=(1,))
    response = user_client.post(reverse("worklog:sop-start", args=[sop.pk]), follow=True)
    html = response.content.decode()
    assert "the timer is running" in html
    assert "It stopped the timer on" in html and work.display_name in html
