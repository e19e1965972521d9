"""The catalog, basket checkout, dispensing and the work queue.

A basket action answers an HTMX request with the basket fragment (and its message swapped in out of
band), or, for an add to the basket the page shows, with only the new line and the new totals; a
plain form post is redirected on success, or gets the basket page with a 4xx when refused.
"""

import uuid
from http import HTTPStatus
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_list_or_404, get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from decisioning.http import idempotent_view
from worklog.services import get_active_session
from worklog.targets import resolve_target
from worklog.teams.exceptions import WeekLockedError

from . import selectors, services
from .exceptions import CatalogError, InvalidQuantityError
from .forms import (
    AddToBasketForm,
    CatalogItemForm,
    CommitForm,
    DispenseForm,
    QuantityForm,
    WorkQueueFilterForm,
)
from .models import DISPENSE, MANAGE_CATALOG, Basket, CatalogItem, WorkItem


def _form_error(form) -> str:
    """The form's errors as one sentence for the messages area."""
    return " ".join(
        (f"{form[name].label}: " if name in form.fields else "") + error
        for name, errors in form.errors.items()
        for error in errors
    )


# Catalog


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    """Browse and search the catalog, beside the draft basket being filled."""
    context = _catalog_context(request, request.GET)
    if _wants_fragment(request):
        return render(request, "catalog/catalog.html#item-list", context)
    return _render_catalog(request, context)


def _catalog_context(request, params) -> dict:
    """The catalog page keeps one basket key from its first load: its search, pages and cards
    carry it, so whatever basket the page's adds create, the page keeps showing that one."""
    search = params.get("q", "").strip()
    category = params.get("category", "")
    page = selectors.catalog_page(search=search, category=category, page=params.get("page", 1))
    order_for = resolve_target(request.user, params["context"]) if params.get("context") else None
    named = _uuid_or_none(params.get("basket"))
    key = _uuid_or_none(params.get("basket_key"))
    basket = selectors.current_draft(
        request.user,
        pk=named,
        key_prefix=_basket_key(request.user, key) if key else "",
        latest=not (named or key or "new" in params),
    )
    key = key or uuid.uuid4()
    state = {
        "q": search,
        "category": category,
        "basket": basket.pk if basket else "",
        "basket_key": key,
        "context": order_for.key if order_for else "",
    }
    return {
        "page": page,
        "search": search,
        "category": category,
        "query": urlencode({name: value for name, value in state.items() if value}),
        "basket": basket,
        "basket_key": key,
        "order_for": order_for,
        "can_manage": request.user.has_perm(MANAGE_CATALOG),
    }


def _basket_key(user, key) -> str:
    """The idempotency key of the basket a catalog page's adds create: scoped to the user."""
    return f"ui:{user.pk}:{key}"


def _page_basket(user, key, context=None) -> Basket:
    """The draft a catalog page's adds go to: the basket created with the page's key, or, once
    that one is committed or cancelled, the basket that follows it, and so on. Each is created
    once, however many adds race for it."""
    basket = services.create_basket(
        idempotency_key=_basket_key(user, key), created_by=user, context=context
    )
    while not basket.is_draft:
        basket = services.create_basket(
            idempotency_key=f"{_basket_key(user, key)}:after:{basket.pk}",
            created_by=user,
            context=context,
        )
    return basket


def _render_catalog(request, context: dict, status=HTTPStatus.OK) -> HttpResponse:
    context["categories"] = selectors.catalog_categories()
    if context["basket"]:
        context.update(_basket_context(request, context["basket"]))
    return render(request, "catalog/catalog.html", context, status=status)


