"""Forms of the journal's pages. Every choice of a client, project or lower level is drawn from
the signed-in user's own objects, and the hierarchy pickers narrow each other: a chosen client
limits the projects offered, a project the sprints and epics, and so on down to tasks."""

import json
import re
import uuid

from django import forms
from django.db.models import Q
from django.utils import timezone

from core.validators import validate_supported_date
from worklog.journal import selectors
from worklog.journal.models import (
    CURRENT_STATUSES,
    BulletKind,
    ReportKind,
    SkillKind,
    WorkLogStatus,
    WorkType,
)
from worklog.journal.services import LEVELS
from worklog.timer.models import WorkSession

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FIELDS = ("started_on", "ended_on", "start_date", "end_date")


def parse_uuid(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


class HierarchyFieldsMixin:
    """Adds client > project > sprint/epic > feature > story > task pickers, each narrowed by
    the value chosen (or given initially) one level up."""

    # field -> (selector, parent field the selector narrows by)
    PICKERS = (
        ("client", selectors.clients_for, None),
        ("project", selectors.projects_for, "client"),
        ("sprint", selectors.sprints_for, "project"),
        ("epic", selectors.epics_for, "project"),
        ("feature", selectors.features_for, "epic"),
        ("story", selectors.stories_for, "feature"),
        ("task", selectors.tasks_for, "story"),
    )

    def _chosen(self, name: str):
        if self.is_bound:
            return parse_uuid(self.data.get(self.add_prefix(name)))
        return parse_uuid(self.initial.get(name))

    def add_hierarchy_fields(
        self, user, picker_url: str = "", levels: tuple = (), active_only: bool = True
    ) -> None:
        """`active_only`: offer inactive nodes only where one is already chosen (a log
        that was filed under it keeps it when edited)."""
        for name, selector, parent in self.PICKERS:
            if levels and name not in levels:
                continue
            queryset = selector(user)
            if active_only:
                queryset = queryset.filter(Q(is_active=True) | Q(pk=self._chosen(name)))
            parent_id = self._chosen(parent) if parent else None
            if parent_id:
                queryset = queryset.filter(**{f"{parent}_id": parent_id})
            attrs = {}
            if picker_url:
                attrs = {
                    "hx-get": picker_url,
                    "hx-trigger": "change",
                    "hx-target": "#hierarchy-pickers",
                    "hx-swap": "outerHTML",
                    "hx-include": "closest form",
                    "hx-vals": json.dumps({"changed": name}),
                }
            self.fields[name] = forms.ModelChoiceField(
                queryset=queryset,
                required=False,
                label=name.capitalize(),
                widget=forms.Select(attrs=attrs),
            )


class WorkLogForm(HierarchyFieldsMixin, forms.Form):
    title = forms.CharField(max_length=200, required=False)
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What did you do?")
    occurred_on = forms.DateField(
        widget=DATE_INPUT, label="Day", validators=[validate_supported_date]
    )
    effort_minutes = forms.IntegerField(
        min_value=0, max_value=24 * 60, initial=0, label="Effort (minutes)"
    )
    work_type = forms.ChoiceField(choices=WorkType.choices, initial=WorkType.DELIVERY)
    status = forms.ChoiceField(choices=WorkLogStatus.choices, initial=WorkLogStatus.DRAFT)
    is_billable = forms.BooleanField(required=False, label="Billable")
    tags = forms.CharField(
        max_length=500, required=False, help_text="Comma-separated, e.g. django, review"
    )
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    impact = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    next_steps = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    # Where a quick entry came from: a preset, or a stopped timer session.
    preset = forms.UUIDField(required=False, widget=forms.HiddenInput)
    session = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, picker_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["occurred_on"].initial = timezone.localdate
        self.add_hierarchy_fields(user, picker_url)

    def clean_preset(self):
        preset = self.cleaned_data["preset"]
        if preset and not selectors.presets_for(self.user).filter(pk=preset).exists():
            raise forms.ValidationError("Choose one of your own presets.")
        return preset

    def clean_session(self):
        session = self.cleaned_data["session"]
        if session and not WorkSession.objects.for_user(self.user).filter(pk=session).exists():
            raise forms.ValidationError("Choose one of your own timer sessions.")
        return session

    def worklog_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("preset", None)
        data.pop("session", None)
        return data


class WorkLogFilterForm(forms.Form):
    client = forms.ModelChoiceField(queryset=None, required=False)
    project = forms.ModelChoiceField(queryset=None, required=False)
    sprint = forms.ModelChoiceField(queryset=None, required=False)
    status = forms.ChoiceField(
        choices=[
            ("", "Any but archived"),
            *WorkLogStatus.choices,
            (selectors.ALL_STATUSES, "Any, archived too"),
        ],
        required=False,
    )
    work_type = forms.ChoiceField(choices=[("", "Any type"), *WorkType.choices], required=False)
    tag = forms.CharField(max_length=50, required=False)
    text = forms.CharField(max_length=200, required=False, label="Text")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = selectors.clients_for(user)
        self.fields["project"].queryset = selectors.projects_for(user)
        self.fields["sprint"].queryset = selectors.sprints_for(user).select_related(
            "project__client"
        )
        for field in self.fields.values():
            field.widget.attrs["class"] = "w-full rounded border border-slate-300 px-2 py-1"

    def filters(self) -> selectors.ListFilters:
        return selectors.ListFilters(**(self.cleaned_data if self.is_bound else {}))


class ExternalLinkForm(forms.Form):
    url = forms.URLField(max_length=1000, label="Jira or GitHub URL")
    title = forms.CharField(max_length=300, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField()
    description = forms.CharField(max_length=500, required=False)


WHOLE_NUMBER = re.compile(r"-?\d{1,15}")
DECIMAL = re.compile(r"-?\d{1,15}\.\d{1,6}")


def _number_or_text(value: str):
    if WHOLE_NUMBER.fullmatch(value):
        return int(value)
    if DECIMAL.fullmatch(value):
        return float(value)
    return value


class MetricsField(forms.CharField):
    """Metrics written one per line as `name: value`; a value that is a number is kept as one
    (`tests: 40`), anything else as text (`p95 latency: 2 s → 80 ms`)."""

    widget = forms.Textarea(attrs={"rows": 2})

    def to_python(self, value):
        metrics = {}
        for line in super().to_python(value).splitlines():
            if not line.strip():
                continue
            name, separator, text = line.partition(":")
            if not separator or not name.strip() or not text.strip():
                raise forms.ValidationError("Write one metric per line as name: value.")
            metrics[name.strip()] = _number_or_text(text.strip())
        return metrics

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{name}: {metric}" for name, metric in value.items())
        return value


class BulletForm(forms.Form):
    text = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(choices=BulletKind.choices, initial=BulletKind.RESUME)
    metrics = MetricsField(
        required=False, help_text="Optional, one per line: name: value (e.g. p95 latency: 80 ms)"
    )


class SignalForm(forms.Form):
    """A skill the user names. Its fields' ids are its own: the log's page also shows the
    bullet form, which has a `kind` too."""

    name = forms.CharField(max_length=100, label="Skill")
    kind = forms.ChoiceField(choices=SkillKind.choices, initial=SkillKind.TECHNICAL)
    evidence = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: what in the log shows it.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_signal_%s")
        super().__init__(*args, **kwargs)


class PresetForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(max_length=500, required=False)
    client = forms.ModelChoiceField(queryset=None, required=False)
    project = forms.ModelChoiceField(queryset=None, required=False)
    default_work_type = forms.ChoiceField(
        choices=WorkType.choices, initial=WorkType.DELIVERY, label="Work type"
    )
    default_tags = forms.CharField(max_length=500, required=False, label="Tags")
    intake_prompt = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Text the work log starts with, e.g. a question to answer.",
    )
    is_active = forms.BooleanField(
        required=False, initial=True, label="Active (offered on quick entry)"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = selectors.clients_for(user)
        self.fields["project"].queryset = selectors.projects_for(user)


class NodeForm(forms.Form):
    """Add one node to the hierarchy: its level, its parent on the level above, its name."""

    level = forms.ChoiceField(choices=[(level, level.capitalize()) for level in LEVELS])
    parent = forms.ChoiceField(required=False)
    name = forms.CharField(max_length=200)
    description = forms.CharField(max_length=2000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        choices = [("", "(none: a client has no parent)")]
        for level, (model, _parent) in LEVELS.items():
            if level in ("task", "sprint"):
                continue  # nothing hangs below a task or a sprint
            nodes = model.objects.for_user(user)
            choices += [(f"{level}:{node.pk}", f"{level.capitalize()}: {node}") for node in nodes]
        self.fields["parent"].choices = choices

    def clean(self):
        data = super().clean()
        level, parent_key = data.get("level"), data.get("parent")
        if not level:
            return data
        parent_level = LEVELS[level][1]
        if parent_level is None:
            data["parent_node"] = None
            return data
        kind, _, pk = (parent_key or "").partition(":")
        if kind != parent_level:
            self.add_error("parent", f"A {level} belongs to a {parent_level}: choose one.")
            return data
        data["parent_node"] = LEVELS[kind][0].objects.for_user(self.user).get(pk=pk)
        return data


class ReportForm(HierarchyFieldsMixin, forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices, initial=ReportKind.WEEKLY)
    anchor = forms.DateField(
        required=False,
        widget=DATE_INPUT,
        label="A day in the week or month",
        initial=timezone.localdate,
        validators=[validate_supported_date],
    )
    period_start = forms.DateField(
        required=False,
        widget=DATE_INPUT,
        label="From (custom)",
        validators=[validate_supported_date],
    )
    period_end = forms.DateField(
        required=False, widget=DATE_INPUT, label="To (custom)", validators=[validate_supported_date]
    )
    title = forms.CharField(max_length=200, required=False)
    statuses = forms.MultipleChoiceField(
        choices=WorkLogStatus.choices,
        initial=list(CURRENT_STATUSES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Work logs that are",
        help_text="None ticked: all but archived ones.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Reports look back: a finished project is still reported on.
        self.add_hierarchy_fields(user, levels=("client", "project", "sprint"), active_only=False)


# What the hierarchy page lets a user change on a node of each level (never its parent).
NODE_EDIT_FIELDS = {
    "client": ("name", "description", "website", "notes", "is_active"),
    "project": ("name", "description", "role", "started_on", "ended_on", "is_active"),
    "sprint": ("name", "goal", "start_date", "end_date", "description", "is_active"),
    "epic": ("name", "description", "is_active"),
    "feature": ("name", "description", "is_active"),
    "story": ("name", "description", "is_active"),
    "task": ("name", "description", "is_active"),
}


def node_edit_form(level: str, *args, **kwargs) -> forms.ModelForm:
    """A form for a node on `level` (a key of LEVELS); the model's `clean()` and unique
    constraints (a project ending before it starts, a sibling's name) become form errors."""
    form_class = forms.modelform_factory(
        LEVELS[level][0],
        fields=NODE_EDIT_FIELDS[level],
        widgets={name: DATE_INPUT for name in DATE_FIELDS if name in NODE_EDIT_FIELDS[level]}
        | {"description": forms.Textarea(attrs={"rows": 2})},
    )
    form = form_class(*args, **kwargs)
    for name in DATE_FIELDS:
        if name in form.fields:
            form.fields[name].validators.append(validate_supported_date)
    return form
