import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

# These need the apps, which get_wsgi_application() sets up.
django_application = get_wsgi_application()
from core.checks import MISSING_SECRET_KEY, secret_key_is_set  # noqa: E402
from core.warmup import warm_up  # noqa: E402
from worklog.timer.state_check import AnswerStateChecks  # noqa: E402

# Open tabs' timer state checks are answered in front of Django's handler.
application = AnswerStateChecks(django_application)

if not secret_key_is_set():
    raise ImproperlyConfigured(MISSING_SECRET_KEY)
warm_up()
