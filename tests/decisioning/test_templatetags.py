import html
import json
import re

from django.template import Context, Template

from decisioning.templatetags.decisioning import outcome_badge


def render(source: str) -> str:
    return Template("{% load decisioning %}" + source).render(Context({}))


def test_idempotency_field_renders_a_fresh_key_each_time():
    first, second = render("{% idempotency_field %}"), render("{% idempotency_field %}")
    assert first.startswith('<input type="hidden" name="idempotency_key" value="')
    assert first != second


def test_idempotency_vals_is_valid_json_for_htmx():
    rendered = render("<button {% idempotency_vals %}>")
    value = re.search(r'hx-vals="([^"]*)"', rendered).group(1)
    assert set(json.loads(html.unescape(value))) == {"idempotency_key"}


def test_outcome_badge_falls_back_for_unknown_outcomes():
    assert "emerald" in outcome_badge("approved")
    assert outcome_badge("weird") == outcome_badge("pending")
