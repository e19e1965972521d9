"""The timer's forms: start, stop, stop at a time, correct a session, add forgotten time, move
a running start, the timer settings, and the report's filters."""

import datetime
import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError

from core.validators import validate_supported_date
from worklog.targets import Target, resolve_target
from worklog.timer.exports import EXPORT_FORMATS
from worklog.timer.models import TimerPreferences, WorkSession
from worklog.timer.reports import (
    REPORT_COLUMNS,
    ROUNDING_MINUTES,
    PeriodKind,
    Preset,
    Rounding,
    RoundingMode,
    RoundingScope,
    report_period,
)
from worklog.timer.selectors import recent_targets

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        attrs = {
            "class": "w-full rounded-lg border border-gray-300 px-4 py-2",
            **kwargs.pop("attrs", {}),
        }
        super().__init__(format=LOCAL_MINUTE, attrs=attrs, **kwargs)


class StartForm(forms.Form):
    """Start (or switch to) a session; `target` is a key from the target picker."""

    target = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)
    session_type = forms.CharField(required=False, max_length=100, label="Type")
    notes = forms.CharField(required=False, max_length=2000)


class StopForm(forms.Form):
    notes = forms.CharField(required=False, max_length=2000)


class StopAtForm(forms.Form):
    stopped_at = forms.DateTimeField(
        validators=[validate_supported_date], label="Stop it at", widget=LocalDateTimeInput
    )


class TargetChoiceForm(forms.Form):
    """A form with a `target` field holding a key from the target picker, cleaned to the
    `Target` it names among those the user may time (None for no target)."""

    target = forms.CharField(required=False, max_length=300)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_target(self) -> Target | None:
        key = self.cleaned_data["target"]
        if not key:
            return None
        target = resolve_target(self.user, key)
        if target is None:
            raise forms.ValidationError("Choose something you can time.")
        return target

    def picker_context(self) -> dict:
        """What the picker (worklog/timer/target_field.html) shows: the chosen target (the
        submitted one, else the initial one) and the user's other recent targets."""
        key = self.data.get("target") if self.is_bound else self.initial.get("target")
        chosen = resolve_target(self.user, key) if key else None
        recent = [
            target
            for target in recent_targets(self.user)
            if chosen is None or target.key != chosen.key
        ]
        return {"chosen_target": chosen, "found_targets": recent}


class CorrectionForm(TargetChoiceForm):
    started_at = forms.DateTimeField(
        validators=[validate_supported_date], label="Started", widget=LocalDateTimeInput
    )
    stopped_at = forms.DateTimeField(
        validators=[validate_supported_date], label="Stopped", widget=LocalDateTimeInput
    )
    effective_at = forms.DateTimeField(
        validators=[validate_supported_date],
        label="Effective",
        widget=LocalDateTimeInput,
        help_text="When the work counts as done, if not when it started (backdating).",
    )
    session_type = forms.CharField(required=False, max_length=100, label="Type")
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_session(cls, session: WorkSession, *, user, data=None) -> "CorrectionForm":
        # Its own ids: the page also holds the decision panel's form, with an `effective_at`.
        return cls(
            data,
            user=user,
            auto_id="correction_%s",
            initial={
                "started_at": session.started_at,
                "stopped_at": session.stopped_at,
                "effective_at": session.effective_at,
                "target": session.target_key,
                "session_type": session.session_type,
                "notes": session.notes,
            },
        )


_DURATION_FORMS = (
    # 1:30 (hours and minutes)
    (re.compile(r"(\d+):([0-5]\d)"), lambda h, m: timedelta(hours=int(h), minutes=int(m))),
    # 1.5h, 1,5 h, 2 hours
    (re.compile(r"(\d+(?:[.,]\d+)?)\s*h(?:ours?|rs?)?"), lambda h: timedelta(hours=_number(h))),
    # 90m, 90 min, 45 minutes, or a bare 45
    (re.compile(r"(\d+)\s*(?:m|mins?|minutes?)?"), lambda m: timedelta(minutes=int(m))),
    # 2h 15m, 2h15
    (
        re.compile(r"(\d+)\s*h\s*(\d+)\s*(?:m|mins?|minutes?)?"),
        lambda h, m: timedelta(hours=int(h), minutes=int(m)),
    ),
)


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_duration(text: str) -> timedelta | None:
    """'1:30', '90m', '1.5h', '2h 15m' or a bare number of minutes; None if it is none of them."""
    text = text.strip().lower()
    for pattern, build in _DURATION_FORMS:
        match = pattern.fullmatch(text)
        if match:
            return build(*match.groups())
    return None


class DurationTextField(forms.Field):
    """A duration as people write it (see `parse_duration`), cleaned to a timedelta."""

    widget = forms.TextInput
    default_error_messages = {"invalid": "Give a duration like 1:30, 90m or 1.5h."}

    def to_python(self, value) -> timedelta | None:
        text = str(value or "").strip()
        if not text:
            return None
        duration = parse_duration(text[:20])
        if duration is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if duration > timedelta(days=7):
            raise forms.ValidationError("A duration can be a week at most.", code="too_long")
        return duration


