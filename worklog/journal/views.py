"""The work journal's pages: the list of work logs by day or week, quick entry and editing,
a log's page (links, attachments, enrichment review), the hierarchy, presets and reports.

Views parse input, call one service and render; an HTMX request gets the named partial of the
page's template. Invalid input answers 422 (400 for a bad list filter) with the form's errors
and changes nothing; another user's objects are 404."""

import functools
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.charts import BarChart, bar_chart
from core.display import duration_words
from core.validators import supported_date_problem
from decisioning.http import idempotent_view
from worklog.journal import enrichment, reports, selectors, services
from worklog.journal.exceptions import WorkLogFinalError
from worklog.journal.forms import (
    AttachmentForm,
    BulletForm,
    ExternalLinkForm,
    NodeForm,
    PresetForm,
    ReportForm,
    SignalForm,
    WorkLogFilterForm,
    WorkLogForm,
    node_edit_form,
    parse_uuid,
)
from worklog.journal.models import (
    Attachment,
    SignalSource,
    SignalStatus,
    WorkLog,
    WorkLogBullet,
    WorkLogExternalLink,
    WorkLogSkillSignal,
)
from worklog.timer.models import WorkSession

LIST_TEMPLATE = "worklog/journal/list.html"
# The status buttons a log's page offers, by its status: final is left by reopening or archiving.
STATUS_ACTIONS = {
    "draft": (("final", "Mark final"), ("archived", "Archive")),
    "ready": (("final", "Mark final"), ("archived", "Archive")),
    "final": (("draft", "Reopen"), ("archived", "Archive")),
    "archived": (("draft", "Unarchive"),),
}
ENTRY_TEMPLATE = "worklog/journal/entry.html"
DETAIL_TEMPLATE = "worklog/journal/detail.html"


