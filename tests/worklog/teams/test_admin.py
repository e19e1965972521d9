"""Teams and lock periods in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from worklog.teams.models import LockPeriod, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw-pw-pw-pw")
    client.force_login(root)
    return client


def test_an_administrator_sets_a_lock_period_and_keeps_its_history(root_client):
    url = reverse("admin:worklog_lockperiod_add")
    yesterday = timezone.localdate() - timedelta(days=1)
    for data in (
        {"locked_through": f"{yesterday}", "auto_lock_after_days": "", "reason": "Q3 closed"},
        {"locked_through": "", "auto_lock_after_days": "14", "reason": "Monthly payroll"},
    ):
        assert root_client.post(url, data).status_code == 302
    periods = list(LockPeriod.objects.order_by("set_at"))
    assert [(p.locked_through, p.auto_lock_after_days) for p in periods] == [
        (yesterday, None),
        (None, 14),
    ]
    assert periods[0].set_by.username == "root"
    future = timezone.localdate() + timedelta(days=2)
    response = root_client.post(url, {"locked_through": f"{future}", "reason": "too early"})
    assert response.status_code == 200
    assert "up to today at most" in response.content.decode()
    assert LockPeriod.objects.count() == 2
    change = reverse("admin:worklog_lockperiod_change", args=[periods[0].pk])
    assert "_save" not in root_client.get(change).content.decode()


def test_teams_are_managed_in_the_admin(root_client, user, other_user):
    response = root_client.post(
        reverse("admin:worklog_team_add"),
        {"name": "Field crew", "members": [user.pk], "managers": [other_user.pk]},
    )
    assert response.status_code == 302
    team = Team.objects.get()
    assert list(team.members.all()) == [user] and list(team.managers.all()) == [other_user]
    assert root_client.get(reverse("admin:worklog_timesheetweek_changelist")).status_code == 200
