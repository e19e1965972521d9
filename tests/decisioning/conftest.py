import pytest
from django.contrib.auth.models import Group, Permission

from decisioning.models import Decision
from tests.testapp_decisioning.models import Ticket


@pytest.fixture
def back_office_group(db):
    group = Group.objects.create(name="Back office")
    group.permissions.add(Permission.objects.get(codename="view_all_decisions"))
    return group


@pytest.fixture
def back_office_user(django_user_model, back_office_group):
    user = django_user_model.objects.create_user(username="carol", password="x")
    user.groups.add(back_office_group)
    return user


@pytest.fixture
def ticket(user):
    return Ticket.objects.create(title="Refund for order 42", owner=user)


@pytest.fixture
def decision(ticket, user):
    return Decision.objects.create(
        target=ticket, decision_type="refund", outcome="approved", decided_by=user, reason="ok"
    )