def _form_errors_into(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def _period_of(request: HttpRequest) -> tuple[str, date, str]:
    """The list's `view` (day or week) and `date`, and what is wrong with them if anything:
    a bad value shows this week, saying so."""
    view, value, problems = request.GET.get("view") or "week", request.GET.get("date"), []
    if view not in ("day", "week"):
        problems.append(f"“{view}” is not a view: show a day or a week.")
        view = "week"
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        problems.append(f"“{value}” is not a date: use YYYY-MM-DD.")
        day = timezone.localdate()
    if unsupported := supported_date_problem(day):
        problems.append(unsupported)
        day = timezone.localdate()
    return view, day, " ".join(problems)


@require_GET
def journal(request: HttpRequest) -> HttpResponse:
    """Work logs of one day or one week (`?view=day|week&date=YYYY-MM-DD`), filtered."""
    view, day, period_error = _period_of(request)
    start, end = (day, day) if view == "day" else selectors.week_of(day)
    filter_data = {
        key: value for key, value in request.GET.items() if key not in ("view", "date", "undo")
    }
    form = WorkLogFilterForm(filter_data or None, user=request.user)
    status = 200
    worklogs = selectors.worklogs_for(request.user).in_period(start, end)
    if period_error or (form.is_bound and not form.is_valid()):
        status, worklogs = 400, worklogs.none()
    else:
        # Unfiltered, the list still leaves archived logs out.
        worklogs = selectors.filter_worklogs(worklogs, form.filters())
    rows = list(worklogs.order_by("-occurred_on", "-created_at"))
    step = timedelta(days=1 if view == "day" else 7)
    undo = None
    if request.GET.get("undo"):
        undo = (
            WorkLog.all_objects.for_user(request.user)
            .deleted()
            .filter(pk=parse_uuid(request.GET["undo"]))
            .first()
        )
    query = request.GET.copy()
    for key in ("date", "undo"):
        query.pop(key, None)
    context = {
        "form": form,
        "period_error": period_error,
        "view": view,
        "day": day,
        "start": start,
        "end": end,
        "previous_day": day - step,
        "next_day": day + step,
        "groups": selectors.group_by_day(rows, start, end),
        "total_minutes": sum(worklog.effort_minutes for worklog in rows),
        "count": len(rows),
        "query": query.urlencode(),
        "undo": undo,
    }
    template = f"{LIST_TEMPLATE}#worklog-list" if request.htmx else LIST_TEMPLATE
    return render(request, template, context, status=status)


def _entry_initial(request: HttpRequest) -> dict:
    """Quick-entry values from `?preset=` or `?session=`; 404 for another user's."""
    if request.GET.get("preset"):
        preset = get_object_or_404(
            selectors.presets_for(request.user), pk=parse_uuid(request.GET["preset"])
        )
        return services.preset_initial(preset)
    if request.GET.get("session"):
        session = get_object_or_404(
            WorkSession.objects.for_user(request.user).completed(),
            pk=parse_uuid(request.GET["session"]),
        )
        return services.session_draft_initial(session)
    return {}


def _picker_url() -> str:
    return reverse("worklog:journal-pickers")


@require_http_methods(["GET", "POST"])
@idempotent_view
def entry(request: HttpRequest) -> HttpResponse:
    """Quick entry of a work log, optionally prefilled from a preset or a timer session."""
    if request.method == "POST":
        form = WorkLogForm(request.POST, user=request.user, picker_url=_picker_url())
        if form.is_valid():
            source, source_ref = services.source_for(
                preset_id=form.cleaned_data["preset"], session_id=form.cleaned_data["session"]
            )
            try:
                worklog = services.create_worklog(
                    request.user, source=source, source_ref=source_ref, **form.worklog_fields()
                )
            except ValidationError as error:
                _form_errors_into(form, error)
            else:
                messages.success(request, "Work log saved.")
                return redirect("worklog:journal-detail", pk=worklog.pk)
        return render(request, ENTRY_TEMPLATE, _entry_context(request, form), status=422)
    form = WorkLogForm(initial=_entry_initial(request), user=request.user, picker_url=_picker_url())
    return render(request, ENTRY_TEMPLATE, _entry_context(request, form))


def _entry_context(request: HttpRequest, form: WorkLogForm, worklog: WorkLog | None = None):
    return {
        "form": form,
        "worklog": worklog,
        "presets": selectors.presets_for(request.user).filter(is_active=True),
    }


@require_GET
def pickers(request: HttpRequest) -> HttpResponse:
    """The hierarchy pickers, re-narrowed after one of them changed."""
    chosen = {
        name: parse_uuid(request.GET.get(name)) for name, _selector, _parent in WorkLogForm.PICKERS
    }
    initial = selectors.picker_choices(request.user, chosen, request.GET.get("changed", ""))
    form = WorkLogForm(initial=initial, user=request.user, picker_url=_picker_url())
    return render(request, f"{ENTRY_TEMPLATE}#pickers", {"form": form})


def _own_worklog(request: HttpRequest, pk) -> WorkLog:
    return get_object_or_404(selectors.worklog_detail(request.user), pk=pk)


def _detail_context(request: HttpRequest, worklog: WorkLog, **extra) -> dict:
    return {
        "worklog": worklog,
        "link_form": extra.pop("link_form", None) or ExternalLinkForm(),
        "attachment_form": extra.pop("attachment_form", None) or AttachmentForm(),
        "bullet_form": extra.pop("bullet_form", None) or BulletForm(),
        "signal_form": extra.pop("signal_form", None) or SignalForm(),
        "manual_source": SignalSource.MANUAL,
        "attachment_types": ", ".join(services.allowed_attachment_types()),
        "review_choices": (("accept", "Accept"), ("reject", "Reject")),
        "move_choices": (("up", "↑ Up"), ("down", "↓ Down")),
        "status_actions": STATUS_ACTIONS[worklog.status],
        **extra,
    }


def refusing_final(partial: str | None = None):
    """A change refused because the log is final answers 409 with the log's page, or for an
    HTMX request the named partial of it (a message saying to reopen it swapped in)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except WorkLogFinalError as error:
                messages.error(request, str(error))
                worklog = _own_worklog(request, error.worklog.pk)
                template = DETAIL_TEMPLATE
                if request.htmx and partial:
                    template = f"{DETAIL_TEMPLATE}#{partial}"
                context = _detail_context(request, worklog, oob_messages=bool(request.htmx))
                return render(request, template, context, status=409)

        return wrapper

    return decorator


@require_GET
def detail(request: HttpRequest, pk) -> HttpResponse:
    """The log's page; an HTMX request (the poll while enrichment is queued) gets the
    enrichment section."""
    worklog = _own_worklog(request, pk)
    template = f"{DETAIL_TEMPLATE}#enrichment" if request.htmx else DETAIL_TEMPLATE
    return render(request, template, _detail_context(request, worklog))


@require_http_methods(["GET", "POST"])
@idempotent_view
@refusing_final()
def edit(request: HttpRequest, pk) -> HttpResponse:
    worklog = _own_worklog(request, pk)
    if request.method == "GET" and worklog.is_final:
        messages.info(request, f"“{worklog}” is final: reopen it to change it.")
        return redirect("worklog:journal-detail", pk=worklog.pk)
    if request.method == "POST":
        form = WorkLogForm(request.POST, user=request.user, picker_url=_picker_url())
        if form.is_valid():
            try:
                services.update_worklog(worklog, **form.worklog_fields())
            except ValidationError as error:
                _form_errors_into(form, error)
            else:
                messages.success(request, "Work log updated.")
                return redirect("worklog:journal-detail", pk=worklog.pk)
        return render(request, ENTRY_TEMPLATE, _entry_context(request, form, worklog), status=422)
    initial = {
        field: getattr(worklog, field)
        for field in (
            "title",
            "content",
            "occurred_on",
            "effort_minutes",
            "work_type",
            "status",
            "is_billable",
            "outcome",
            "impact",
            "next_steps",
        )
    }
    initial["tags"] = ", ".join(worklog.tags)
    initial.update({name: getattr(worklog, f"{name}_id") for name, _s, _p in WorkLogForm.PICKERS})
    form = WorkLogForm(initial=initial, user=request.user, picker_url=_picker_url())
    return render(request, ENTRY_TEMPLATE, _entry_context(request, form, worklog))


STATUS_DONE = {
    "draft": "“{}” is a draft again: it can be changed.",
    "ready": "“{}” is ready.",
    "final": "“{}” is final: read only until you reopen it.",
    "archived": "“{}” is archived: hidden from the journal and from reports unless asked for.",
}


@require_POST
@idempotent_view
@refusing_final()
def change_status(request: HttpRequest, pk) -> HttpResponse:
    """Finalise, reopen, archive or unarchive a log."""
    worklog = _own_worklog(request, pk)
    try:
        worklog = services.change_status(worklog, request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, DETAIL_TEMPLATE, _detail_context(request, worklog), status=422)
    messages.success(request, STATUS_DONE[worklog.status].format(worklog))
    return redirect("worklog:journal-detail", pk=worklog.pk)


@require_POST
@idempotent_view
@refusing_final()
def delete(request: HttpRequest, pk) -> HttpResponse:
    worklog = _own_worklog(request, pk)
    services.delete_worklog(worklog)
    messages.success(request, "Work log deleted.")
    return redirect(
        f"{reverse('worklog:journal')}?date={worklog.occurred_on.isoformat()}&undo={worklog.pk}"
    )


@require_POST
@idempotent_view
def restore(request: HttpRequest, pk) -> HttpResponse:
    worklog = get_object_or_404(WorkLog.all_objects.for_user(request.user).deleted(), pk=pk)
    services.restore_worklog(worklog)
    messages.success(request, "Work log restored.")
    return redirect("worklog:journal-detail", pk=worklog.pk)


def _detail_fragment(request: HttpRequest, worklog: WorkLog, partial: str, status=200, **extra):
    """The answer to a change of one part of the log: the part again for HTMX; the page after
    a redirect for a plain form, or right away when the change was refused."""
    if not request.htmx and status < 400:
        return redirect("worklog:journal-detail", pk=worklog.pk)
    return _detail_page(request, worklog, partial, status=status, **extra)


def _detail_page(request: HttpRequest, worklog: WorkLog, partial: str, status=200, **extra):
    """The log's page, or for HTMX its `partial`, read again after a change."""
    worklog = _own_worklog(request, worklog.pk)
    template = f"{DETAIL_TEMPLATE}#{partial}" if request.htmx else DETAIL_TEMPLATE
    context = _detail_context(request, worklog, oob_messages=bool(request.htmx), **extra)
    return render(request, template, context, status=status)


@require_POST
@idempotent_view
@refusing_final("links")
def add_link(request: HttpRequest, pk) -> HttpResponse:
    worklog = _own_worklog(request, pk)
    form = ExternalLinkForm(request.POST)
    if form.is_valid():
        try:
            services.add_external_link(worklog, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_into(form, error)
        else:
            return _detail_fragment(request, worklog, "links")
    return _detail_fragment(request, worklog, "links", status=422, link_form=form)


@require_POST
@idempotent_view
@refusing_final("attachments")
def add_attachment(request: HttpRequest, pk) -> HttpResponse:
    worklog = _own_worklog(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(
                worklog,
                uploaded_by=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            _form_errors_into(form, error)
        else:
            messages.success(request, "File attached.")
            return _detail_fragment(request, worklog, "attachments")
    return _detail_fragment(request, worklog, "attachments", status=422, attachment_form=form)


@require_POST
@idempotent_view
@refusing_final("links")
def delete_link(request: HttpRequest, pk) -> HttpResponse:
    link = get_object_or_404(
        WorkLogExternalLink.objects.filter(worklog__user=request.user).select_related("worklog"),
        pk=pk,
    )
    services.delete_external_link(link)
    return _detail_fragment(request, link.worklog, "links")


@require_POST
@idempotent_view
@refusing_final("attachments")
def delete_attachment(request: HttpRequest, pk) -> HttpResponse:
    attachment = get_object_or_404(
        Attachment.objects.filter(worklog__user=request.user).select_related("worklog"), pk=pk
    )
    services.delete_attachment(attachment)
    return _detail_fragment(request, attachment.worklog, "attachments")


@require_GET
def download_attachment(request: HttpRequest, pk) -> HttpResponse:
    """The file, to its owner only, always as a download (never rendered inline), streamed
    through the app from whichever storage holds it: object storage needs no public endpoint,
    and these headers are ours on every backend."""
    attachment = get_object_or_404(
        Attachment.objects.filter(worklog__user=request.user, worklog__deleted_at__isnull=True),
        pk=pk,
    )
    try:
        handle = default_storage.open(attachment.object_key, "rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage.") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=services.attachment_content_type(attachment),
    )
    # Streamed from object storage, the file comes without a size of its own.
    response.setdefault("Content-Length", str(attachment.size_bytes))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@idempotent_view
@refusing_final("enrichment")
def enrich(request: HttpRequest, pk) -> HttpResponse:
    worklog = _own_worklog(request, pk)
    enrichment.request_enrichment(worklog)
    return _detail_fragment(request, worklog, "enrichment")


@require_POST
@idempotent_view
@refusing_final("enrichment")
def reject_suggestions(request: HttpRequest, pk) -> HttpResponse:
    worklog = _own_worklog(request, pk)
    enrichment.reject_enrichment(worklog)
    return _detail_fragment(request, worklog, "enrichment")


REVIEW_DECISIONS = {"accept": SignalStatus.ACCEPTED, "reject": SignalStatus.REJECTED}


@require_POST
@idempotent_view
@refusing_final("enrichment")
def review_signal(request: HttpRequest, pk) -> HttpResponse:
    signal = get_object_or_404(
        WorkLogSkillSignal.objects.filter(worklog__user=request.user).select_related("worklog"),
        pk=pk,
    )
    decision = REVIEW_DECISIONS.get(request.POST.get("decision", ""))
    if decision is None:
        return HttpResponse("Accept or reject.", status=400)
    enrichment.review_signal(signal, status=decision)
    return _detail_fragment(request, signal.worklog, "enrichment")


@require_POST
@idempotent_view
@refusing_final("enrichment")
def review_bullet(request: HttpRequest, pk) -> HttpResponse:
    """Accept or reject a bullet (`decision`), or (de)select it for reports (`select`)."""
    bullet = get_object_or_404(
        WorkLogBullet.objects.filter(worklog__user=request.user).select_related("worklog"),
        pk=pk,
    )
    decision = REVIEW_DECISIONS.get(request.POST.get("decision", ""))
    select = request.POST.get("select")
    try:
        if decision is not None:
            enrichment.review_bullet(bullet, status=decision)
        elif select in ("yes", "no"):
            enrichment.select_bullet(bullet, selected=select == "yes")
        else:
            return HttpResponse("Accept, reject, select or deselect.", status=400)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail_fragment(request, bullet.worklog, "enrichment", status=422)
    return _detail_fragment(request, bullet.worklog, "enrichment")


@require_POST
@idempotent_view
@refusing_final("enrichment")
def add_bullet(request: HttpRequest, pk) -> HttpResponse:
    worklog = _own_worklog(request, pk)
    form = BulletForm(request.POST)
    if form.is_valid():
        try:
            enrichment.add_bullet(worklog, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_into(form, error)
        else:
            return _detail_fragment(request, worklog, "enrichment")
    return _detail_fragment(request, worklog, "enrichment", status=422, bullet_form=form)


def _own_bullet(request: HttpRequest, pk) -> WorkLogBullet:
    return get_object_or_404(
        WorkLogBullet.objects.filter(
            worklog__user=request.user, worklog__deleted_at__isnull=True
        ).select_related("worklog"),
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@idempotent_view
@refusing_final("enrichment")
def bullet_edit(request: HttpRequest, pk) -> HttpResponse:
    """The log's page with one bullet's form in its place: text, kind and metrics."""
    bullet = _own_bullet(request, pk)
    form = BulletForm(
        request.POST or None,
        initial={"text": bullet.text, "kind": bullet.kind, "metrics": bullet.metrics},
        auto_id="id_edited_bullet_%s",  # the form adding a bullet is on the page too
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                enrichment.update_bullet(bullet, **form.cleaned_data)
            except WorkLogFinalError:
                raise
            except ValidationError as error:
                _form_errors_into(form, error)
            else:
                return _detail_fragment(request, bullet.worklog, "enrichment")
        status = 422
    extra = {"editing_bullet": bullet.pk, "bullet_edit_form": form}
    return _detail_page(request, bullet.worklog, "enrichment", status=status, **extra)


@require_POST
@idempotent_view
@refusing_final("enrichment")
def bullet_move(request: HttpRequest, pk) -> HttpResponse:
    bullet = _own_bullet(request, pk)
    try:
        enrichment.move_bullet(bullet, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail_fragment(request, bullet.worklog, "enrichment", status=422)
    return _detail_fragment(request, bullet.worklog, "enrichment")


@require_POST
@idempotent_view
@refusing_final("enrichment")
def signal_add(request: HttpRequest, pk) -> HttpResponse:
    """A skill the user names, on their own log."""
    worklog = _own_worklog(request, pk)
    form = SignalForm(request.POST)
    if form.is_valid():
        try:
            enrichment.add_skill_signal(worklog, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_into(form, error)
        else:
            return _detail_fragment(request, worklog, "enrichment")
    return _detail_fragment(request, worklog, "enrichment", status=422, signal_form=form)


def _own_manual_signal(request: HttpRequest, pk) -> WorkLogSkillSignal:
    return get_object_or_404(
        WorkLogSkillSignal.objects.filter(
            worklog__user=request.user,
            worklog__deleted_at__isnull=True,
            source=SignalSource.MANUAL,
        ).select_related("worklog"),
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@idempotent_view
@refusing_final("enrichment")
def signal_edit(request: HttpRequest, pk) -> HttpResponse:
    """The log's page with one of the user's own skills in a form, in its place."""
    signal = _own_manual_signal(request, pk)
    form = SignalForm(
        request.POST or None,
        initial={"name": signal.name, "kind": signal.kind, "evidence": signal.evidence},
        auto_id="id_edited_signal_%s",  # the form adding a skill is on the page too
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                enrichment.update_skill_signal(signal, **form.cleaned_data)
            except WorkLogFinalError:
                raise
            except ValidationError as error:
                _form_errors_into(form, error)
            else:
                return _detail_fragment(request, signal.worklog, "enrichment")
        status = 422
    extra = {"editing_signal": signal.pk, "signal_edit_form": form}
    return _detail_page(request, signal.worklog, "enrichment", status=status, **extra)


@require_POST
@idempotent_view
@refusing_final("enrichment")
def signal_remove(request: HttpRequest, pk) -> HttpResponse:
    signal = _own_manual_signal(request, pk)
    enrichment.remove_skill_signal(signal)
    return _detail_fragment(request, signal.worklog, "enrichment")


@require_http_methods(["GET", "POST"])
@idempotent_view
def hierarchy(request: HttpRequest) -> HttpResponse:
    """The user's clients and everything below them, and a form to add to it."""
    form = NodeForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                node = services.create_node(
                    request.user,
                    level=data["level"],
                    name=data["name"],
                    parent=data["parent_node"],
                    description=data["description"],
                )
            except ValidationError as error:
                _form_errors_into(form, error)
            else:
                messages.success(request, f"{data['level'].capitalize()} “{node}” added.")
                return redirect("worklog:journal-hierarchy")
        status = 422
    clients = selectors.hierarchy_tree(request.user)
    return render(
        request, "worklog/journal/hierarchy.html", {"form": form, "clients": clients}, status=status
    )


@require_http_methods(["GET", "POST"])
@idempotent_view
def node_edit(request: HttpRequest, level: str, pk) -> HttpResponse:
    """The hierarchy page with one node's form: rename, describe, date or deactivate it."""
    if level not in services.LEVELS:
        raise Http404("No such level.")
    node = get_object_or_404(services.LEVELS[level][0].objects.for_user(request.user), pk=pk)
    saved_name = node.name  # validating the form writes the new values onto `node`
    form = node_edit_form(level, request.POST or None, instance=node)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                node = services.update_node(request.user, node, **form.cleaned_data)
            except ValidationError as error:
                _form_errors_into(form, error)
            else:
                messages.success(request, f"{level.capitalize()} “{node}” saved.")
                return redirect("worklog:journal-hierarchy")
        status = 422
    context = {
        "form": form,
        "clients": selectors.hierarchy_tree(request.user),
        "editing": node,
        "editing_name": saved_name,
        "editing_level": level,
    }
    return render(request, "worklog/journal/hierarchy.html", context, status=status)


@require_POST
@idempotent_view
def node_delete(request: HttpRequest, level: str, pk) -> HttpResponse:
    """Delete a node nothing refers to; else the hierarchy page says what still does (409)."""
    if level not in services.LEVELS:
        raise Http404("No such level.")
    node = get_object_or_404(services.LEVELS[level][0].objects.for_user(request.user), pk=pk)
    try:
        services.delete_node(request.user, node)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        context = {
            "form": NodeForm(user=request.user),
            "clients": selectors.hierarchy_tree(request.user),
        }
        return render(request, "worklog/journal/hierarchy.html", context, status=409)
    messages.success(request, f"{level.capitalize()} “{node}” deleted.")
    return redirect("worklog:journal-hierarchy")


@require_http_methods(["GET", "POST"])
@idempotent_view
def presets(request: HttpRequest) -> HttpResponse:
    form = PresetForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.create_preset(request.user, **form.cleaned_data)
            except ValidationError as error:
                _form_errors_into(form, error)
            else:
                messages.success(request, "Preset saved.")
                return redirect("worklog:journal-presets")
        status = 422
    context = {"form": form, "presets": selectors.presets_for(request.user)}
    return render(request, "worklog/journal/presets.html", context, status=status)


@require_http_methods(["GET", "POST"])
@idempotent_view
def preset_edit(request: HttpRequest, pk) -> HttpResponse:
    """The presets page with one preset's form: change its defaults or deactivate it."""
    preset = get_object_or_404(selectors.presets_for(request.user), pk=pk)
    initial = {
        "name": preset.name,
        "description": preset.description,
        "client": preset.client_id,
        "project": preset.project_id,
        "default_work_type": preset.default_work_type,
        "default_tags": ", ".join(preset.default_tags),
        "intake_prompt": preset.intake_prompt,
        "is_active": preset.is_active,
    }
    form = PresetForm(request.POST or None, initial=initial, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_preset(preset, **form.cleaned_data)
            except ValidationError as error:
                _form_errors_into(form, error)
            else:
                messages.success(request, "Preset saved.")
                return redirect("worklog:journal-presets")
        status = 422
    context = {"form": form, "presets": selectors.presets_for(request.user), "editing": preset}
    return render(request, "worklog/journal/presets.html", context, status=status)


@require_POST
@idempotent_view
def preset_delete(request: HttpRequest, pk) -> HttpResponse:
    preset = get_object_or_404(selectors.presets_for(request.user), pk=pk)
    services.delete_preset(preset)
    messages.success(request, "Preset deleted.")
    return redirect("worklog:journal-presets")


@require_http_methods(["GET", "POST"])
@idempotent_view
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = reports.generate_report(
                    request.user,
                    kind=data["kind"],
                    anchor=data["anchor"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    client=data["client"],
                    project=data["project"],
                    sprint=data["sprint"],
                    title=data["title"],
                    statuses=data["statuses"] or None,
                )
            except ValidationError as error:
                _form_errors_into(form, error)
            else:
                return redirect("worklog:journal-report", pk=report.pk)
        status = 422
    context = {"form": form, "reports": selectors.reports_for(request.user)[:50]}
    return render(request, "worklog/journal/reports.html", context, status=status)


def hours_chart(weeks: list[selectors.WeekBar]) -> BarChart:
    """Hours per week, scaled to the busiest week (at least one hour); about twelve labels."""
    label_every = max(1, len(weeks) // 12)
    return bar_chart(
        id="hours-chart",
        title="Hours per week",
        width=640,
        values=[week.minutes for week in weeks],
        labels=[
            f"{week.week_start:%-d %b}" if index % label_every == 0 else ""
            for index, week in enumerate(weeks)
        ],
        titles=[
            f"Week of {week.week_start:%-d %b %Y}: {duration_words(week.minutes * 60)}"
            for week in weeks
        ],
        minimum_scale=60,
    )


def _own_report(request: HttpRequest, pk):
    return get_object_or_404(selectors.reports_for(request.user), pk=pk)


@require_GET
def report_detail(request: HttpRequest, pk) -> HttpResponse:
    report = _own_report(request, pk)
    data = selectors.report_data(report)
    context = {
        "report": report,
        "data": data,
        "chart": hours_chart(data.weeks),
        "hours": f"{data.totals['minutes'] / 60:.2f}",
        "billable_hours": f"{data.totals['billable_minutes'] / 60:.2f}",
        "totals_tables": (
            ("By client", data.by_client),
            ("By project", data.by_project),
            ("By work type", data.by_work_type),
        ),
    }
    return render(request, "worklog/journal/report_detail.html", context)


@require_POST
@idempotent_view
def report_delete(request: HttpRequest, pk) -> HttpResponse:
    report = _own_report(request, pk)
    reports.delete_report(report)
    messages.success(request, f"Report “{report}” deleted.")
    return redirect("worklog:journal-reports")


def _download_name(report, extension: str) -> str:
    return f"worklog-report-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.{extension}"


@require_GET
def report_markdown(request: HttpRequest, pk) -> HttpResponse:
    report = _own_report(request, pk)
    response = HttpResponse(report.content_md, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(report, "md")}"'
    return response


@require_GET
def report_csv(request: HttpRequest, pk) -> HttpResponse:
    report = _own_report(request, pk)
    body = reports.render_csv(selectors.report_data(report))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(report, "csv")}"'
    return response
