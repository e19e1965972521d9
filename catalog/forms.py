from decimal import Decimal

from django import forms
from django.utils import timezone

from core.validators import validate_supported_date

from .models import CatalogItem, WorkItemStatus, work_type_choices

QUANTITY = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0.01")}


class AddToBasketForm(forms.Form):
    catalog_item = forms.UUIDField(widget=forms.HiddenInput)
    basket = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # Names the basket an add creates when the page has no draft basket (any more), so a double
    # click, or adds from several cards of one page, create that basket once.
    basket_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # What a basket this add creates is for: a timer target key, e.g. "worklog.project:<id>".
    context = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)
    # The basket the page shows and its revision (HTMX sends the basket fragment's): an add to
    # that basket at that revision is answered with only what the add changed.
    shown_basket = forms.UUIDField(required=False, widget=forms.HiddenInput)
    revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    quantity = forms.DecimalField(initial=1, **QUANTITY)
    instructions = forms.CharField(required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if not data.get("basket") and not data.get("basket_key"):
            raise forms.ValidationError("The form is missing its basket; reload the page.")
        return data


class QuantityForm(forms.Form):
    quantity = forms.DecimalField(**QUANTITY)


class CommitForm(forms.Form):
    work_types = forms.MultipleChoiceField(
        choices=work_type_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    # The revision of the lines this form was shown with.
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class DispenseForm(forms.Form):
    quantity = forms.DecimalField(**QUANTITY)
    lot_number = forms.CharField(required=False, max_length=100)
    expiry_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(required=False, max_length=2000)

    def clean_expiry_date(self):
        expiry = self.cleaned_data["expiry_date"]
        if expiry is not None and expiry < timezone.localdate():
            raise forms.ValidationError("This lot has expired.")
        return expiry


class CatalogItemForm(forms.ModelForm):
    class Meta:
        model = CatalogItem
        fields = [
            "name",
            "code",
            "category",
            "description",
            "unit_price",
            "currency",
            "allows_fractions",
            "is_available",
            "available_from",
            "available_to",
            "sort_order",
        ]
        widgets = {
            "available_from": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "available_to": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("available_from", "available_to"):
            self.fields[name].validators.append(validate_supported_date)

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError("Use a three-letter currency code, such as USD.")
        return currency

    def clean(self):
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_to")
        if start and end and end <= start:
            self.add_error("available_to", "The window must end after it starts.")
        return data


class WorkQueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *WorkItemStatus.choices]
    )
    work_type = forms.ChoiceField(required=False)
    assignee = forms.ChoiceField(required=False)

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_type"].choices = [("", "Any work type"), *work_type_choices()]
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            ("me", "Me"),
            ("none", "Unassigned"),
            *[(str(user.pk), user.get_username()) for user in assignees],
        ]
