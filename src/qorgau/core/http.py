"""Facts about an HTTP request that more than one floor needs."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: the one function the audit trail and the login lockout (django-axes,
    ``AXES_CLIENT_IP_CALLABLE``) both use.

    With ``TRUSTED_PROXY_COUNT = 0`` (no proxy) only the peer, ``REMOTE_ADDR``, counts and
    ``X-Forwarded-For`` is ignored: a client can write anything there. Behind N proxies, each
    appending the address it received from, the N-th address from the right was written by our
    first proxy; everything left of it came from the client and is ignored. A header shorter
    than that, or not an address there, means the request did not come through the proxies:
    then the peer counts again."""
    peer = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return peer
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return peer
