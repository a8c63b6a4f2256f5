"""The address a request came from, behind load balancers and reverse proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The person's address, for sign-in throttling (django-axes' AXES_CLIENT_IP_CALLABLE).

    Behind a proxy, REMOTE_ADDR is the proxy's, the same for everyone: five wrong passwords from anyone
    would then lock an account for everyone. With DJANGO_TRUSTED_PROXY_COUNT proxies in front, each adding
    the address it saw to X-Forwarded-For, the entry that many places from the end is the one the outermost
    trusted proxy saw; anything further left was written by the client and is not believed.
    """
    count = settings.CYMUNED_TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
