"""The procedure pages' forms: SOP editing, checks, a supervisor's decisions and the session
filter."""

from django import forms


class SOPForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)


class StepForm(forms.Form):
    instruction = forms.CharField(max_length=5000, widget=forms.Textarea)
    safety_check_required = forms.BooleanField(required=False)
    check_description = forms.CharField(required=False, max_length=500)


class CheckForm(forms.Form):
    step = forms.UUIDField(widget=forms.HiddenInput)
    result = forms.ChoiceField(choices=[("passed", "Passed"), ("failed", "Failed")])
    notes = forms.CharField(required=False, max_length=2000)


class ApproveForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)


class ReasonForm(forms.Form):
    """A decision that needs a reason: overriding a lock, reopening a session."""

    reason = forms.CharField(max_length=2000)


class CancelForm(forms.Form):
    """The worker cancels without a reason; someone cancelling for them gives one (the service
    says so if it is missing)."""

    reason = forms.CharField(required=False, max_length=2000)


class CorrectCheckForm(forms.Form):
    check = forms.ModelChoiceField(
        queryset=None, error_messages={"invalid_choice": "Choose one of this session's checks."}
    )
    result = forms.ChoiceField(choices=[("passed", "Passed"), ("failed", "Failed")])
    notes = forms.CharField(
        required=False, max_length=2000, help_text="Leave empty to keep the recorded notes."
    )
    reason = forms.CharField(max_length=2000)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["check"].queryset = session.checks.all()


class SessionFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "All"),
            ("in_progress", "In progress"),
            ("paused", "Paused"),
            ("completed", "Completed"),
            ("cancelled", "Cancelled"),
        ],
    )
