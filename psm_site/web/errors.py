"""Error pages that cannot fail.

They render from templates/error_base.html without the request: no database, no host name, no
query string, no user and no context processors. Should even that fail, a fixed page is sent.
"""

import logging
import sys

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from psm_site.web import outage

logger = logging.getLogger(__name__)

FALLBACK = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title></head>'
    "<body><h1>{title}</h1><p>Try again later.</p></body></html>"
)
TITLES = {
    400: "Sorry, there is a problem with that request",
    403: "You cannot see this page",
    404: "Page not found",
    429: "Sorry, there have been too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def error_page(template: str, status: int, context: dict | None = None) -> HttpResponse:
    try:
        html = render_to_string(
            template,
            {
                "SERVICE_NAME": settings.SERVICE_NAME,
                "CONTACT_EMAIL": settings.CONTACT_EMAIL,
                "CONTACT_TEAM": settings.CONTACT_TEAM,
                "GOVUK_BRAND": settings.GOVUK_BRAND,
                "PHASE": settings.PHASE,
                **(context or {}),
            },
        )
    except Exception:  # the page that reports errors must not raise one of its own
        logger.exception("Error page %s failed to render", template)
        html = FALLBACK.format(title=TITLES.get(status, "Sorry, there is a problem"))
    return HttpResponse(html, status=status)


# --- The views Django calls for errors (psm_site/urls.py's handlers, CSRF_FAILURE_VIEW) ---


def service_unavailable(request):
    """The 503 page: renders without touching the database."""
    response = error_page("503.html", 503)
    response["Retry-After"] = "300"
    return response


def server_error(request):
    """500, or 503 when the database could not be reached or did not answer (psm_site/web/outage.py)."""
    if outage.is_outage(sys.exc_info()[1]):
        response = service_unavailable(request)
        response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
        return response
    return error_page("500.html", 500)


def bad_request(request, exception=None):
    # Django logs a bad Host header or query to django.security: one short line (psm_site/web/log_filters.py).
    return error_page("400.html", 400)


def permission_denied(request, exception=None):
    """Inside the admin a refusal looks like the admin; elsewhere like the public site."""
    if request.path.startswith(reverse("admin:index")) and getattr(request, "user", None) and request.user.is_staff:
        context = {
            "site_header": admin.site.site_header,
            "site_title": admin.site.site_title,
            "site_url": "/",
            "has_permission": True,
            "is_nav_sidebar_enabled": False,
        }
        return render(request, "admin/403.html", context, status=403)
    return error_page("403.html", 403)


def page_not_found(request, exception=None):
    return error_page("404.html", 404)


def csrf_failure(request, reason=""):
    """A form sent without its security token (often an expired page): GOV.UK-styled 403."""
    return error_page("403.html", 403)
