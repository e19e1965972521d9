"""The admin of SOPs and procedure sessions."""

import pytest
from django.urls import reverse

from worklog.procedures import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, user):
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def completed(user, sop):
    session = services.start_procedure_session(worker=user, sop=sop)
    return services.complete_procedure_session(session=session, user=user)


def test_sop_pages_show_tasks_and_steps_inline(admin_client, user, make_sop):
    draft = make_sop(user, title="Draft SOP", confirmed=False)
    confirmed = make_sop(user, title="Frozen SOP")
    assert admin_client.get(reverse("admin:worklog_sop_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:worklog_sop_change", args=[draft.pk]))
    assert page.status_code == 200 and "Task 1" in page.content.decode()
    task = draft.tasks.first()
    task_page = admin_client.get(reverse("admin:worklog_soptask_change", args=[task.pk]))
    assert "Step 1.1" in task_page.content.decode() and 'name="_save"' in task_page.content.decode()
    frozen_task = confirmed.tasks.first()
    frozen = admin_client.get(reverse("admin:worklog_soptask_change", args=[frozen_task.pk]))
    assert frozen.status_code == 200 and 'name="_save"' not in frozen.content.decode()


def test_session_with_checks_inline_is_read_only_once_locked(admin_client, other_user, sop):
    # Another worker's session: nobody approves their own (test_services).
    session = services.start_procedure_session(worker=other_user, sop=sop)
    services.record_check(
        session=session,
        user=other_user,
        step_id=session.current_step_id,
        result="failed",
        notes="n",
    )
    change = reverse("admin:worklog_proceduresession_change", args=[session.pk])
    open_page = admin_client.get(change)
    assert open_page.status_code == 200 and 'name="_save"' in open_page.content.decode()
    services.complete_procedure_session(session=session, user=other_user)
    response = admin_client.post(
        reverse("admin:worklog_proceduresession_changelist"),
        {"action": "approve_selected", "_selected_action": [session.pk]},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.locked
    locked_page = admin_client.get(change)
    assert locked_page.status_code == 200 and 'name="_save"' not in locked_page.content.decode()
    assert admin_client.get(reverse("admin:worklog_proceduresession_changelist")).status_code == 200


def test_admin_delete_is_refused_while_sessions_are_active(admin_client, user, other_user, sop):
    from worklog.models import SOP

    active = services.start_procedure_session(worker=other_user, sop=sop)
    delete_url = reverse("admin:worklog_sop_delete", args=[sop.pk])
    for response in (admin_client.get(delete_url), admin_client.post(delete_url, {"post": "yes"})):
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:worklog_sop_change", args=[sop.pk])
    page = admin_client.get(reverse("admin:worklog_sop_change", args=[sop.pk])).content.decode()
    assert "cannot be deleted" in page and str(active.pk) in page and "Complete or cancel" in page
    bulk = admin_client.post(
        reverse("admin:worklog_sop_changelist"),
        {"action": "delete_selected", "_selected_action": [sop.pk], "post": "yes"},
        follow=True,
    )
    assert "Cannot delete SOP" in bulk.content.decode()
    assert f"{active} of {other_user}" in bulk.content.decode()
    assert SOP.objects.filter(pk=sop.pk).exists()
    services.cancel_procedure_session(session=active, user=other_user)
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not SOP.objects.filter(pk=sop.pk).exists()
