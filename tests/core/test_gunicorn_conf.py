"""config/gunicorn.conf.py: the settings `make serve` and the benchmark run gunicorn with."""

import runpy
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse

HOOKS = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))


@pytest.mark.parametrize(
    ("method", "path", "counted"),
    [
        ("GET", reverse("worklog:timer-state"), False),
        ("POST", reverse("worklog:timer-state"), True),
        ("GET", "/", True),
        ("POST", reverse("worklog:timer-toggle"), True),
    ],
)
def test_only_open_tabs_state_checks_do_not_count_toward_a_workers_replacement(
    method, path, counted
):
    worker = SimpleNamespace(nr=41)
    HOOKS["pre_request"](worker, SimpleNamespace(method=method, path=path))
    worker.nr += 1  # as gunicorn counts the request after the hook
    assert worker.nr == (42 if counted else 41)
