"""Permission checks read a user's own and group permissions in one query, with Django's
model backend's answers."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from core.auth_backends import PermissionBackend
from core.models import User

pytestmark = pytest.mark.django_db


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="catalog", codename=codename)


@pytest.fixture
def member():
    """A user with one permission of their own and two through a group (one shared)."""
    user = User.objects.create_user("member")
    user.user_permissions.add(_permission("view_all_baskets"))
    group = Group.objects.create(name="Dispensers")
    group.permissions.add(_permission("add_dispenselog"), _permission("view_all_baskets"))
    user.groups.add(group)
    return user


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache


def test_all_permissions_equal_the_model_backends(member):
    expected = ModelBackend().get_all_permissions(_fresh(member))
    assert PermissionBackend().get_all_permissions(_fresh(member)) == expected
    assert expected == {"catalog.view_all_baskets", "catalog.add_dispenselog"}


def test_permission_checks_of_a_request_cost_one_query(member, django_assert_num_queries):
    user = _fresh(member)
    with django_assert_num_queries(1):
        assert user.has_perm("catalog.add_dispenselog")
        assert user.has_perm("catalog.view_all_baskets")
        assert not user.has_perm("catalog.change_catalogitem")


def test_a_user_without_permissions_has_none(django_assert_num_queries):
    user = _fresh(User.objects.create_user("nobody"))
    with django_assert_num_queries(1):
        assert not user.has_perm("catalog.view_all_baskets")
        assert not user.has_module_perms("catalog")


def test_inactive_users_have_no_permissions(member, django_assert_num_queries):
    member.is_active = False
    member.save()
    user = _fresh(member)
    with django_assert_num_queries(0):
        assert not user.has_perm("catalog.add_dispenselog")


def test_superusers_have_every_permission(admin_user):
    user = _fresh(admin_user)
    assert PermissionBackend().get_all_permissions(user) == {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
