from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.tasks import task_backends
from django.tasks.backends.dummy import DummyBackend
from django.urls import reverse
from django.utils import timezone

from decisioning.demo import load_demo_data
from decisioning.models import Decision, IdempotencyKey, IdempotencyStatus
from decisioning.services import purge_expired_idempotency_keys
from decisioning.tasks import purge_expired_idempotency_keys_task, schedule_purge

pytestmark = pytest.mark.django_db


def keys(**states):
    """Keys named after their state: expired/live/never x in_flight/completed/failed."""
    now = timezone.now()
    expiry = {"expired": now - timedelta(hours=1), "live": now + timedelta(hours=1), "never": None}
    for name, (when, status) in states.items():
        IdempotencyKey.objects.create(key=name, status=status, expires_at=expiry[when])


def test_purge_deletes_expired_keys_in_batches_but_never_in_flight_ones():
    for i in range(7):
        keys(**{f"done{i}": ("expired", IdempotencyStatus.COMPLETED)})
    keys(
        failed=("expired", IdempotencyStatus.FAILED),
        running=("expired", IdempotencyStatus.IN_FLIGHT),
        fresh=("live", IdempotencyStatus.COMPLETED),
        forever=("never", IdempotencyStatus.COMPLETED),
    )
    assert purge_expired_idempotency_keys(batch_size=3) == 8
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {
        "running",
        "fresh",
        "forever",
    }


def test_purge_keeps_decisions_that_referenced_the_key(user):
    keys(old=("expired", IdempotencyStatus.COMPLETED))
    decision = Decision.objects.create(
        target=user, decision_type="x", idempotency_key=IdempotencyKey.objects.get()
    )
    purge_expired_idempotency_keys()
    decision.refresh_from_db()
    assert decision.idempotency_key is None


def test_purge_command():
    keys(a=("expired", IdempotencyStatus.COMPLETED), b=("live", IdempotencyStatus.COMPLETED))
    out = StringIO()
    call_command("purge_idempotency_keys", "--batch-size", "10", stdout=out)
    assert "Deleted 1 expired idempotency key." in out.getvalue()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["b"]


def test_purge_task_runs_in_the_background_backend():
    keys(a=("expired", IdempotencyStatus.FAILED))
    result = purge_expired_idempotency_keys_task.enqueue()
    assert result.return_value == 1
    assert not IdempotencyKey.objects.exists()


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    return client


def test_idempotency_key_admin_is_read_only_with_filters(admin_client):
    keys(a=("expired", IdempotencyStatus.COMPLETED), b=("live", IdempotencyStatus.IN_FLIGHT))
    url = reverse("admin:decisioning_idempotencykey_changelist")
    assert admin_client.get(url).status_code == 200
    expired = admin_client.get(url, {"expiry": "expired"})
    assert [key.key for key in expired.context["cl"].result_list] == ["a"]
    in_flight = admin_client.get(url, {"status__exact": "in_flight"})
    assert [key.key for key in in_flight.context["cl"].result_list] == ["b"]
    assert admin_client.get(reverse("admin:decisioning_idempotencykey_add")).status_code == 403
    key = IdempotencyKey.objects.get(key="a")
    change = reverse("admin:decisioning_idempotencykey_change", args=[key.pk])
    assert admin_client.get(change).status_code == 200
    admin_client.post(change, {"key": "changed"})
    key.refresh_from_db()
    assert key.key == "a"


def test_idempotency_key_admin_purge_action(admin_client):
    keys(a=("expired", IdempotencyStatus.COMPLETED), b=("expired", IdempotencyStatus.IN_FLIGHT))
    url = reverse("admin:decisioning_idempotencykey_changelist")
    response = admin_client.post(
        url,
        {"action": "purge_expired", "_selected_action": [IdempotencyKey.objects.first().pk]},
        follow=True,
    )
    assert "Deleted 1 expired idempotency keys." in response.content.decode()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["b"]


def test_decision_admin_hides_deleted_by_default_and_restores(admin_client, user):
    alive = Decision.objects.create(target=user, decision_type="alive", reason="kept")
    gone = Decision.objects.create(target=user, decision_type="gone")
    gone.delete()
    url = reverse("admin:decisioning_decision_changelist")
    listed = admin_client.get(url).context["cl"].result_list
    assert list(listed) == [alive]
    deleted = admin_client.get(url, {"deleted": "yes"}).context["cl"].result_list
    assert list(deleted) == [gone]
    assert len(admin_client.get(url, {"deleted": "all"}).context["cl"].result_list) == 2
    assert list(admin_client.get(url, {"q": "kept"}).context["cl"].result_list) == [alive]
    admin_client.post(url + "?deleted=yes", {"action": "restore", "_selected_action": [gone.pk]})
    assert Decision.objects.filter(pk=gone.pk).exists()


