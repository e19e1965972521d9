import pytest

from tests.testapp.models import Widget
from worklog import targets
from worklog.targets import TargetType, register_target_type


@pytest.fixture
def empty_target_registry(monkeypatch):
    """No target types registered (whatever the project's apps register), for one test."""
    monkeypatch.setattr(targets, "_registry", {})


@pytest.fixture
def widget_target_type(empty_target_registry):
    """Widgets as the only thing a user can time, for the length of one test."""
    target_type = TargetType(
        model=Widget,
        label="Widget",
        search_fields=("name",),
        visible_to=lambda user: Widget.objects.all(),
    )
    register_target_type(target_type)
    return target_type


@pytest.fixture
def widget(db):
    return Widget.objects.create(name="Quarterly report")
