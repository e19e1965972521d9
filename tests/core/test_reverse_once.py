"""`{% load reverse_once %}`'s `{% url %}` and `reversed_url` give exactly Django's URLs and
errors, across script prefixes, argument types and names that do not reverse."""

from uuid import uuid4

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.reverse_once import reversed_url


@pytest.mark.parametrize(
    ("view_name", "args"),
    [
        ("worklog:dashboard", ()),
        ("worklog:session-edit", (uuid4(),)),
        ("worklog:team-member-week", (uuid4(), 42)),
        ("decisioning:record-decision", (7, "some id & more")),
        ("decisioning:record-decision", (0, "plain")),
    ],
)
def test_reversed_url_is_djangos_url(view_name, args):
    assert reversed_url(view_name, args=args) == reverse(view_name, args=args)
    # The second time comes from the remembered shape.
    other = tuple(uuid4() if hasattr(arg, "hex") else arg for arg in args)
    assert reversed_url(view_name, args=other) == reverse(view_name, args=other)


def test_the_script_prefix_is_part_of_the_shape():
    pk = uuid4()
    plain = reversed_url("worklog:session-edit", args=(pk,))
    try:
        set_script_prefix("/under/")
        assert reversed_url("worklog:session-edit", args=(pk,)) == f"/under{plain}"
    finally:
        set_script_prefix("/")
    assert reversed_url("worklog:session-edit", args=(pk,)) == plain


@pytest.mark.parametrize(
    "args",
    [(), (12,), (-1,), ("not-a-uuid",), (uuid4(), uuid4())],
)
def test_arguments_a_pattern_refuses_raise_as_django_does(args):
    with pytest.raises(NoReverseMatch):
        reverse("worklog:session-edit", args=args)
    with pytest.raises(NoReverseMatch):
        reversed_url("worklog:session-edit", args=args)


def test_the_tag_renders_as_djangos_url_tag():
    pk = uuid4()
    source = (
        "{% url 'worklog:session-edit' pk %}|{% url 'worklog:dashboard' %}"
        "|{% url 'no-such-name' as missing %}[{{ missing }}]"
    )
    ours = Template("{% load reverse_once %}" + source).render(Context({"pk": pk}))
    assert ours == Template(source).render(Context({"pk": pk}))
    assert ours == f"/timer/sessions/{pk}/edit/|/|[]"
