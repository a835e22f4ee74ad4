"""Error pages that cannot fail.

They render from templates/error_base.html without the request: no database, no host name, no
query string, no user and no context processors. Should even that fail, a fixed page is sent.
"""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

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
