import csv
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from . import selectors, services
from .forms import DecisionFilterForm, DecisionForm
from .http import idempotent_view
from .models import Decision
from .templatetags.decisioning import decision_form_context, decision_panel_context

PAGE_SIZE = 25
EXPORT_CHUNK = 500


def _filtered_log(request: HttpRequest):
    """The filter form and, when it is valid, the decisions it selects (newest first)."""
    visible = Decision.objects.visible_to(request.user)
    form = DecisionFilterForm(request.GET or None, visible_decisions=visible)
    if request.GET and not form.is_valid():
        return form, None
    decisions = form.filter(visible) if form.is_bound else visible
    as_of = form.cleaned_data.get("as_of") if form.is_bound else None
    known_at = form.cleaned_data.get("known_at") if form.is_bound else None
    # A row is superseded only once its correction has taken effect, and was known, by then.
    corrections = Decision.objects.filter(supersedes=OuterRef("pk"))
    if as_of:
        corrections = corrections.filter(effective_at__lte=as_of)
    if known_at:
        corrections = corrections.filter(recorded_at__lte=known_at)
    return form, decisions.annotate(is_superseded=Exists(corrections)).for_log()


@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    form, decisions = _filtered_log(request)
    context = {"form": form, "is_back_office": selectors.is_back_office(request.user)}
    status = 200
    if decisions is None:
        status = 400
    else:
        page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(page=page, query=query.urlencode())
    return render(request, "decisioning/decision_list.html", context, status=status)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (user text such as reasons)."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


@require_GET
def decision_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV, streamed row by row in chunks rather than built in memory."""
    form, decisions = _filtered_log(request)
    if decisions is None:
        problems = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
        )
        return HttpResponse(f"Invalid filter: {problems}", status=400, content_type="text/plain")
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(
            [
                "id",
                "effective_at",
                "recorded_at",
                "decision_type",
                "outcome",
                "target_type",
                "target_id",
                "target",
                "decided_by",
                "reason",
                "supersedes",
            ]
        )
        for decision in decisions.iterator(chunk_size=EXPORT_CHUNK):
            yield writer.writerow(
                [
                    decision.pk,
                    decision.effective_at.isoformat(),
                    decision.recorded_at.isoformat(),
                    _cell(decision.decision_type),
                    decision.outcome,
                    decision.target_content_type.model,
                    _cell(decision.target_id),
                    _cell(decision.target_repr),
                    decision.decided_by.get_username() if decision.decided_by else "",
                    _cell(decision.reason),
                    decision.supersedes_id or "",
                ]
            )

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return StreamingHttpResponse(
        rows(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="decisions-{stamp}.csv"'},
    )


@require_GET
def decision_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    decision = selectors.get_visible_decision(request.user, pk)
    corrections = list(
        Decision.objects.visible_to(request.user)
        .filter(supersedes=decision)
        .select_related("decided_by")
    )
    target = decision.target
    can_correct = (
        target is not None
        and selectors.target_visible_to(request.user, target)
        and not decision.superseded_by.exists()
    )
    return render(
        request,
        "decisioning/decision_detail.html",
        {
            "decision": decision,
            "target": target,
            "corrections": corrections,
            "can_correct": can_correct,
        },
    )


@require_GET
def decision_target(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The decision's target's page. The log links here rather than to the target itself, so
    that listing decisions never loads their targets: one is resolved when it is followed."""
    decision = selectors.get_visible_decision(request.user, pk)
    target = decision.target
    if (
        target is None
        or not selectors.target_visible_to(request.user, target)
        or not hasattr(target, "get_absolute_url")
    ):
        raise Http404("That object no longer exists, has no page, or is not yours to see.")
    return redirect(target.get_absolute_url())


@require_POST
@idempotent_view
def record_decision(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """Record a decision about any object the user may see (see selectors); for HTMX the
    answer is a fresh form and the new row for the panel's list (or the form with its errors),
    for a plain form a redirect back to the object's page."""
    target = selectors.get_visible_target(
        request.user, content_type_id=content_type_id, object_id=object_id
    )
    form = DecisionForm(
        request.POST, visible_decisions=Decision.objects.visible_to(request.user).for_target(target)
    )
    if form.is_valid():
        try:
            decision = services.record_decision(
                target=target, decided_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.SupersedeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Decision recorded: {decision.decision_type}, "
                f"{decision.get_outcome_display().lower()}.",
            )
            if decision.supersedes_id:
                if request.htmx:
                    return HttpResponseClientRedirect(decision.get_absolute_url())
                return redirect(decision)
            if request.htmx:
                return _decision_recorded(request, target, decision, form.cleaned_data)
            return redirect(getattr(target, "get_absolute_url", decision.get_absolute_url)())
    supersedes = form.cleaned_data.get("supersedes")
    if request.htmx:
        context = decision_form_context(request, target, form=form, supersedes=supersedes)
        return render(
            request, "decisioning/record_decision.html#decision-form", context, status=422
        )
    context = decision_panel_context(request, target, form=form, supersedes=supersedes)
    return render(request, "decisioning/record_decision.html", context, status=422)


def _decision_recorded(
    request: HttpRequest, target, decision: Decision, data: dict
) -> HttpResponse:
    """A fresh form, and the new decision on top of the panel's list: it is the latest unless
    it was backdated, in which case the whole list is sent again, in its order."""
    context = decision_form_context(request, target)
    if data.get("effective_at"):
        context.update(whole_list=True, decisions=selectors.decisions_about(request.user, target))
    else:
        context["decision"] = decision
    return render(request, "decisioning/record_decision.html#decision-recorded", context)
