import pytest

from tests.testapp.models import Widget
from worklog.targets import (
    TargetType,
    register_target_type,
    resolve_target,
    search_targets,
    target_types,
    unregister_target_type,
)

pytestmark = pytest.mark.django_db


def test_registered_type_is_listed_and_unregistered(widget_target_type):
    assert widget_target_type in target_types()
    unregister_target_type(Widget)
    assert widget_target_type not in target_types()


def test_search_matches_search_fields_case_insensitively(user, widget, widget_target_type):
    Widget.objects.create(name="Other thing")
    found = search_targets(user, "QUARTERLY")
    assert [target.object for target in found] == [widget]
    assert found[0].key == f"testapp.widget:{widget.pk}"
    assert found[0].type.label == "Widget"


def test_search_runs_one_query_per_type(user, widget_target_type, django_assert_num_queries):
    for index in range(30):
        Widget.objects.create(name=f"report {index}")
    with django_assert_num_queries(1):
        found = search_targets(user, "report", limit=20)
    assert len(found) == 20


def test_search_respects_visible_to(user, widget, empty_target_registry):
    register_target_type(TargetType(Widget, "Widget", ("name",), lambda u: Widget.objects.none()))
    try:
        assert search_targets(user, "quarterly") == []
        assert resolve_target(user, f"testapp.widget:{widget.pk}") is None
    finally:
        unregister_target_type(Widget)


@pytest.mark.parametrize("key", ["", "testapp.widget", "testapp.widget:not-a-uuid", "nope.model:1"])
def test_resolve_target_rejects_malformed_or_unknown_keys(user, widget_target_type, key):
    assert resolve_target(user, key) is None


def test_resolve_target_finds_visible_object(user, widget, widget_target_type):
    target = resolve_target(user, f"testapp.widget:{widget.pk}")
    assert target is not None and target.object == widget


def test_target_names_keep_the_names_of_hidden_and_soft_deleted_objects(
    user, widget, empty_target_registry, django_assert_num_queries
):
    """History keeps its targets' names: `visible_to` and soft deletion do not hide them, only
    a row gone from the table or an id that cannot name a row does."""
    from django.contrib.contenttypes.models import ContentType

    from worklog.targets import target_names

    register_target_type(TargetType(Widget, "Widget", ("name",), lambda u: Widget.objects.none()))
    soft_deleted = Widget.objects.create(name="Retired")
    soft_deleted.delete()
    gone = Widget.objects.create(name="Gone")
    gone.hard_delete()
    type_id = ContentType.objects.get_for_model(Widget).pk
    references = [
        (type_id, str(widget.pk)),
        (type_id, str(soft_deleted.pk)),
        (type_id, str(gone.pk)),
        (type_id, "not-a-uuid"),
        (None, ""),
    ]
    with django_assert_num_queries(1):
        names = target_names(references)
    assert {key: name.label for key, name in names.items()} == {
        (type_id, str(widget.pk)): str(widget),
        (type_id, str(soft_deleted.pk)): str(soft_deleted),
    }
    assert names[(type_id, str(widget.pk))].key == f"testapp.widget:{widget.pk}"
