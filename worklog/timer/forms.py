"""The timer's forms: start, stop, stop at a time, correct a session, and the report's filters."""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from core.validators import validate_supported_date
from worklog.timer.exports import EXPORT_FORMATS
from worklog.timer.models import WorkSession
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

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        attrs = {"class": "rounded-lg border border-gray-300 px-4 py-2", **kwargs.pop("attrs", {})}
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


class CorrectionForm(forms.Form):
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
    target = forms.ChoiceField(required=False, label="Target")
    session_type = forms.CharField(required=False, max_length=100, label="Type")
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_session(
        cls,
        session: WorkSession,
        *,
        target_key: str,
        target_choices: list[tuple[str, str]],
        data=None,
    ) -> "CorrectionForm":
        form = cls(
            data,
            initial={
                "started_at": session.started_at,
                "stopped_at": session.stopped_at,
                "effective_at": session.effective_at,
                "target": target_key,
                "session_type": session.session_type,
                "notes": session.notes,
            },
        )
        form.fields["target"].choices = [("", "No target"), *target_choices]
        return form


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
