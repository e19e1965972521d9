"""The app is warmed before its first request, so a freshly forked worker answers at once."""

import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from django.template.loaders.filesystem import Loader as FileSystemLoader
from django.urls import clear_url_caches, reverse
from django.urls.resolvers import URLResolver

from core.warmup import warm_up

PROJECT_TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _cold() -> None:
    clear_url_caches()
    for engine in engines.all():
        for loader in engine.engine.template_loaders:
            loader.reset()


@pytest.fixture
def nothing_built_on_demand(monkeypatch):
    """After warming up, building a reverse table or reading a template from disk fails."""

    def refuse(*args, **kwargs):
        raise AssertionError("built during the request, not before")

    _cold()
    warm_up()
    monkeypatch.setattr(URLResolver, "_populate", refuse)
    monkeypatch.setattr(FileSystemLoader, "get_contents", refuse)
    yield
    monkeypatch.undo()
    _cold()


@pytest.mark.django_db
def test_warm_up_reads_nothing_from_the_database(django_assert_num_queries):
    _cold()
    with django_assert_num_queries(0):
        warm_up()


def test_reverse_needs_nothing_built_after_warm_up(nothing_built_on_demand):
    assert reverse("worklog:dashboard") == "/"
    assert reverse("catalog:basket-detail", args=[uuid.UUID(int=1)]).startswith("/catalog/")
    assert reverse("admin:index") == "/admin/"


def test_every_project_template_is_compiled_by_warm_up(nothing_built_on_demand):
    names = [str(p.relative_to(PROJECT_TEMPLATES)) for p in PROJECT_TEMPLATES.rglob("*.html")]
    assert len(names) > 30
    for name in names:
        get_template(name)
    get_template("catalog/basket_detail.html#line-added")
