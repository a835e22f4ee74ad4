"""Site-wide views: home, health."""

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mutuals.models import Guide


@require_GET
def home(request):
    guides = Guide.objects.published()
    return render(request, "home.html", {"guides": guides})


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def robots_txt(request):
    from django.conf import settings

    lines = ["User-agent: *"]
    lines.append("Disallow: /" if settings.ROBOTS_DISALLOW_ALL else "Disallow: /admin/")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
