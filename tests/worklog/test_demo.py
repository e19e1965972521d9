import pytest

from worklog.demo import load_demo_data
from worklog.models import WorkSession

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
