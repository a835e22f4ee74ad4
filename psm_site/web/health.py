"""What /healthz reports beyond the database: apps register a check by name (alerts registers
its clock), and the base never imports them. A check returns a short word ('ok', 'late',
'unknown'); it informs monitoring and never makes /healthz fail, since pages still work."""

from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from psm_site.web import cache_outage

_checks: dict[str, Callable[[], str]] = {}


def register(name: str, check: Callable[[], str]) -> None:
    _checks[name] = check


def report() -> dict[str, str]:
    return {name: check() for name, check in _checks.items()}


@never_cache
@require_safe
def healthz(request):
    """200 while pages can be served, which needs the database but not the cache (pages are served
    without it, more slowly: psm_site/web/cache_outage.py); 503 only when the database is down."""
    cache = "ok" if cache_outage.probe() else "down"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down", "cache": cache}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "cache": cache, **report()})
