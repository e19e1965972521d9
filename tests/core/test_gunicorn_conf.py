"""config/gunicorn.conf.py: the settings `make serve` and the benchmark run gunicorn with."""

import runpy
from types import SimpleNamespace

import pytest
from django.conf import settings

HOOKS = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))


def environ(method, path):
    return {"REQUEST_METHOD": method, "PATH_INFO": path}


@pytest.mark.parametrize(
    ("request_environ", "counted"),
    [
        (environ("GET", "/timer/state/"), False),
        (environ("POST", "/timer/state/"), True),
        (environ("GET", "/"), True),
        (environ("POST", "/timer/toggle/"), True),
    ],
)
def test_only_open_tabs_state_checks_do_not_count_toward_a_workers_replacement(
    request_environ, counted
):
    worker = SimpleNamespace(nr=42)  # gunicorn counted the request before the hook
    HOOKS["post_request"](worker, SimpleNamespace(), request_environ, None)
    assert worker.nr == (42 if counted else 41)


def test_a_request_gunicorn_could_not_read_is_left_as_gunicorn_counted_it():
    worker = SimpleNamespace(nr=42)
    HOOKS["post_request"](worker, SimpleNamespace(), {}, None)
    assert worker.nr == 42


def test_gunicorn_counts_a_request_once_it_has_its_environ_and_before_the_hook():
    """The hook above relies on this order in the worker class config/gunicorn.conf.py names."""
    import inspect

    from gunicorn.workers.gthread import ThreadWorker

    assert HOOKS["worker_class"] == "gthread"
    source = inspect.getsource(ThreadWorker.handle_request)
    assert (
        source.index("wsgi.create(") < source.index("self.nr += 1") < source.index("post_request(")
    )


def test_the_state_checks_gunicorn_runs_with_the_apps_settings_and_two_workers():
    """config/gunicorn_state_checks.conf.py, which `make serve` runs beside the app's."""
    checks = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn_state_checks.conf.py"))
    for name in ("worker_class", "threads", "max_requests", "timeout", "preload_app"):
        assert checks[name] == HOOKS[name]
    for hook in ("pre_fork", "post_request", "child_exit"):
        assert checks[hook].__code__.co_filename == HOOKS[hook].__code__.co_filename
    assert checks["workers"] == 2
