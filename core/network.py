"""Where a request comes from, behind however many reverse proxies the deployment has."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind `settings.PROXY_COUNT` proxies, each appending the address it
    saw to X-Forwarded-For, that is the entry the outermost proxy appended, counted from the
    right: entries further left came from the client and may be forged. Without proxies, or
    when the header holds fewer entries than there are proxies, it is REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if not proxies:
        return remote
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote
