import pytest

from worklog.demo import load_demo_data
from worklog.models import Client, Task, WorkLog, WorkLogPreset, WorkSession

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent(user):
    load_demo_data(user)
    count = WorkSession.objects.count()
    load_demo_data(user)
    assert WorkSession.objects.count() == count
    for session in WorkSession.objects.all():
        assert session.duration_seconds == int(
            (session.stopped_at - session.started_at).total_seconds()
        )


def test_demo_journal_is_idempotent(user):
    load_demo_data(user)
    load_demo_data(user)
    assert Client.objects.filter(user=user).count() == 1
    assert Task.objects.for_user(user).count() == 1
    assert WorkLogPreset.objects.filter(user=user).count() == 1
    logs = WorkLog.objects.filter(user=user)
    assert logs.count() == 3
    card = logs.get(task__isnull=False)
    assert card.client.name == "Northwind Traders"
