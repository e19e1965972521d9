from pathlib import Path

from django.template import engines
from django.urls import get_resolver
from django.urls.resolvers import URLResolver, get_ns_resolver


def warm_up() -> None:
    """Does before the first request what Django otherwise does during it: imports every view
    and the API through the URLconf, builds the tables `reverse()` reads, and compiles the
    project's templates. Under gunicorn's `preload_app` this runs once, in the master, and every
    worker is forked warm: one that replaces a recycled worker answers its first request as fast
    as its thousandth, not a quarter of a second late. It reads nothing from the database, so
    the master opens no connection for its workers to share."""
    _build_reverse_tables(get_resolver())
    _compile_templates()


def _build_reverse_tables(resolver: URLResolver) -> None:
    # What reverse() builds on first use: the resolver's tables and, for every namespace, those
    # of the resolver it reverses that namespace's names with.
    resolver.reverse_dict  # noqa: B018 (a cached property: reading it builds it)
    for prefix, child in resolver.namespace_dict.values():
        converters = tuple(child.pattern.converters.items())
        _build_reverse_tables(get_ns_resolver(prefix, child, converters) if prefix else child)


def _compile_templates() -> None:
    for engine in engines.all():
        for directory in engine.dirs:
            for path in Path(directory).rglob("*.html"):
                engine.get_template(str(path.relative_to(directory)))
