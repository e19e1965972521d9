"""Settings for every environment; each value that differs between machines comes from the
environment (see README, "Configuration")."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", False)
# Without DEBUG an empty key stays empty: serving refuses to start (config/wsgi.py, and
# `check --deploy`), while commands that sign nothing, such as makemigrations, still run.
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-0123456789abcdefghijklmnop"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "config.apps.WorklogStaticFilesConfig",
    "django_htmx",
    "crispy_forms",
    "crispy_tailwind",
    "axes",
    "django_tasks_db",
    "django_prometheus",
    "ninja",
    "core",
    "decisioning",
    "worklog",
    "catalog",
]

MIDDLEWARE = [
    # First and next to last: django-prometheus times everything between them.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.middleware.RequestIdMiddleware",
    "config.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.UserTimeZoneMiddleware",
    "core.middleware.HtmxMessagesMiddleware",
    "core.middleware.RefuseNulCharactersMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, so a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "worklog.timer.context_processors.running_timer",
                "worklog.timer.context_processors.auto_stop_notice",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue behind each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # DATABASE_POOL=1: each server process keeps a pool of open connections (psycopg's, built
    # into Django) instead of one per thread; the pool replaces persistent connections.
    if env_bool("DATABASE_POOL", False):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 4),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }
    # DATABASE_PGBOUNCER=1: behind PgBouncer in transaction mode, consecutive transactions may
    # run on different server connections, so a cursor held open between them cannot work
    # (Django's prepared statements are off by default, and the app keeps no session state).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_PGBOUNCER", False)
# The same backends, with each query counted and timed for the metrics (core.observability).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.auth_backends.PermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "worklog:dashboard"
LOGOUT_REDIRECT_URL = "core:login"

# Failed logins are counted per (username, address) pair, so nobody can lock a colleague out by
# guessing at their username from elsewhere; the lock lifts by itself after the cool-off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
# Behind reverse proxies, the client's address comes from X-Forwarded-For (core.network).
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "core.network.client_ip"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Journal attachments: the local disk (MEDIA_ROOT), or, when a bucket is named, any
# S3-compatible store (AWS, MinIO, Ceph...) under django-storages' usual setting names; without
# keys, boto3 finds credentials itself (an instance role, ~/.aws).
if env_str("AWS_STORAGE_BUCKET_NAME", ""):
    _s3_options = {
        "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME", ""),
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
        "access_key": env_str("AWS_ACCESS_KEY_ID", "") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY", "") or None,
        "location": env_str("AWS_LOCATION", ""),
        # Private objects, never overwritten: every upload gets a fresh name anyway.
        "default_acl": None,
        "file_overwrite": False,
    }
    _default_storage = {"BACKEND": "core.storage.StreamingS3Storage", "OPTIONS": _s3_options}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "core.static_storage.StaticFilesStorage"
        )
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Email ("Still working?" about a forgotten timer): printed to the console unless EMAIL_HOST
# names an SMTP server. The worker writes links without a request, so it needs SITE_URL.
if env_str("EMAIL_HOST", ""):
    _email_over_ssl = env_bool("EMAIL_USE_SSL", False)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", ""),
                # Unset: 465 over SSL, 587 with STARTTLS, else 25.
                "port": env_int("EMAIL_PORT", 0) or None,
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_ssl": _email_over_ssl,
                "use_tls": env_bool("EMAIL_USE_TLS", not _email_over_ssl),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Worklog <worklog@localhost>")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# The work journal: attachment limits, and the enrichment provider ("offline", the default and
# deterministic, or "openai" for any OpenAI-compatible chat-completions endpoint).
JOURNAL_ATTACHMENT_MAX_BYTES = env_int("JOURNAL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
JOURNAL_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
}
JOURNAL_ENRICHMENT_PROVIDER = env_str("JOURNAL_ENRICHMENT_PROVIDER", "offline")
JOURNAL_OPENAI_BASE_URL = env_str("JOURNAL_OPENAI_BASE_URL", "")
JOURNAL_OPENAI_API_KEY = env_str("JOURNAL_OPENAI_API_KEY", "")
JOURNAL_OPENAI_MODEL = env_str("JOURNAL_OPENAI_MODEL", "gpt-4o-mini")
JOURNAL_OPENAI_TIMEOUT = env_int("JOURNAL_OPENAI_TIMEOUT", 30)

CRISPY_ALLOWED_TEMPLATE_PACKS = "tailwind"
CRISPY_TEMPLATE_PACK = "tailwind"

# Only the app's own scripts run: no inline script, no eval (htmx runs without it because no
# template uses hx-on or event filters; behaviour lives in static/js).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Prometheus reads /metrics from these networks (comma-separated, CIDR), or from anywhere with
# `Authorization: Bearer <METRICS_TOKEN>`; with neither set, nobody can.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", [])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# LOG_FORMAT=json: one JSON object per line, each with the request id that the response's
# X-Request-ID header also carries.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.observability.JsonLogFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if env_str("LOG_FORMAT", "plain") == "json" else "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
