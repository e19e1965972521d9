"""The signing key is required to serve, not to run every command: `makemigrations` or `shell`
work without it, while the WSGI application refuses to start and `check --deploy` reports it."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET_KEY = "SECRET_KEY must be set when DEBUG is off."


def secret_key_is_set() -> bool:
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to read an empty key
        return False


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs) -> list[Error]:
    if secret_key_is_set():
        return []
    return [
        Error(MISSING_SECRET_KEY, hint="Set the SECRET_KEY environment variable.", id="core.E001")
    ]
