"""Test settings: fast password hashing, background tasks run inline, static files unhashed."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["*"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Serve static files straight from static/ (no collectstatic) for the live server; never from
# STATIC_ROOT, where an earlier `make serve` or benchmark may have left older copies.
STATIC_ROOT = BASE_DIR / "test-results" / "static-root"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp", "tests.testapp_decisioning"]  # noqa: F405

# SQLite tests use a file of their own per process, not Django's shared in-memory database: the
# browser tests' live server answers on several threads, and an in-memory database gives them
# one shared connection, which two requests at once (a double click) would use together. A file
# gives each thread its own connection, as a served app has. Naming it also keeps pytest-django,
# which knows only Django's engine name, from deriving an unopenable name from NAME under
# django-prometheus's engine.
if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):  # noqa: F405
    DATABASES["default"].setdefault("TEST", {}).setdefault(  # noqa: F405
        "NAME", str(Path(tempfile.gettempdir()) / f"worklog-test-{os.getpid()}.sqlite3")
    )
