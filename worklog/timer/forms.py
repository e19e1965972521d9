"""The timer's forms: start, stop, stop at a time, correct a session, and the timer settings."""

from django import forms

from core.validators import validate_supported_date
from worklog.timer.models import TimerPreferences, WorkSession

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
