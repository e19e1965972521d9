from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.validators import validate_supported_date

from .models import Decision, DecisionOutcome

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
INPUT = (
    "block w-full rounded border border-slate-300 bg-white px-2 py-1.5 text-sm "
    "focus:border-slate-500 focus:outline-none"
)


def datetime_local_widget():
    return forms.DateTimeInput(
        attrs={"type": "datetime-local", "class": INPUT, "step": "60"}, format=DATETIME_LOCAL
    )


class DecisionFilterForm(forms.Form):
    """The decision log's filters. Choices come from the decisions the user may see, so an
    unknown value is a form error (answered 400), not an empty page."""

    q = forms.CharField(
        label="Reason contains",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": INPUT, "type": "search"}),
    )
    decision_type = forms.ChoiceField(
        label="Type", required=False, widget=forms.Select(attrs={"class": INPUT})
    )
    outcome = forms.ChoiceField(
        choices=[("", "Any outcome"), *DecisionOutcome.choices],
        required=False,
        widget=forms.Select(attrs={"class": INPUT}),
    )
    decided_by = forms.ModelChoiceField(
        label="Decided by",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Anyone",
        widget=forms.Select(attrs={"class": INPUT}),
    )
    target_type = forms.ModelChoiceField(
        label="About",
        queryset=ContentType.objects.none(),
        required=False,
        empty_label="Anything",
        widget=forms.Select(attrs={"class": INPUT}),
    )
    effective_from = forms.DateField(
        validators=[validate_supported_date],
        label="Effective from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": INPUT}),
    )
    effective_to = forms.DateField(
        validators=[validate_supported_date],
        label="Effective to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": INPUT}),
    )
    as_of = forms.DateTimeField(
        validators=[validate_supported_date],
        label="Effective as of",
        required=False,
        widget=datetime_local_widget(),
        help_text="Business time: decisions that had taken effect by then.",
    )
    known_at = forms.DateTimeField(
        validators=[validate_supported_date],
        label="As known at",
        required=False,
        widget=datetime_local_widget(),
        help_text="System time: decisions that had been recorded by then.",
    )

    def __init__(self, *args, visible_decisions, **kwargs):
        super().__init__(*args, **kwargs)
        unordered = visible_decisions.order_by()
        types = unordered.values_list("decision_type", flat=True).distinct()
        self.fields["decision_type"].choices = [("", "Any type")] + [
            (name, name) for name in sorted(types)
        ]
        self.fields["decided_by"].queryset = (
            get_user_model()
            .objects.filter(pk__in=unordered.values("decided_by"))
            .order_by("username")
        )
        self.fields["target_type"].queryset = ContentType.objects.filter(
            pk__in=unordered.values("target_content_type")
        ).order_by("app_label", "model")
        self.fields["target_type"].label_from_instance = lambda ct: ct.name.capitalize()

    def clean(self):
        data = super().clean()
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", "The end of the range comes before its start.")
        return data

    def filter(self, decisions):
        data = self.cleaned_data
        if data.get("q"):
            decisions = decisions.filter(reason__icontains=data["q"])
        if data.get("decision_type"):
            decisions = decisions.filter(decision_type=data["decision_type"])
        if data.get("outcome"):
            decisions = decisions.filter(outcome=data["outcome"])
        if data.get("decided_by"):
            decisions = decisions.filter(decided_by=data["decided_by"])
        if data.get("target_type"):
            decisions = decisions.filter(target_content_type=data["target_type"])
        if data.get("effective_from"):
            decisions = decisions.filter(effective_at__gte=_start_of(data["effective_from"]))
        if data.get("effective_to"):
            end = _start_of(data["effective_to"] + timedelta(days=1))
            decisions = decisions.filter(effective_at__lt=end)
        if data.get("as_of"):
            decisions = decisions.as_of(data["as_of"])
        if data.get("known_at"):
            decisions = decisions.known_at(data["known_at"])
        return decisions


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class DecisionForm(forms.Form):
    """Record a decision about a target; `supersedes` makes it a correction."""

    decision_type = forms.CharField(
        label="Decision",
        max_length=100,
        widget=forms.TextInput(attrs={"class": INPUT, "placeholder": "e.g. refund, access"}),
    )
    outcome = forms.ChoiceField(
        choices=DecisionOutcome.choices,
        initial=DecisionOutcome.APPROVED,
        widget=forms.Select(attrs={"class": INPUT}),
    )
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"class": INPUT, "rows": 2})
    )
    effective_at = forms.DateTimeField(
        validators=[validate_supported_date],
        label="Effective at",
        required=False,
        widget=datetime_local_widget(),
        help_text="Leave empty for now; set an earlier time to backdate.",
    )
    supersedes = forms.ModelChoiceField(
        queryset=Decision.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, visible_decisions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visible_decisions is not None:
            self.fields["supersedes"].queryset = visible_decisions
