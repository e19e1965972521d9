from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from worklog import WorkSession, start_session, stop_session
from worklog.models import EndReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, user):
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


CHANGELIST = reverse("admin:worklog_worksession_changelist")


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def test_changelist_filters_and_search(admin_client, user):
    start_session(user, started_at=ago(hours=2), notes="Quarterly numbers", session_type="review")
    stop_session(user, stopped_at=ago(hours=1))
    start_session(user, notes="Email")
    for query in [
        "",
        "?active=yes",
        "?active=no",
        "?session_type=review",
        "?deleted=yes",
        f"?user__id__exact={user.pk}",
        "?q=quarterly",
    ]:
        assert admin_client.get(CHANGELIST + query).status_code == 200, query
    assert admin_client.get(CHANGELIST + "?q=quarterly").context["cl"].result_count == 1
    assert admin_client.get(CHANGELIST + "?active=yes").context["cl"].result_count == 1


def test_stop_action_stops_through_the_service(admin_client, user):
    session = start_session(user, started_at=ago(minutes=30))
    response = admin_client.post(
        CHANGELIST, {"action": "stop_selected", "_selected_action": [str(session.pk)]}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert not session.is_active
    assert session.end_reason == EndReason.STOPPED
    assert session.duration_seconds == int(
        (session.stopped_at - session.started_at).total_seconds()
    )


def test_soft_deleted_sessions_are_listed_and_restorable(admin_client, user):
    session = start_session(user, started_at=ago(hours=2))
    stop_session(user, stopped_at=ago(hours=1))
    session.delete()
    response = admin_client.get(CHANGELIST + "?deleted=yes")
    assert response.context["cl"].result_count == 1
    admin_client.post(
        CHANGELIST, {"action": "restore_selected", "_selected_action": [str(session.pk)]}
    )
    assert WorkSession.objects.filter(pk=session.pk).exists()


def test_recorded_at_is_read_only(admin_client, user):
    session = start_session(user)
    response = admin_client.get(reverse("admin:worklog_worksession_change", args=[session.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "recorded_at" not in form.fields
    assert "started_at" in form.fields


def test_admin_edit_of_stop_recomputes_duration_and_refuses_stop_before_start(admin_client, user):
    session = start_session(user, started_at=ago(hours=3))
    stop_session(user, stopped_at=ago(hours=2))
    session.refresh_from_db()
    url = reverse("admin:worklog_worksession_change", args=[session.pk])
    local = timezone.localtime(session.started_at)
    data = {
        "user": user.pk,
        "target_content_type": "",
        "target_id": "",
        "session_type": "",
        "started_at_0": local.strftime("%Y-%m-%d"),
        "started_at_1": local.strftime("%H:%M:%S"),
        "stopped_at_0": (local + timedelta(minutes=30)).strftime("%Y-%m-%d"),
        "stopped_at_1": (local + timedelta(minutes=30)).strftime("%H:%M:%S"),
        "effective_at_0": local.strftime("%Y-%m-%d"),
        "effective_at_1": local.strftime("%H:%M:%S"),
        "notes": "",
        "metadata": "{}",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    session.refresh_from_db()
    assert session.duration_seconds == 1800
    assert session.end_reason == EndReason.CORRECTED
    earlier = local - timedelta(minutes=30)
    data["stopped_at_0"] = earlier.strftime("%Y-%m-%d")
    data["stopped_at_1"] = earlier.strftime("%H:%M:%S")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "The stop must not be before the start." in response.content.decode()


def test_admin_cannot_reopen_a_session_while_another_runs(admin_client, user):
    """Clearing the stop would make a second running session under the switch policy: a form
    error, not an IntegrityError."""
    session = start_session(user, started_at=ago(hours=3))
    stop_session(user, stopped_at=ago(hours=2))
    running = start_session(user, started_at=ago(hours=1))
    session.refresh_from_db()
    local = timezone.localtime(session.started_at)
    data = {
        "user": user.pk,
        "target_content_type": "",
        "target_id": "",
        "session_type": "",
        "started_at_0": local.strftime("%Y-%m-%d"),
        "started_at_1": local.strftime("%H:%M:%S"),
        "stopped_at_0": "",
        "stopped_at_1": "",
        "effective_at_0": local.strftime("%Y-%m-%d"),
        "effective_at_1": local.strftime("%H:%M:%S"),
        "notes": "",
        "metadata": "{}",
    }
    response = admin_client.post(
        reverse("admin:worklog_worksession_change", args=[session.pk]), data
    )
    assert response.status_code == 200
    assert "already running" in str(response.context["adminform"].form.errors)
    assert list(WorkSession.objects.active()) == [running]


@pytest.fixture
def timed_widget(user, widget_target_type):
    from tests.testapp.models import Widget

    widget = Widget.objects.create(name="Quarterly report")
    start_session(user, target=widget, started_at=ago(hours=3))
    stop_session(user, stopped_at=ago(hours=1, minutes=30))
    return widget


def test_changelist_names_the_target_and_shows_hours(admin_client, user, timed_widget):
    html = admin_client.get(CHANGELIST).content.decode()
    assert str(timed_widget) in html
    assert "testapp.widget:" not in html and "widget: " not in html
    assert ">1:30<" in html


def test_changelist_searches_target_names_and_users(admin_client, user, other_user, timed_widget):
    start_session(other_user, notes="Something else")
    assert admin_client.get(CHANGELIST, {"q": "Quarterly"}).context["cl"].result_count == 1
    assert admin_client.get(CHANGELIST, {"q": other_user.username}).context["cl"].result_count == 1


def test_change_form_picks_the_target_by_its_key(admin_client, user, timed_widget):
    from tests.testapp.models import Widget

    other = Widget.objects.create(name="Annual report")
    session = WorkSession.objects.get()
    url = reverse("admin:worklog_worksession_change", args=[session.pk])
    page = admin_client.get(url).content.decode()
    assert "data-target-picker" in page and str(timed_widget) in page
    local = lambda value: timezone.localtime(value)  # noqa: E731
    data = {
        "user": user.pk,
        "target_key": f"testapp.widget:{other.pk}",
        "session_type": "",
        "started_at_0": local(session.started_at).strftime("%Y-%m-%d"),
        "started_at_1": local(session.started_at).strftime("%H:%M:%S"),
        "stopped_at_0": local(session.stopped_at).strftime("%Y-%m-%d"),
        "stopped_at_1": local(session.stopped_at).strftime("%H:%M:%S"),
        "effective_at_0": local(session.effective_at).strftime("%Y-%m-%d"),
        "effective_at_1": local(session.effective_at).strftime("%H:%M:%S"),
        "notes": "",
        "metadata": "{}",
    }
    assert admin_client.post(url, {**data, "target_key": "testapp.widget:nope"}).status_code == 200
    session.refresh_from_db()
    assert session.target == timed_widget
    assert admin_client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert session.target == other
    assert admin_client.post(url, {**data, "target_key": ""}).status_code == 302
    session.refresh_from_db()
    assert session.target_content_type is None and session.target_id == ""
