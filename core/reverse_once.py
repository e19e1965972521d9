"""`reverse()` that works out each URL name's shape once per process.

A page of many rows reverses the same few names again and again (the dashboard: about fifty
reverses, two or three per session row), and each reverse walks the resolver. `reversed_url`
reverses a name once with a placeholder for each argument, remembers the URL around the
placeholders, and afterwards only puts the arguments in. Only UUIDs and non-negative ints are
put in this way (their text is the same in any URL pattern that takes them); any other argument,
and keyword arguments, take Django's `reverse()` every time. The shape depends on the script
prefix, the URLconf and the current app, which are part of what it is remembered by."""

from functools import lru_cache
from uuid import UUID

from django.urls import get_script_prefix, get_urlconf, reverse
from django.urls.exceptions import NoReverseMatch

_PLACEHOLDERS = {
    UUID: lambda index: UUID(int=0xF00D_0000_0000_0000_0000_0000_0000_0000 + index),
    int: lambda index: 7_919_000_000_000 + index,
}


def _takes_placeholder(value) -> bool:
    kind = type(value)
    return kind is UUID or (kind is int and value >= 0)


@lru_cache(maxsize=1024)
def _url_shape(
    view_name: str, arg_types: tuple[type, ...], current_app, prefix: str, urlconf
) -> tuple[str, ...] | None:
    """The reversed URL split around its arguments, or None when the name does not reverse
    with arguments of these types (Django's reverse then raises what it raises)."""
    placeholders = [_PLACEHOLDERS[kind](index) for index, kind in enumerate(arg_types)]
    try:
        url = reverse(view_name, urlconf=urlconf, args=placeholders, current_app=current_app)
    except NoReverseMatch:
        return None
    parts = []
    for placeholder in map(str, placeholders):
        if url.count(placeholder) != 1:
            return None
        before, url = url.split(placeholder)
        parts.append(before)
    return (*parts, url)


def reversed_url(view_name, args=(), kwargs=None, current_app=None) -> str:
    """What `reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)` returns."""
    if kwargs or not isinstance(view_name, str) or not all(map(_takes_placeholder, args)):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    shape = _url_shape(
        view_name, tuple(map(type, args)), current_app, get_script_prefix(), get_urlconf()
    )
    if shape is None:
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    url = shape[0]
    for arg, after in zip(args, shape[1:], strict=True):
        url += str(arg) + after
    return url