class AddTimeForm(TargetChoiceForm):
    """Time the user forgot to track: a start and either a stop or a duration."""

    started_at = forms.DateTimeField(
        validators=[validate_supported_date], label="Started", widget=LocalDateTimeInput
    )
    stopped_at = forms.DateTimeField(
        required=False,
        validators=[validate_supported_date],
        label="Stopped",
        widget=LocalDateTimeInput,
    )
    duration = DurationTextField(
        required=False,
        label="or lasted",
        help_text="e.g. 1:30, 90m or 1.5h",
    )
    session_type = forms.CharField(required=False, max_length=100, label="Type")
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    trim_overlapping = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        started_at, stopped_at = cleaned.get("started_at"), cleaned.get("stopped_at")
        duration = cleaned.get("duration")
        if self.errors:
            return cleaned
        if stopped_at and duration is not None:
            raise forms.ValidationError("Give either the stop or the duration, not both.")
        if duration is not None:
            cleaned["stopped_at"] = started_at + duration
        elif not stopped_at:
            self.add_error("stopped_at", "Give the stop, or how long it lasted.")
        return cleaned


class MoveStartForm(forms.Form):
    """A running session's new start: a time, or a shift of the current start in minutes."""

    started_at = forms.DateTimeField(
        required=False, validators=[validate_supported_date], widget=LocalDateTimeInput
    )
    shift_minutes = forms.IntegerField(required=False, min_value=-24 * 60, max_value=24 * 60)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("shift_minutes") is None and cleaned.get("started_at") is None:
            raise forms.ValidationError("Give the new start, or by how much to move it.")
        return cleaned

    def new_start(self, session: WorkSession):
        # The quick buttons send a shift; the start field is in the same form, filled in.
        shift = self.cleaned_data.get("shift_minutes")
        if shift is not None:
            return session.started_at + timedelta(minutes=shift)
        return self.cleaned_data["started_at"]


class TimerPreferencesForm(forms.ModelForm):
    class Meta:
        model = TimerPreferences
        fields = ["auto_stop_after_hours", "auto_stop_at"]
        labels = {
            "auto_stop_after_hours": "Stop my timer automatically after (hours)",
            "auto_stop_at": "Stop my timer automatically every day at",
        }
        help_texts = {
            "auto_stop_after_hours": "From 1 to 168 hours; leave blank for never.",
            "auto_stop_at": "In your time zone; leave blank for never.",
        }
        widgets = {"auto_stop_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class DateInput(forms.DateInput):
    input_type = "date"


class TimerReportForm(forms.Form):
    """The report's filters (from a query string, or the download form): a preset, or a period
    of some kind holding a date, or a custom range; the rounding; and, for downloads, the format
    and columns. `cleaned_data` gains `report_period` and `report_rounding`."""

    preset = forms.ChoiceField(required=False, choices=[("", "—"), *Preset.choices])
    period = forms.ChoiceField(required=False, choices=PeriodKind.choices, label="Period")
    date = forms.DateField(
        required=False, validators=[validate_supported_date], widget=DateInput, label="Day in it"
    )
    start = forms.DateField(
        required=False, validators=[validate_supported_date], widget=DateInput, label="From"
    )
    end = forms.DateField(
        required=False, validators=[validate_supported_date], widget=DateInput, label="To"
    )
    rounding = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=0,
        choices=[(0, "No rounding"), *((m, f"{m} minutes") for m in ROUNDING_MINUTES if m)],
        label="Round to",
    )
    rounding_mode = forms.ChoiceField(
        required=False, choices=RoundingMode.choices, label="Round", initial=RoundingMode.NEAREST
    )
    rounding_scope = forms.ChoiceField(
        required=False,
        choices=RoundingScope.choices,
        label="Round what",
        initial=RoundingScope.ENTRIES,
    )
    format = forms.ChoiceField(required=False, choices=EXPORT_FORMATS.items())
    columns = forms.MultipleChoiceField(
        required=False, choices=REPORT_COLUMNS.items(), widget=forms.CheckboxSelectMultiple
    )

    FILTERS = ("period", "date", "start", "end", "rounding", "rounding_mode", "rounding_scope")

    def __init__(self, data=None, *, today: datetime.date, week_start: int, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        self.week_start = week_start
        for name in self.FILTERS:
            self.fields[name].widget.attrs["class"] = (
                "w-full rounded border border-slate-300 px-2 py-1"
            )

    def filters(self) -> list[forms.BoundField]:
        """The fields the page's filter form shows (presets are links, the rest downloads')."""
        return [self[name] for name in self.FILTERS]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["report_period"] = report_period(
                today=self.today,
                week_start=self.week_start,
                preset=cleaned["preset"],
                kind=cleaned["period"],
                anchor=cleaned["date"],
                start=cleaned["start"],
                end=cleaned["end"],
            )
            cleaned["report_rounding"] = Rounding(
                minutes=cleaned["rounding"],
                mode=cleaned["rounding_mode"] or RoundingMode.NEAREST,
                scope=cleaned["rounding_scope"] or RoundingScope.ENTRIES,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned
