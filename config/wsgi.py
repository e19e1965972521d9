import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()

# These need the apps, which get_wsgi_application() set up.
from core.checks import MISSING_SECRET_KEY, secret_key_is_set  # noqa: E402
from core.warmup import warm_up  # noqa: E402

if not secret_key_is_set():
    raise ImproperlyConfigured(MISSING_SECRET_KEY)
warm_up()
