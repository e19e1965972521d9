"""Template tags of decisioning: `{% load decisioning %}`, then

- `{% idempotency_field %}` inside any POST form whose view uses `idempotent_view`: a hidden
  field with a fresh Idempotency-Key, so a double click or a resubmission acts once;
- `{% idempotency_vals %}` on an element that posts by itself (`<button hx-post=...
  {% idempotency_vals %}>`): the same key as an `hx-vals` parameter. The key is fixed when the
  element is rendered, so the response must re-render the element (as a fragment swap does);
  otherwise a second, deliberate click would be replayed as the first;
- `{% decision_form target %}` on any object's page: the HTMX panel listing the decisions about
  `target` the user may see and a form to record one (effective time may be backdated).
  `{% decision_form target supersedes=decision %}` records a correction of `decision`.
"""

import json
import uuid

from django import template
from django.contrib.contenttypes.models import ContentType
from django.utils.html import format_html

from ..forms import DecisionForm
from ..http import IDEMPOTENCY_FIELD
from ..selectors import decisions_about, target_visible_to

register = template.Library()


@register.simple_tag
def idempotency_field():
    return format_html(
        '<input type="hidden" name="{}" value="{}">', IDEMPOTENCY_FIELD, uuid.uuid4()
    )


@register.simple_tag
def idempotency_vals():
    return format_html('hx-vals="{}"', json.dumps({IDEMPOTENCY_FIELD: str(uuid.uuid4())}))


def _correction_initial(supersedes) -> dict:
    if supersedes is None:
        return {}
    return {"supersedes": supersedes.pk, "decision_type": supersedes.decision_type}


def decision_form_context(request, target, *, form=None, supersedes=None) -> dict:
    """What the panel's form needs (the `decision-form` partial), without the list."""
    content_type = ContentType.objects.get_for_model(target)
    return {
        "request": request,
        "target": target,
        "content_type_id": content_type.pk,
        "panel_id": f"decisions-{content_type.pk}-{target.pk}",
        "form": form or DecisionForm(initial=_correction_initial(supersedes)),
        "supersedes": supersedes,
    }


def decision_panel_context(request, target, *, form=None, supersedes=None) -> dict:
    context = decision_form_context(request, target, form=form, supersedes=supersedes)
    context["decisions"] = decisions_about(request.user, target)
    return context


@register.inclusion_tag("decisioning/record_decision.html#decision-panel", takes_context=True)
def decision_form(context, target, supersedes=None):
    request = context["request"]
    if target is None or not target_visible_to(request.user, target):
        return {"hidden": True}
    return decision_panel_context(request, target, supersedes=supersedes)


OUTCOME_BADGES = {
    "approved": "bg-emerald-100 text-emerald-800 ring-emerald-200",
    "rejected": "bg-red-100 text-red-800 ring-red-200",
    "pending": "bg-slate-100 text-slate-700 ring-slate-200",
    "deferred": "bg-amber-100 text-amber-800 ring-amber-200",
    "escalated": "bg-violet-100 text-violet-800 ring-violet-200",
}


@register.filter
def outcome_badge(outcome: str) -> str:
    """Tailwind classes for an outcome's badge."""
    return OUTCOME_BADGES.get(outcome, OUTCOME_BADGES["pending"])