def _wants_fragment(request) -> bool:
    """An HTMX request for a region of the page; a boosted link or a history restore wants
    the whole page."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def _uuid_or_none(value):
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@require_GET
def item_detail(request: HttpRequest, pk) -> HttpResponse:
    item = get_object_or_404(CatalogItem.objects, pk=pk)
    history = selectors.item_dispense_history(request.user, item, page=request.GET.get("page", 1))
    return render(
        request,
        "catalog/item_detail.html",
        {"item": item, "history": history, "can_manage": request.user.has_perm(MANAGE_CATALOG)},
    )


@require_http_methods(["GET", "POST"])
@idempotent_view
def item_form(request: HttpRequest, pk=None) -> HttpResponse:
    """Create or edit a catalog item; for users with the catalog permission."""
    if not request.user.has_perm(MANAGE_CATALOG):
        raise PermissionDenied
    item = get_object_or_404(CatalogItem.objects, pk=pk) if pk else None
    form = CatalogItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        if not item.owner_id:
            item.owner = request.user
        item.save()
        messages.success(request, f"Saved {item.name}.")
        return redirect("catalog:item-detail", pk=item.pk)
    status = HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK
    return render(request, "catalog/item_form.html", {"form": form, "item": item}, status=status)


# Baskets


@require_GET
def basket_list(request: HttpRequest) -> HttpResponse:
    page = selectors.visible_baskets(request.user, page=request.GET.get("page", 1))
    return render(request, "catalog/basket_list.html", {"page": page})


@require_GET
def basket_detail(request: HttpRequest, pk) -> HttpResponse:
    basket = selectors.visible_basket(request.user, pk)
    return _render_basket(request, basket)


def _basket_context(
    request, basket: Basket, commit_form: CommitForm | None = None, view=None
) -> dict:
    if view is None:
        view = selectors.basket_view(request.user, basket)
    if commit_form is None and basket.is_draft:
        choices = selectors.work_type_choices()
        commit_form = CommitForm(
            initial={"revision": basket.revision, "work_types": [choices[0][0]] if choices else []}
        )
    return {"view": view, "basket": basket, "commit_form": commit_form}


def _render_basket(request, basket: Basket, *, status=HTTPStatus.OK, commit_form=None, view=None):
    context = _basket_context(request, basket, commit_form, view)
    if request.htmx:
        # A refused HTMX action still swaps the fragment in: its message says what happened.
        return render(request, "catalog/basket_detail.html#basket", context)
    return render(request, "catalog/basket_detail.html", context, status=status)


def _basket_done(request, basket: Basket, success: str = "") -> HttpResponse:
    if success:
        messages.success(request, success)
    if request.htmx:
        return _render_basket(request, basket)
    return redirect("catalog:basket-detail", pk=basket.pk)


def _refusal_status(error: CatalogError) -> HTTPStatus:
    """A quantity the item cannot take is bad input; any other refusal is the state's."""
    if isinstance(error, InvalidQuantityError):
        return HTTPStatus.BAD_REQUEST
    return HTTPStatus.CONFLICT


def _refused(request, basket: Basket, message: str, status=HTTPStatus.CONFLICT, commit_form=None):
    messages.error(request, message)
    basket.refresh_from_db()
    return _render_basket(request, basket, status=status, commit_form=commit_form)


@require_POST
@idempotent_view
def add_to_basket(request: HttpRequest) -> HttpResponse:
    form = AddToBasketForm(request.POST)
    if not form.is_valid():
        basket = selectors.current_draft(
            request.user, pk=_uuid_or_none(request.POST.get("basket")), latest=False
        )
        if basket is not None:
            return _refused(request, basket, _form_error(form), HTTPStatus.BAD_REQUEST)
        # No basket yet: nothing to show but the empty basket and the message.
        messages.error(request, _form_error(form))
        if request.htmx:
            return render(request, "catalog/catalog.html#no-basket")
        context = _catalog_context(request, QueryDict("new=1"))
        return _render_catalog(request, context, status=HTTPStatus.BAD_REQUEST)
    data = form.cleaned_data
    basket = selectors.visible_basket(request.user, data["basket"]) if data["basket"] else None
    if (basket is None or not basket.is_draft) and data["basket_key"]:
        # The page's basket was committed or cancelled meanwhile (or there was none): the
        # page's key names the next one, so every card of the page adds to that same basket.
        order_for = None
        if data["context"]:
            order_for = resolve_target(request.user, data["context"])
            if order_for is None:
                raise Http404("No such thing to order for.")
        basket = _page_basket(
            request.user, data["basket_key"], order_for.object if order_for else None
        )
    item = get_object_or_404(CatalogItem.all_objects, pk=data["catalog_item"])
    try:
        line = services.add_item(
            basket, item, quantity=data["quantity"], instructions=data["instructions"]
        )
    except CatalogError as error:
        return _refused(request, basket, str(error), _refusal_status(error))
    messages.success(request, f"Added {line.quantity.normalize():f} × {item.name}.")
    if request.htmx:
        shown = (data["shown_basket"], data["revision"])
        response = _render_added(request, basket, line, shown=shown)
        response["HX-Trigger"] = "basket-line-added"
        return response
    return redirect(f"{reverse('catalog:catalog')}?basket={basket.pk}")