def test_decision_admin_delete_is_soft_and_recorded_at_read_only(admin_client, user):
    decision = Decision.objects.create(target=user, decision_type="x")
    change = reverse("admin:decisioning_decision_change", args=[decision.pk])
    page = admin_client.get(change).content.decode()
    assert 'name="recorded_at"' not in page
    admin_client.post(
        reverse("admin:decisioning_decision_delete", args=[decision.pk]), {"post": "yes"}
    )
    assert Decision.all_objects.filter(pk=decision.pk, deleted_at__isnull=False).exists()
    url = reverse("admin:decisioning_decision_changelist")
    other = Decision.objects.create(target=user, decision_type="y")
    admin_client.post(url, {"action": "soft_delete", "_selected_action": [other.pk]})
    assert not Decision.objects.exists()
    assert Decision.all_objects.count() == 2


def test_demo_data_is_idempotent(user):
    load_demo_data(user)
    count = Decision.objects.count()
    load_demo_data(user)
    assert Decision.objects.count() == count == 5
    assert Decision.objects.filter(supersedes__isnull=False).count() == 1


def test_back_office_group_grants_seeing_every_decision(user, other_user):
    from decisioning.services import ensure_back_office_group

    Decision.objects.create(target=user, decision_type="x", decided_by=user)
    ensure_back_office_group().user_set.add(other_user)
    ensure_back_office_group()
    other_user = other_user.__class__.objects.get(pk=other_user.pk)
    assert Decision.objects.visible_to(other_user).count() == 1


# The periodic purge


@pytest.fixture
def dummy_backend():
    """A task backend that keeps what is enqueued (with its run_after) and runs nothing."""
    original = task_backends["default"]
    backend = DummyBackend(alias="default", params={})
    task_backends["default"] = backend
    yield backend
    task_backends["default"] = original


def test_purge_task_purges_and_reschedules_itself(dummy_backend, settings):
    settings.DECISIONING_PURGE_INTERVAL = timedelta(minutes=10)
    keys(a=("expired", IdempotencyStatus.COMPLETED))
    before = timezone.now()
    assert purge_expired_idempotency_keys_task.call(batch_size=50) == 1
    assert not IdempotencyKey.objects.filter(key="a").exists()
    [next_run] = dummy_backend.results
    assert next_run.task.func is purge_expired_idempotency_keys_task.func
    assert next_run.kwargs == {"batch_size": 50}
    assert before + timedelta(minutes=10) <= next_run.task.run_after
    assert next_run.task.run_after <= timezone.now() + timedelta(minutes=10)


def test_purge_task_reschedules_even_when_the_purge_fails(dummy_backend, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("decisioning.tasks.purge_expired_idempotency_keys", fail)
    with pytest.raises(RuntimeError):
        purge_expired_idempotency_keys_task.call()
    assert len(dummy_backend.results) == 1


def test_default_interval_is_an_hour(dummy_backend):
    purge_expired_idempotency_keys_task.call()
    [next_run] = dummy_backend.results
    delay = next_run.task.run_after - timezone.now()
    assert timedelta(minutes=59) < delay <= timedelta(hours=1)


def test_schedule_command_enqueues_the_first_run_once(dummy_backend):
    out = StringIO()
    call_command("purge_idempotency_keys", "--schedule", stdout=out)
    call_command("purge_idempotency_keys", "--schedule", stdout=out)
    assert "Scheduled the background purge" in out.getvalue()
    assert "already scheduled" in out.getvalue()
    [first_run] = dummy_backend.results
    assert first_run.task.run_after <= timezone.now()


def test_restarts_never_double_the_chain(dummy_backend, settings):
    settings.DECISIONING_PURGE_INTERVAL = timedelta(minutes=10)
    schedule_purge()
    # The first run reschedules; restarts meanwhile (the same slot) enqueue nothing more.
    purge_expired_idempotency_keys_task.call()
    schedule_purge()
    schedule_purge(run_after=timezone.now() + timedelta(minutes=10))
    assert len(dummy_backend.results) == 2


def test_backend_that_cannot_defer_runs_the_purge_once_without_rescheduling():
    # The tests' immediate backend runs a task inline: rescheduling there would never end.
    keys(a=("expired", IdempotencyStatus.COMPLETED))
    assert purge_expired_idempotency_keys_task.enqueue().return_value == 1
    assert schedule_purge() is None


@pytest.mark.parametrize("target_id", ["abc", "999999"])
def test_decision_admin_refuses_a_target_that_does_not_exist(admin_client, user, target_id):
    now = timezone.localtime()
    data = {
        "target_content_type": ContentType.objects.get_for_model(user).pk,
        "target_id": target_id,
        "decision_type": "access",
        "outcome": "approved",
        "effective_at_0": now.strftime("%Y-%m-%d"),
        "effective_at_1": now.strftime("%H:%M:%S"),
        "reason": "",
        "context": "{}",
        "evidence": "{}",
    }
    response = admin_client.post(reverse("admin:decisioning_decision_add"), data)
    assert response.status_code == 200
    assert "No such user" in str(response.context["adminform"].form.errors)
    assert not Decision.all_objects.exists()
    data["target_id"] = user.pk
    assert admin_client.post(reverse("admin:decisioning_decision_add"), data).status_code == 302
    assert Decision.objects.get().target == user
