from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from catalog.access import BACK_OFFICE_GROUP, MANAGERS_GROUP, ensure_groups
from catalog.models import CatalogItem
from catalog.services import add_item, commit_basket, create_basket


@pytest.fixture
def owner(user):
    """Whoever offers the catalog's items; any model instance will do."""
    return user


@pytest.fixture
def make_item(owner):
    def make(name="Blood test", **fields):
        fields.setdefault("unit_price", Decimal("50.00"))
        return CatalogItem.objects.create(owner=owner, name=name, **fields)

    return make


@pytest.fixture
def catalog_item(make_item):
    return make_item("Blood test", code="LAB-001", category="laboratory")


@pytest.fixture
def basket(user):
    return create_basket(created_by=user)


@pytest.fixture
def line(basket, catalog_item):
    return add_item(basket, catalog_item, quantity=3)


@pytest.fixture
def committed_line(basket, line, user):
    commit_basket(basket, committed_by=user, work_types=["prepare", "deliver"])
    return line


def _in_group(user, name):
    ensure_groups()
    user.groups.add(Group.objects.get(name=name))
    # Permissions are cached per instance.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def back_office_user(django_user_model):
    user = django_user_model.objects.create_user(username="carol", password="x")
    return _in_group(user, BACK_OFFICE_GROUP)


@pytest.fixture
def manager_user(django_user_model):
    user = django_user_model.objects.create_user(username="dave", password="x")
    return _in_group(user, MANAGERS_GROUP)
