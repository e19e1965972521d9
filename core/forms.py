import zoneinfo

from crispy_forms.helper import FormHelper
from crispy_tailwind.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import User, Weekday

# As the app's other primary buttons: white on slate-900 (17:1), not crispy's white on green-500.
PRIMARY_BUTTON = "rounded bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700"


def time_zone_choices() -> list[tuple[str, str]]:
    return [("", "Site default")] + [
        (name, name) for name in sorted(zoneinfo.available_timezones())
    ]


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Sign in", css_class=PRIMARY_BUTTON))


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=time_zone_choices, required=False)
    week_start = forms.TypedChoiceField(
        choices=Weekday.choices,
        coerce=int,
        required=False,
        empty_value=Weekday.MONDAY,
        label="Week starts on",
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "time_zone", "week_start", "enrich_on_save"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save profile", css_class=PRIMARY_BUTTON))


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="Where you will use it, e.g. “Laptop hotkey”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
