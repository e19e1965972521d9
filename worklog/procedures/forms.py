"""The procedure pages' forms: SOP editing, checks, approval and the session filter."""

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


class OverrideForm(forms.Form):
    reason = forms.CharField(max_length=2000)


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
