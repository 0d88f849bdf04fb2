"""Small request helpers shared by the patient and staff sides."""

import ipaddress

from django.conf import settings


def who_acted(request) -> dict:
    """What the services record of who acted: ``actor`` (None when signed out) and
    ``ip_address``. Services take these, never the request."""
    user = getattr(request, "user", None)
    return {
        "actor": user if user is not None and user.is_authenticated else None,
        "ip_address": client_ip(request),
    }


def client_ip(request) -> str | None:
    """The client's address. Behind PROXY_COUNT trusted proxies, read X-Forwarded-For."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