def _render_added(
    request, basket: Basket, line, *, shown: tuple[uuid.UUID | None, int | None]
) -> HttpResponse:
    """The HTMX answer to an add. A page showing this basket as it was just before the add
    (`shown`: the basket's id and revision), with no notice beside its lines, gets only the new
    line, the summary and the commit form's revision, swapped in out of band; any other page
    gets the whole basket."""
    context = _basket_context(request, basket)
    if shown != (basket.pk, basket.revision - 1) or context["view"].has_line_notices:
        return render(request, "catalog/basket_detail.html#basket", context)
    context.update(line=line, oob=True)
    response = render(request, "catalog/basket_detail.html#line-added", context)
    response["HX-Reswap"] = "none"
    return response


@require_POST
@idempotent_view
def change_quantity(request: HttpRequest, pk, line_pk) -> HttpResponse:
    line = selectors.visible_line(request.user, pk, line_pk)
    form = QuantityForm(request.POST)
    if not form.is_valid():
        return _refused(request, line.basket, _form_error(form), HTTPStatus.BAD_REQUEST)
    try:
        services.change_quantity(line, form.cleaned_data["quantity"])
    except CatalogError as error:
        return _refused(request, line.basket, str(error), _refusal_status(error))
    return _basket_done(request, line.basket, "Quantity updated.")


@require_POST
@idempotent_view
def remove_line(request: HttpRequest, pk, line_pk) -> HttpResponse:
    # A second click on Remove finds the line already gone, and shows the basket without it.
    line = selectors.visible_line(request.user, pk, line_pk, removed_too=True)
    try:
        services.remove_line(line)
    except CatalogError as error:
        return _refused(request, line.basket, str(error))
    return _basket_done(request, line.basket, f"Removed {line.catalog_item.name}.")


@require_POST
@idempotent_view
def commit(request: HttpRequest, pk) -> HttpResponse:
    """Commits once: a double click or a resubmitted form finds the basket committed, and shows
    it as it is. The commit itself is shown from what it wrote, read nowhere again."""
    basket = selectors.visible_basket(request.user, pk)
    form = CommitForm(request.POST)
    if not form.is_valid():
        return _refused(request, basket, _form_error(form), HTTPStatus.BAD_REQUEST, form)
    was_committed = basket.is_committed
    try:
        commit = services.commit_basket_with_work(
            basket,
            committed_by=request.user,
            work_types=form.cleaned_data["work_types"],
            expected_revision=form.cleaned_data["revision"],
        )
    except CatalogError as error:
        return _refused(request, basket, str(error))
    if request.htmx and commit.committed_now:
        messages.success(request, "Basket committed.")
        return _render_basket(
            request, basket, view=selectors.just_committed_basket_view(request.user, commit)
        )
    return _basket_done(request, basket, "" if was_committed else "Basket committed.")


@require_POST
@idempotent_view
def cancel(request: HttpRequest, pk) -> HttpResponse:
    basket = selectors.visible_basket(request.user, pk)
    try:
        services.cancel_basket(basket)
    except CatalogError as error:
        return _refused(request, basket, str(error))
    return _basket_done(request, basket, "Basket cancelled.")


