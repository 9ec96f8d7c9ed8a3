"""The client's IP address, as the login throttle (django-axes) counts failures by it.

Without a proxy (PROXY_COUNT = 0) it is the connection's address, REMOTE_ADDR: an
X-Forwarded-For header then comes from the client itself and is ignored. Behind PROXY_COUNT
proxies, each appends the address it received the request from to X-Forwarded-For, so the
client's is the PROXY_COUNT-th entry from the right; entries further left were sent by the
client and could be anything. A header shorter than that, or an entry that is not an address,
means the request did not come through the proxies as configured: REMOTE_ADDR is used.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote
    candidate = entries[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
