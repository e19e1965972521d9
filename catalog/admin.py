from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from worklog.teams.exceptions import WeekLockedError

from . import services
from .exceptions import CatalogError
from .models import Basket, BasketItem, CatalogItem, DispenseLog, WorkItem


class OrderableFilter(admin.SimpleListFilter):
    """Orderable now: flagged available and inside the availability window."""

    title = "orderable now"
    parameter_name = "orderable"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No (flag off or outside its window)")]

    def queryset(self, request, queryset):
        orderable = CatalogItem.objects.available().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=orderable)
        if self.value() == "no":
            return queryset.exclude(pk__in=orderable)
        return queryset


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "category",
        "unit_price",
        "currency",
        "allows_fractions",
        "is_available",
        "available_from",
        "available_to",
        "sort_order",
    )
    list_editable = ("unit_price", "is_available")
    list_filter = ("category", "is_available", OrderableFilter)
    search_fields = ("name", "code", "category")
    # The owner is whoever adds the item here; other owners are set through code.
    exclude = ("owner_content_type", "owner_id")
    readonly_fields = ("owner_label", "created_at", "updated_at")

    @admin.display(description="owner")
    def owner_label(self, obj: CatalogItem) -> str:
        return str(obj.owner) if obj.pk else "you"

    def get_deleted_objects(self, objs, request):
        """Deleting is soft: the item leaves the catalog, and the basket lines that ordered it
        keep pointing at it, so nothing is protected or cascaded."""
        objs = list(objs)
        return [str(obj) for obj in objs], {self.opts.verbose_name_plural: len(objs)}, set(), []

    def save_model(self, request, obj, form, change):
        if not obj.owner_id:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


class BasketItemInlineForm(forms.ModelForm):
    class Meta:
        model = BasketItem
        fields = ("catalog_item", "quantity", "instructions")

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is None or quantity <= 0:
            raise forms.ValidationError("Quantity must be positive.")
        return quantity

    def clean_catalog_item(self):
        item = self.cleaned_data["catalog_item"]
        adding = self.instance._state.adding
        if not adding and self.instance.catalog_item_id != item.pk:
            raise forms.ValidationError("Remove the line and add the other item instead.")
        if adding and not item.is_orderable():
            raise forms.ValidationError(f"Not available: {item.unavailable_reason()}.")
        return item


class BasketItemInline(admin.TabularInline):
    """Editable while the basket is a draft, through the same services as the checkout page."""

    model = BasketItem
    form = BasketItemInlineForm
    fields = ("catalog_item", "quantity", "unit_price", "currency", "instructions")
    readonly_fields = ("unit_price", "currency")
    raw_id_fields = ("catalog_item",)
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.is_draft

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Basket)
class BasketAdmin(admin.ModelAdmin):
    list_display = ("__str__", "created_by", "status", "created_at", "committed_at")
    list_filter = ("status", "created_at")
    search_fields = ("id", "idempotency_key", "notes", "created_by__username")
    list_select_related = ("created_by",)
    inlines = [BasketItemInline]
    actions = ["cancel_selected"]
    readonly_fields = (
        "status",
        "created_by",
        "committed_at",
        "committed_by",
        "idempotency_key",
        "revision",
        "context_content_type",
        "context_id",
        "created_at",
        "updated_at",
    )
    fields = (*readonly_fields, "notes", "metadata")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return self.fields
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not BasketItem:
            return super().save_formset(request, form, formset, change)
        basket = form.instance
        lines = formset.save(commit=False)
        try:
            for line in formset.deleted_objects:
                services.remove_line(line)
            for line in lines:
                if line._state.adding:
                    services.add_item(
                        basket, line.catalog_item, line.quantity, instructions=line.instructions
                    )
                else:
                    services.change_quantity(line, line.quantity, instructions=line.instructions)
        except CatalogError as error:
            messages.error(request, str(error))

    @admin.action(description="Cancel selected draft baskets")
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet):
        cancelled = 0
        for basket in queryset:
            try:
                services.cancel_basket(basket)
            except CatalogError as error:
                messages.warning(request, str(error))
            else:
                cancelled += 1
        messages.success(request, f"Cancelled {cancelled} basket(s).")


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    list_display = ("__str__", "work_type", "status", "assigned_to", "priority", "created_at")
    list_filter = ("status", "work_type")
    search_fields = ("work_type", "notes", "basket_item__catalog_item__name")
    list_select_related = ("assigned_to", "basket_item__catalog_item")
    raw_id_fields = ("basket_item", "assigned_to")
    readonly_fields = ("basket_item", "spawn_role", "started_at", "completed_at", "created_at")
    fields = (*readonly_fields, "work_type", "status", "assigned_to", "priority", "notes")
    actions = ["complete_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Complete selected work items")
    def complete_selected(self, request: HttpRequest, queryset: QuerySet):
        done = 0
        for work in queryset:
            try:
                services.complete_work_item(work)
            except (CatalogError, WeekLockedError) as error:
                messages.warning(request, str(error))
            else:
                done += 1
        messages.success(request, f"Completed {done} work item(s).")


@admin.register(DispenseLog)
class DispenseLogAdmin(admin.ModelAdmin):
    """A record of what happened: dispenses are recorded on the basket page, not edited here."""

    list_display = (
        "__str__",
        "quantity_dispensed",
        "lot_number",
        "expiry_date",
        "dispensed_by",
        "dispensed_at",
    )
    list_filter = ("dispensed_at", "expiry_date")
    search_fields = ("lot_number", "notes", "basket_item__catalog_item__name")
    list_select_related = ("dispensed_by", "basket_item__catalog_item")
    readonly_fields = (
        "basket_item",
        "quantity_dispensed",
        "dispensed_by",
        "dispensed_at",
        "lot_number",
        "expiry_date",
        "notes",
        "metadata",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