@require_POST
@idempotent_view
def dispense(request: HttpRequest, pk, line_pk) -> HttpResponse:
    line = selectors.visible_line(request.user, pk, line_pk)
    if not request.user.has_perm(DISPENSE):
        raise PermissionDenied
    form = DispenseForm(request.POST)
    if not form.is_valid():
        return _refused(request, line.basket, _form_error(form), HTTPStatus.BAD_REQUEST)
    try:
        log = services.dispense(line, dispensed_by=request.user, **form.cleaned_data)
    except CatalogError as error:
        return _refused(request, line.basket, str(error), _refusal_status(error))
    return _basket_done(
        request,
        line.basket,
        f"Dispensed {log.quantity_dispensed.normalize():f} of {line.catalog_item.name}.",
    )


# Work queue


@require_GET
def work_queue(request: HttpRequest) -> HttpResponse:
    """Work from committed baskets, filtered by status, work type and assignee."""
    context = _work_queue_context(request, request.GET)
    # An unknown filter value is answered with the form's errors, not an unfiltered list.
    status = HTTPStatus.BAD_REQUEST if context["page"] is None else HTTPStatus.OK
    if _wants_fragment(request):
        return render(request, "catalog/work_queue.html#work-list", context, status=status)
    return render(request, "catalog/work_queue.html", context, status=status)


def _work_queue_context(request, params) -> dict:
    assignees = selectors.work_queue_assignees(request.user)
    form = WorkQueueFilterForm(params, assignees=assignees)
    page = None
    if form.is_valid():
        page = selectors.work_queue_page(
            request.user, page=params.get("page", 1), **form.cleaned_data
        )
        page.object_list = selectors.with_time_logged(page.object_list)
    return {
        "form": form,
        "page": page,
        "query": _query_without_page(params),
    }


def _query_without_page(params) -> str:
    query = params.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
def work_item_detail(request: HttpRequest, pk) -> HttpResponse:
    """One work item: its state, its actions, and the decisions recorded about it."""
    [work] = selectors.with_time_logged(
        get_list_or_404(
            WorkItem.objects.visible_to(request.user).select_related(
                "assigned_to", "basket_item__catalog_item", "basket_item__basket"
            ),
            pk=pk,
        )
    )
    return render(request, "catalog/work_item_detail.html", {"work": work})


WORK_ACTIONS = {
    "start": lambda work, user: services.start_work_item(work, user),
    "start-timer": lambda work, user: services.start_work_item(work, user, start_timer=True),
    "block": lambda work, user: services.block_work_item(work),
    "complete": lambda work, user: services.complete_work_item(work),
}
WORK_ACTION_DONE = {
    "start": "Started {work}.",
    "start-timer": "Started {work}; the timer is running on it.",
    "block": "Blocked {work}.",
    "complete": "Completed {work}.",
}


@require_POST
@idempotent_view
def work_item_action(request: HttpRequest, pk, action: str) -> HttpResponse:
    work = get_object_or_404(
        WorkItem.objects.visible_to(request.user).select_related("basket_item__catalog_item"),
        pk=pk,
    )
    status = HTTPStatus.OK
    timing_it = action == "complete" and get_active_session(request.user, target=work)
    try:
        WORK_ACTIONS[action](work, request.user)
    except (CatalogError, WeekLockedError) as error:
        messages.error(request, str(error))
        status = HTTPStatus.CONFLICT
    else:
        done = WORK_ACTION_DONE[action].format(work=f"“{work.display_name}”")
        messages.success(request, f"{done} Its timer was stopped." if timing_it else done)
    if not request.htmx:
        if status != HTTPStatus.OK:
            context = _work_queue_context(request, QueryDict())
            return render(request, "catalog/work_queue.html", context, status=status)
        return redirect("catalog:work-queue")
    [work] = selectors.with_time_logged(
        WorkItem.objects.select_related(
            "assigned_to", "basket_item__catalog_item", "basket_item__basket"
        ).filter(pk=work.pk)
    )
    return render(request, "catalog/work_queue.html#work-item", {"work": work})
