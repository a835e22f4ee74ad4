"""Cache outages: pages without the cache, one log line per outage, and a short hold-off.

The cache (Redis in production) only makes pages faster, so losing it must not lose a page.
Every read and write of the cache in the request path goes through `call`: on a cache error it
answers the caller's default (a miss, or a write not made), the request goes on the uncached path,
and for HOLD_OFF_SECONDS no request of this process tries the cache again, so a frozen Redis costs
one timeout (REDIS_TIMEOUT, psm_site/settings.py) rather than one per call. The log gets one
warning when this process first sees the outage and one line when the cache answers again, as
psm_site/web/outage.py does for the database.

When the cache answers again, this process retires every cached page (a new generation): a change
committed during the outage could not replace the generation, so pages rendered before it might
otherwise be served once the cache is back.

Rate limits decide for themselves what an outage means (psm_site/web/limits.py): open for reading
pages, closed for what sends a sign-in email.
"""

import logging

from django.core.cache import cache

from psm_site.web.outage import Watch

logger = logging.getLogger("psm_site.web.cache")

HOLD_OFF_SECONDS = 1.0

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is in requirements.txt
    RedisError = OSError
# A connection refused, reset or timed out (redis-py wraps socket errors in its own).
CACHE_ERRORS = (RedisError, OSError)

_watch = Watch(logger, "cache unavailable, serving pages without it until it is back", "cache answering again")
_recovery_hooks = []


def on_recovery(hook):
    """Call `hook()` when the cache answers again after this process saw it fail."""
    _recovery_hooks.append(hook)


class Unavailable(Exception):
    """The cache could not be asked (an error now, or one moments ago)."""


def call(method, *args, default=None, **kwargs):
    """`cache.<method>(*args, **kwargs)`, or `default` when the cache cannot be reached."""
    try:
        return strict(method, *args, **kwargs)
    except Unavailable:
        return default


def strict(method, *args, **kwargs):
    """As `call`, but raising Unavailable, for callers that fail closed."""
    if _watch.held():
        raise Unavailable
    try:
        result = getattr(cache, method)(*args, **kwargs)
    except CACHE_ERRORS as error:
        _watch.failed(error, HOLD_OFF_SECONDS)
        raise Unavailable from error
    if _watch.since is not None and _watch.answered():
        for hook in _recovery_hooks:
            hook()
    return result


def probe():
    """Ask the cache now (ignoring the hold-off), for /healthz: True if it answered."""
    _watch.held_until = 0.0
    try:
        strict("get", "psm:healthz")
    except Unavailable:
        return False
    return True


def reset():
    _watch.reset()
