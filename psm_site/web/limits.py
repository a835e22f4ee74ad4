"""Who is asking (the client's address) and how often: rate limits kept in the shared cache.

The address is the socket's peer, unless that peer is one of TRUSTED_PROXIES (addresses or CIDR
ranges: nginx, a load balancer). Then X-Forwarded-For is read from the right, each proxy having
appended the address it was reached from, and the client is the first entry that is not a trusted
proxy: the part a client can write itself is to the left of it, so a spoofed header cannot move
the key, and a client reaching gunicorn directly is its socket's address whatever it sends.
django-axes uses the same function for sign-in lockouts.
"""

import ipaddress
import time
from functools import cache as once
from functools import wraps

from django.conf import settings

from psm_site import personal_data
from psm_site.web import cache_outage
from psm_site.web.errors import error_page


def client_address(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(address):
        return address
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = hop.strip()
        if _ip(hop) is None:
            break  # not an address: nothing further left can be believed
        address = hop
        if not _is_trusted_proxy(hop):
            break
    return address


@once
def _trusted_networks(proxies):
    return [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]


def _is_trusted_proxy(value: str) -> bool:
    address = _ip(value)
    if address is None:
        return False
    return any(address in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def _ip(value: str):
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


# What a limit that fails closed answers while the cache is down: try again in a minute.
CACHE_DOWN_WAIT_SECONDS = 60


def count_and_wait(request, name: str, limit: int, period: int, *, fail_open: bool, key: str | None = None) -> int:
    """Count this request against `name`, then say how long the client must wait: 0 while it is
    within `limit` per `period` seconds, else the seconds until its window ends. Every call counts.

    Counted per client address, or per `key` where something else is limited (an email
    address's digest). Fixed windows: a key per client per window, counted with the cache's
    atomic increment (Redis INCR when REDIS_URL is set), so every worker and server shares the count.

    With the cache down nothing can be counted: a limit that `fail_open` allows the request
    (reading pages: search, and feedback, which sends nothing), one that does not answers
    CACHE_DOWN_WAIT_SECONDS (what sends email: an alert sign-up's confirmation link). Admin
    sign-in lockouts (django-axes) are kept in the database, so they hold with the cache down.
    """
    personal_data.record_for_limit(name)  # a limit keeps an address: it must be in the register
    now = time.time()
    window = int(now // period)
    key = f"limit:{name}:{key or client_address(request)}:{window}"
    try:
        if cache_outage.strict("add", key, 1, timeout=period + 1):
            count = 1
        else:
            try:
                count = cache_outage.strict("incr", key)
            except ValueError:  # expired between add and incr: start the window again
                cache_outage.strict("set", key, 1, timeout=period + 1)
                count = 1
    except cache_outage.Unavailable:
        return 0 if fail_open else CACHE_DOWN_WAIT_SECONDS
    if count <= limit:
        return 0
    return max(1, int((window + 1) * period - now) + 1)


def too_many_requests(retry_after: int):
    response = error_page("429.html", 429, {"retry_minutes": -(-retry_after // 60)})
    response["Retry-After"] = str(retry_after)
    return response


def feedback_limit():
    """(feedback answers allowed, window in seconds) per client address: the view enforces it and
    the privacy notice states it."""
    return settings.FEEDBACK_RATE_LIMIT, settings.FEEDBACK_RATE_LIMIT_WINDOW


def search_limit():
    """(searches allowed, window in seconds) per client address."""
    return settings.SEARCH_LIMIT_PER_MINUTE, 60


def rate_limit(name: str, read_limit, *, fail_open: bool, methods=("POST",)):
    """Answer 429 (with Retry-After) once a client passes read_limit()'s (count, window)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            limit, period = read_limit()
            if request.method in methods and limit:
                wait = count_and_wait(request, name, limit, period, fail_open=fail_open)
                if wait:
                    return too_many_requests(wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _register_ip_limit(name, read_limit, *, when, doing, counted, one, not_kept, order):
    """The register entry of a per-address limit on psm_site/pages/views.py: the address is kept with a
    count for one window, then the cache lets it go."""

    def why():
        limit, window = read_limit()
        return (
            f"To stop anyone {doing.format(limit=limit)} in {personal_data.duration(window)}. It is kept with a "
            f"count of your {counted}, not with {not_kept}"
        )

    def how_long():
        _limit, window = read_limit()
        return f"{personal_data.duration(window)} from your first {one}, then deleted automatically"

    personal_data.register(
        personal_data.Record(
            key=f"ip-address-{name}",
            what=f"Your IP address, when you {when}",
            why=why,
            how_long=how_long,
            receivers="No one: it stays in this site's own cache",
            source=f"psm_site/web/limits.py (rate_limit {name!r} on psm_site/pages/views.py)",
            limits=(name,),
            order=order,
        )
    )


_register_ip_limit(
    "feedback",
    feedback_limit,
    when="send feedback",
    doing="sending more than {limit} answers",
    counted="answers",
    one="answer",
    not_kept="the answers themselves",
    order=20,
)
_register_ip_limit(
    "search",
    search_limit,
    when="search",
    doing="searching more than {limit} times",
    counted="searches",
    one="search",
    not_kept="what you searched for",
    order=21,
)
personal_data.register_cache_use("psm_site.web.limits", "rate limits: see their register entries")
