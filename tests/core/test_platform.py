import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.contrib import messages
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from core.demo import DEMO_USERNAME
from core.middleware import HtmxMessagesMiddleware
from core.models import User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_200_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_answers_503_when_database_does_not(client):
    with mock.patch("core.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_pages_send_csp_with_nonce_and_no_inline_or_eval(user_client):
    response = user_client.get(reverse("worklog:dashboard"))
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src and "'nonce-" in script_src
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = script_src.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.content
    assert b"<script>" not in response.content


def test_htmx_requests_carry_the_csrf_token_header(user_client):
    response = user_client.get(reverse("worklog:dashboard"))
    assert b'hx-headers:inherited=\'{"X-CSRFToken": "' in response.content


def test_htmx_posts_without_csrf_token_are_refused(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("core:profile"), {}, headers={"HX-Request": "true"})
    assert response.status_code == 403


def _htmx_request_with_message(user, text):
    request = RequestFactory().get("/", headers={"HX-Request": "true"})
    request.user = user
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django_htmx.middleware import HtmxDetails

    request.htmx = HtmxDetails(request)
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, text)
    return request


def test_htmx_fragment_responses_carry_messages_out_of_band(user):
    request = _htmx_request_with_message(user, "Saved it.")
    response = HtmxMessagesMiddleware(lambda r: HttpResponse("<div id='x'></div>"))(request)
    body = response.content.decode()
    assert body.startswith("<div id='x'></div>")
    assert 'id="messages"' in body and 'hx-swap-oob="true"' in body
    assert "Saved it." in body


def test_messages_are_not_appended_to_redirects_or_json(user):
    request = _htmx_request_with_message(user, "Kept for later.")
    redirect = HtmxMessagesMiddleware(lambda r: HttpResponse(status=302))(request)
    assert b"messages" not in redirect.content
    json_response = HtmxMessagesMiddleware(
        lambda r: HttpResponse("{}", content_type="application/json")
    )(request)
    assert json_response.content == b"{}"


def test_load_demo_data_is_idempotent(capsys, settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    call_command("load_demo_data")
    assert User.objects.filter(username=DEMO_USERNAME).count() == 1
    assert "Sign in as demo /" in capsys.readouterr().out


def test_load_demo_data_refuses_with_debug_off_unless_told_it_is_not_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="published password 'worklog-demo'"):
        call_command("load_demo_data")
    assert not User.objects.exists()
    call_command("load_demo_data", "--i-know-this-is-not-production")
    assert User.objects.get().username == DEMO_USERNAME


def test_demo_user_can_sign_in(client):
    from core.demo import DEMO_PASSWORD

    call_command("load_demo_data", "--i-know-this-is-not-production")
    response = client.post(
        reverse("core:login"), {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _python("manage.py", *args, **env)


def _python(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Python with `args` in a clean process: none of the test run's own settings overrides
    leak into it."""
    leaked = {
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "SECURE_SSL_REDIRECT",
        "SECURE_COOKIES",
        "SECURE_HSTS_SECONDS",
        "DEBUG",
        "SECRET_KEY",
        "EMAIL_HOST",
    }
    environment = {k: v for k, v in os.environ.items() if k not in leaked}
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_values():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-with-enough-entropy-1234567890!@#",
        ALLOWED_HOSTS="worklog.example.com",
        EMAIL_HOST="smtp.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_wants_a_mail_server():
    # Without EMAIL_HOST, email goes to the console: fine on a laptop, not in production.
    result = _manage(
        "check",
        "--deploy",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-with-enough-entropy-1234567890!@#",
        ALLOWED_HOSTS="worklog.example.com",
    )
    assert result.returncode != 0
    assert "mail.E001" in result.stderr + result.stdout


def test_production_refuses_to_start_without_secret_key():
    served = _python("-c", "import config.wsgi", DEBUG="0", SECRET_KEY="")
    assert served.returncode != 0
    assert "SECRET_KEY must be set" in served.stderr
    checked = _manage("check", "--deploy", DEBUG="0", SECRET_KEY="")
    assert checked.returncode != 0
    assert "SECRET_KEY must be set" in checked.stderr


def test_commands_that_sign_nothing_run_without_secret_key():
    result = _manage("makemigrations", "--check", "--dry-run", DEBUG="0", SECRET_KEY="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_collectstatic_builds_the_production_manifest_without_sources(tmp_path):
    result = _manage(
        "collectstatic",
        "--no-input",
        "-v0",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-with-enough-entropy-1234567890!@#",
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("css/app.*.css"))
    assert not (tmp_path / "src").exists()


SETTINGS_PROBE = (
    "import json; from config.settings import base as s; d = s.DATABASES['default']; "
    "print(json.dumps([s.STORAGES['default'], d['ENGINE'], d['CONN_MAX_AGE'], "
    "d.get('OPTIONS', {}).get('pool'), d['DISABLE_SERVER_SIDE_CURSORS']]))"
)


def test_settings_keep_the_local_disk_and_direct_connections_by_default():
    probe = _python("-c", SETTINGS_PROBE, DATABASE_URL="postgres://u@db:5432/worklog")
    storage, engine, conn_max_age, pool, no_cursors = json.loads(probe.stdout)
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert engine == "django_prometheus.db.backends.postgresql"
    assert (conn_max_age, pool, no_cursors) == (60, None, False)


def test_settings_take_a_bucket_a_pool_and_pgbouncer_from_the_environment():
    probe = _python(
        "-c",
        SETTINGS_PROBE,
        DATABASE_URL="postgres://u@db:6432/worklog",
        DATABASE_POOL="1",
        DATABASE_POOL_MAX_SIZE="8",
        DATABASE_PGBOUNCER="1",
        AWS_STORAGE_BUCKET_NAME="attachments",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
    )
    storage, _engine, conn_max_age, pool, no_cursors = json.loads(probe.stdout)
    assert storage["BACKEND"] == "core.storage.StreamingS3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "attachments"
    assert storage["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert storage["OPTIONS"]["access_key"] is None  # boto3 finds the credentials itself
    assert (conn_max_age, pool["max_size"], no_cursors) == (0, 8, True)
