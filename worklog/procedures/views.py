"""Procedure pages: the SOP list, an SOP's page and its editor, the run page, the worker's
session history and the supervisors' approval queue.

An editor action answers HTMX with the outline fragment and a run-page action with the run
panel (messages swapped in out of band); a plain form post is redirected on success. A refused
action answers 409 (or 422 for a form error) with the page, or the fragment, saying why."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import retarget

from core.display import display_name
from decisioning.http import idempotent_view
from decisioning.models import Decision
from worklog.procedures import selectors, services
from worklog.procedures.exceptions import (
    ActiveProcedureSessionExistsError,
    NotSOPOwnerError,
    OwnSessionError,
    ProcedureError,
    ReasonRequiredError,
)
from worklog.procedures.forms import (
    ApproveForm,
    CancelForm,
    CheckForm,
    CorrectCheckForm,
    ReasonForm,
    SessionFilterForm,
    SOPForm,
    StepForm,
    TaskForm,
)
from worklog.procedures.models import SOP, ProcedureSession, SOPStep, SOPTask
from worklog.timer.models import WorkSession

LIST_TEMPLATE = "worklog/procedures/procedure_list.html"
DETAIL_TEMPLATE = "worklog/procedures/sop_detail.html"
EDITOR_TEMPLATE = "worklog/procedures/sop_editor.html"
RUN_TEMPLATE = "worklog/procedures/session_run.html"
HISTORY_TEMPLATE = "worklog/procedures/session_history.html"
QUEUE_TEMPLATE = "worklog/procedures/approval_queue.html"
HISTORY_PAGE_SIZE = 20
FORBIDDEN, CONFLICT, INVALID = 403, 409, 422


def _form_error(form) -> str:
    return " ".join(
        (f"{form[name].label}: " if name in form.fields else "") + error
        for name, errors in form.errors.items()
        for error in errors
    )


def _refusal_status(error: ProcedureError) -> int:
    """403 for what the user may not do at all; 422 for a missing reason; 409 for what the
    state refuses."""
    if isinstance(error, NotSOPOwnerError | OwnSessionError):
        return FORBIDDEN
    return INVALID if isinstance(error, ReasonRequiredError) else CONFLICT


def _open_session_message(error: ActiveProcedureSessionExistsError) -> str:
    """The refusal in words, with a link to the open session (the API's message names its id)."""
    session = error.session
    return format_html(
        "You already have an active procedure session: “{}”, {}. Complete or cancel it before "
        'starting another. <a href="{}" class="font-medium underline" '
        'data-testid="open-session-link">Go to the open session</a>.',
        session.sop,
        session.get_status_display().lower(),
        session.get_absolute_url(),
    )


# SOPs


def _list_context(request: HttpRequest, **extra) -> dict:
    return {
        "sops": selectors.visible_sops(request.user).order_by("title", "-version"),
        "active": selectors.get_current_for_worker(request.user.pk, include_paused=True),
        "can_supervise": selectors.can_supervise(request.user),
        "form": SOPForm(),
        **extra,
    }


@require_GET
def procedure_list(request: HttpRequest) -> HttpResponse:
    return render(request, LIST_TEMPLATE, _list_context(request))


@require_POST
@idempotent_view
def sop_create(request: HttpRequest) -> HttpResponse:
    form = SOPForm(request.POST)
    if form.is_valid():
        sop = services.create_sop(user=request.user, **form.cleaned_data)
        messages.success(request, f"Draft “{sop}” created: add its tasks and steps.")
        return redirect("worklog:sop-editor", pk=sop.pk)
    return render(request, LIST_TEMPLATE, _list_context(request, form=form), status=INVALID)


def _detail_context(request: HttpRequest, sop: SOP) -> dict:
    is_author = sop.created_by_id == request.user.pk
    # Its author and the supervisors see who has the SOP open, and may cancel what was abandoned.
    may_cancel = is_author or selectors.can_supervise(request.user)
    return {
        "sop": sop,
        "tasks": selectors.sop_tasks(sop),
        "is_author": is_author,
        "can_manage": selectors.can_manage_sop(request.user, sop),
        "active": selectors.get_current_for_worker(request.user.pk, include_paused=True),
        "next_version": sop.next_versions.filter(deleted_at__isnull=True).first(),
        "open_sessions": selectors.open_sessions_of(sop) if may_cancel else [],
    }


def _visible_sop(request: HttpRequest, pk) -> SOP:
    return get_object_or_404(selectors.visible_sops(request.user), pk=pk)


@require_GET
def sop_detail(request: HttpRequest, pk) -> HttpResponse:
    return render(request, DETAIL_TEMPLATE, _detail_context(request, _visible_sop(request, pk)))


def _switched(session: ProcedureSession) -> str:
    """What a start's message says of the timer it stopped (the switch policy), if any."""
    stopped = WorkSession.objects.switched_to(session.timer_session).with_targets().first()
    if stopped is None:
        return ""
    what = display_name(stopped.target) if stopped.target is not None else "no target"
    return f" It stopped the timer on {what}."


@require_POST
@idempotent_view
def sop_start(request: HttpRequest, pk) -> HttpResponse:
    """Starts a session and opens it; a refusal goes back to the SOP's page with the reason, so
    the browser is not left on this URL (a reload would post again)."""
    sop = _visible_sop(request, pk)
    try:
        session = services.start_procedure_session(worker=request.user, sop=sop)
    except ActiveProcedureSessionExistsError as error:
        messages.error(request, _open_session_message(error))
    except ProcedureError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Started “{sop}”; the timer is running.{_switched(session)}")
        return redirect(session)
    return redirect(sop)


@require_POST
@idempotent_view
def sop_new_version(request: HttpRequest, pk) -> HttpResponse:
    sop = _visible_sop(request, pk)
    try:
        copy = services.new_sop_version(sop=sop, user=request.user)
    except ProcedureError as error:
        messages.error(request, str(error))
        context = _detail_context(request, sop)
        return render(request, DETAIL_TEMPLATE, context, status=_refusal_status(error))
    messages.success(request, f"Draft “{copy}” created from version {sop.version}.")
    return redirect("worklog:sop-editor", pk=copy.pk)


@require_POST
@idempotent_view
def sop_session_cancel(request: HttpRequest, pk, session_pk) -> HttpResponse:
    """The SOP's author or a supervisor cancels a session of it that its worker abandoned,
    with a reason."""
    sop = _visible_sop(request, pk)
    session = selectors.get_for_cancel(session_pk, user=request.user)
    if session is None or session.sop_id != sop.pk:
        raise Http404("No such procedure session.")
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return render(request, DETAIL_TEMPLATE, _detail_context(request, sop), status=INVALID)
    try:
        services.cancel_procedure_session(
            session=session, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ProcedureError as error:
        messages.error(request, str(error))
        context = _detail_context(request, sop)
        return render(request, DETAIL_TEMPLATE, context, status=_refusal_status(error))
    messages.success(request, f"{session.worker.get_username()}'s session cancelled.")
    return redirect(sop)


def _own_sop(request: HttpRequest, pk) -> SOP:
    return get_object_or_404(SOP.objects.filter(created_by=request.user), pk=pk)


@require_POST
@idempotent_view
def sop_delete(request: HttpRequest, pk) -> HttpResponse:
    sop = _own_sop(request, pk)
    try:
        services.delete_sop(sop=sop, user=request.user)
    except ProcedureError as error:
        # 400, as the seed specifies for a deletion blocked by active sessions.
        messages.error(request, str(error))
        return render(request, DETAIL_TEMPLATE, _detail_context(request, sop), status=400)
    messages.success(request, f"“{sop}” deleted.")
    return redirect("worklog:procedures")


# The editor


def _editor_context(sop: SOP) -> dict:
    return {
        "sop": sop,
        "tasks": selectors.sop_tasks(sop),
        "sop_form": SOPForm(initial={"title": sop.title, "description": sop.description}),
    }


def _editor_response(request: HttpRequest, sop: SOP, *, status: int = 200) -> HttpResponse:
    if request.htmx:
        context = {**_editor_context(sop), "oob_messages": True}
        return render(request, f"{EDITOR_TEMPLATE}#outline", context, status=status)
    if status == 200:
        return redirect("worklog:sop-editor", pk=sop.pk)
    return render(request, EDITOR_TEMPLATE, _editor_context(sop), status=status)


def _run_edit(request: HttpRequest, sop: SOP, form, change) -> HttpResponse:
    """Validate `form`, then call `change(cleaned_data)`; answer with the editor."""
    if form is not None and not form.is_valid():
        messages.error(request, _form_error(form))
        return _editor_response(request, sop, status=INVALID)
    try:
        change(form.cleaned_data if form is not None else {})
    except ProcedureError as error:
        messages.error(request, str(error))
        return _editor_response(request, sop, status=CONFLICT)
    return _editor_response(request, sop)


@require_http_methods(["GET", "POST"])
@idempotent_view
def sop_editor(request: HttpRequest, pk) -> HttpResponse:
    sop = _own_sop(request, pk)
    if request.method == "GET":
        if not sop.is_draft:
            messages.info(request, f"“{sop}” is {sop.get_status_display().lower()}: read only.")
            return redirect(sop)
        return render(request, EDITOR_TEMPLATE, _editor_context(sop))
    return _run_edit(
        request,
        sop,
        SOPForm(request.POST),
        lambda data: services.update_sop(sop=sop, user=request.user, **data),
    )


@require_POST
@idempotent_view
def task_add(request: HttpRequest, pk) -> HttpResponse:
    sop = _own_sop(request, pk)
    return _run_edit(
        request,
        sop,
        TaskForm(request.POST),
        lambda data: services.add_task(sop=sop, user=request.user, title=data["title"]),
    )


def _own_task(request: HttpRequest, pk) -> SOPTask:
    return get_object_or_404(
        SOPTask.objects.select_related("sop").filter(
            sop__created_by=request.user, sop__deleted_at__isnull=True
        ),
        pk=pk,
    )


TASK_ACTIONS = ("rename", "move-up", "move-down", "delete", "add-step")


@require_POST
@idempotent_view
def task_action(request: HttpRequest, pk, action: str) -> HttpResponse:
    task = _own_task(request, pk)
    user = request.user
    if action == "rename":
        form, change = (
            TaskForm(request.POST),
            lambda data: services.rename_task(task=task, user=user, title=data["title"]),
        )
    elif action in ("move-up", "move-down"):
        direction = action.removeprefix("move-")
        form, change = (
            None,
            lambda data: services.move_task(task=task, user=user, direction=direction),
        )
    elif action == "delete":
        form, change = None, lambda data: services.delete_task(task=task, user=user)
    else:
        form, change = (
            StepForm(request.POST),
            lambda data: services.add_step(task=task, user=user, **data),
        )
    return _run_edit(request, task.sop, form, change)


STEP_ACTIONS = ("edit", "move-up", "move-down", "delete")


@require_POST
@idempotent_view
def step_action(request: HttpRequest, pk, action: str) -> HttpResponse:
    step = get_object_or_404(
        SOPStep.objects.select_related("task__sop").filter(
            task__sop__created_by=request.user, task__sop__deleted_at__isnull=True
        ),
        pk=pk,
    )
    user = request.user
    if action == "edit":
        form, change = (
            StepForm(request.POST),
            lambda data: services.update_step(step=step, user=user, **data),
        )
    elif action in ("move-up", "move-down"):
        direction = action.removeprefix("move-")
        form, change = (
            None,
            lambda data: services.move_step(step=step, user=user, direction=direction),
        )
    else:
        form, change = None, lambda data: services.delete_step(step=step, user=user)
    return _run_edit(request, step.task.sop, form, change)


@require_POST
@idempotent_view
def sop_confirm(request: HttpRequest, pk) -> HttpResponse:
    sop = _own_sop(request, pk)
    try:
        services.confirm_sop(sop=sop, user=request.user)
    except ProcedureError as error:
        messages.error(request, str(error))
        return render(request, EDITOR_TEMPLATE, _editor_context(sop), status=_refusal_status(error))
    messages.success(request, f"“{sop}” confirmed: it can now be started.")
    return redirect(sop)


# Sessions


def _visible_session(request: HttpRequest, pk) -> ProcedureSession:
    session = selectors.get_by_id(pk, user=request.user)
    if session is None:
        raise Http404("No such procedure session.")
    return session


def _session_for_action(request: HttpRequest, pk) -> ProcedureSession:
    session = selectors.get_for_action(pk, user=request.user)
    if session is None:
        raise Http404("No such procedure session.")
    return session


def _run_context(
    request: HttpRequest,
    session: ProcedureSession,
    *,
    progress: selectors.SessionProgress | None = None,
    **extra,
) -> dict:
    progress = selectors.session_progress(session) if progress is None else progress
    is_owner = session.worker_id == request.user.pk
    can_supervise = selectors.can_supervise(request.user)
    return {
        "session": session,
        "progress": progress,
        "decisions": list(Decision.objects.for_target(session).select_related("decided_by")[:10]),
        "is_owner": is_owner,
        "can_supervise": can_supervise,
        # Approve, reopen or override a completed session, cancel someone's open one, correct
        # a check of one not locked.
        "supervisor_panel": can_supervise
        and (
            session.is_completed
            or (session.is_active and not is_owner)
            or (bool(progress.checks) and not session.locked)
        ),
        "check_form": CheckForm(),
        **extra,
    }


def _run_response(request: HttpRequest, session: ProcedureSession, *, status=200) -> HttpResponse:
    if request.htmx:
        session = selectors.get_by_id(session.pk)
        context = _run_context(request, session, oob_messages=True)
        response = render(request, f"{RUN_TEMPLATE}#run-panel", context, status=status)
        # The check form targets only the current step; this answer replaces the whole panel.
        return retarget(response, "#run-panel")
    if status == 200:
        return redirect(session)
    session = selectors.get_by_id(session.pk)
    return render(request, RUN_TEMPLATE, _run_context(request, session), status=status)


@require_GET
def session_run(request: HttpRequest, pk) -> HttpResponse:
    session = _visible_session(request, pk)
    return render(request, RUN_TEMPLATE, _run_context(request, session))


@require_POST
@idempotent_view
def session_check(request: HttpRequest, pk) -> HttpResponse:
    session = _session_for_action(request, pk)
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return _run_response(request, session, status=INVALID)
    try:
        outcome = services.record_check(
            session=session,
            user=request.user,
            step_id=form.cleaned_data["step"],
            result=form.cleaned_data["result"],
            notes=form.cleaned_data["notes"],
        )
    except ProcedureError as error:
        messages.error(request, str(error))
        return _run_response(request, session, status=CONFLICT)
    if outcome.completed:
        messages.success(request, "Last check passed: the session is complete.")
        if not request.htmx:
            return redirect(session)
        return _session_completed_response(request, outcome)
    if outcome.check.passed:
        messages.success(request, "Check passed.")
    else:
        messages.warning(request, "Check failed: fix the problem and check this step again.")
    if not request.htmx:
        return redirect(session)
    return _check_recorded_response(request, outcome)


def _check_recorded_response(request: HttpRequest, outcome: services.CheckOutcome) -> HttpResponse:
    """The current step, and out of band the summary and the outline rows the check changed:
    the checked step and, after a pass, the new current one. Built from the session and the
    steps the service has just read, so it costs one query (the changed rows' checks) and the
    same whatever the SOP's size."""
    changed = {outcome.check.step_id} | ({outcome.next_step.pk} if outcome.next_step else set())
    progress = selectors.progress_from_steps(
        outcome.session, steps=outcome.steps, only_step_ids=changed
    )
    context = {
        "session": outcome.session,
        "progress": progress,
        "changed_steps": progress.step_rows(changed),
        "is_owner": True,  # only the owner records a check
    }
    return render(request, f"{RUN_TEMPLATE}#check-recorded", context)


def _session_completed_response(
    request: HttpRequest, outcome: services.CheckOutcome
) -> HttpResponse:
    """The run panel of the session the check has just completed, built from the session and
    the steps the service holds rather than read again: its checks are the only rows of the
    progress read, so the cost does not grow with the SOP's size."""
    progress = selectors.progress_from_steps(outcome.session, steps=outcome.steps)
    context = _run_context(request, outcome.session, progress=progress, oob_messages=True)
    response = render(request, f"{RUN_TEMPLATE}#run-panel", context)
    # The check form targets only the current step; this answer replaces the whole panel.
    return retarget(response, "#run-panel")


SESSION_ACTIONS = (
    "pause",
    "resume",
    "complete",
    "cancel",
    "approve",
    "override",
    "reopen",
    "correct-check",
)
SUPERVISOR_ACTIONS = frozenset({"approve", "override", "reopen", "correct-check"})
ACTION_DONE = {
    "pause": "Session paused.",
    "resume": "Session resumed; the timer is running again.",
    "complete": "Session completed.",
    "cancel": "Session cancelled.",
    "approve": "Session approved and locked.",
    "override": "Lock overridden: the session is open for approval again.",
    "reopen": "Session reopened: it is back with its worker, paused on the step to redo.",
    "correct-check": "Check corrected.",
}


def _action_form(action: str, data, session: ProcedureSession):
    if action == "correct-check":
        return CorrectCheckForm(data, session=session)
    form_class = {
        "approve": ApproveForm,
        "override": ReasonForm,
        "reopen": ReasonForm,
        "cancel": CancelForm,
    }.get(action)
    return form_class(data) if form_class else None


def _perform(action: str, session: ProcedureSession, user, data: dict) -> None:
    if action == "pause":
        services.pause_procedure_session(session=session, user=user)
    elif action == "resume":
        services.resume_procedure_session(session=session, user=user)
    elif action == "complete":
        services.complete_procedure_session(session=session, user=user)
    elif action == "cancel":
        services.cancel_procedure_session(session=session, user=user, reason=data["reason"])
    elif action == "approve":
        services.approve_procedure_session(session=session, supervisor=user, reason=data["reason"])
    elif action == "override":
        services.override_procedure_lock(session=session, supervisor=user, reason=data["reason"])
    elif action == "reopen":
        services.reopen_procedure_session(session=session, supervisor=user, reason=data["reason"])
    else:
        services.correct_check(
            check=data["check"],
            supervisor=user,
            result=data["result"],
            notes=data["notes"] or None,
            reason=data["reason"],
        )


@require_POST
@idempotent_view
def session_action(request: HttpRequest, pk, action: str) -> HttpResponse:
    session = _session_for_action(request, pk)
    user = request.user
    if action in SUPERVISOR_ACTIONS and not selectors.can_supervise(user):
        raise PermissionDenied
    form = _action_form(action, request.POST, session)
    if form is not None and not form.is_valid():
        messages.error(request, _form_error(form))
        return _run_response(request, session, status=INVALID)
    try:
        _perform(action, session, user, form.cleaned_data if form is not None else {})
    except ProcedureError as error:
        messages.error(request, str(error))
        if request.POST.get("from") == "queue":
            return render(request, QUEUE_TEMPLATE, _queue_context(), status=CONFLICT)
        return _run_response(request, session, status=_refusal_status(error))
    messages.success(request, ACTION_DONE[action])
    if request.POST.get("from") == "queue":
        return redirect("worklog:approval-queue")
    return _run_response(request, session)


@require_GET
def session_history(request: HttpRequest) -> HttpResponse:
    form = SessionFilterForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    status = "" if refused or not form.is_bound else form.cleaned_data["status"]
    sessions = selectors.list_by_worker(request.user.pk, status=status or None)
    if refused:
        sessions = sessions.none()
    page = Paginator(sessions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "status": status}
    # An unknown status is a 400 that names the problem, as on the journal's list.
    response_status = 400 if refused else 200
    if request.htmx and not request.htmx.boosted:
        return render(request, f"{HISTORY_TEMPLATE}#history-list", context, status=response_status)
    return render(request, HISTORY_TEMPLATE, context, status=response_status)


def _queue_context() -> dict:
    return {"queue": list(selectors.approval_queue()), "locked": selectors.recently_locked()}


@require_GET
def approval_queue(request: HttpRequest) -> HttpResponse:
    if not selectors.can_supervise(request.user):
        raise PermissionDenied
    return render(request, QUEUE_TEMPLATE, _queue_context())
