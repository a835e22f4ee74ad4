"""A small cache-backed rate limit (counts per key per window).

Issue 8 is adding the site's own rate limiter; when it lands this should use that instead.
"""

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    address = request.META.get("REMOTE_ADDR", "")
    if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_FORWARDED_FOR"):
        address = request.META["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()  # the proxy's view of the client
    return address


def over_limit(key, limit, seconds):
    """Count one more use of `key`; True once more than `limit` fall in the window."""
    key = f"alerts-limit:{key}"
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return False
