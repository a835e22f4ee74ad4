"""Facts the statutory pages state about the site itself, worked out from settings and data so
the privacy notice, cookies page and accessibility statement cannot drift from what the site does.

Apps register what only they know (the mutuals app: hosted PDF documents), as they do for search.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage

from psm_site.limits import feedback_limit

_document_sources = []
_privacy_sections = []


def register_privacy_section(template_name):
    """An app that keeps personal data of its own adds a section (a template) to the privacy notice."""
    if template_name not in _privacy_sections:
        _privacy_sections.append(template_name)


def register_documents(source):
    """`source()` returns (title, url) for every hosted document that may not meet WCAG 2.2 AA."""
    _document_sources.append(source)


def non_compliant_documents():
    return [document for source in _document_sources for document in source()]


def duration(seconds):
    """'1 hour', '30 minutes', '2 weeks', '90 days': the largest whole unit."""
    for size, unit in [(604800, "week"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]:
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def days(value):
    return duration(int(value) * 86400) if value else None


def tile_host():
    """The host the map's tiles come from, or None when the map uses no tile server."""
    url = getattr(settings, "MAP_TILES_URL", "")
    if not url:
        return None
    host = urlsplit(url).hostname or url
    return host.removeprefix("{s}.")


def privacy_facts():
    limit, window = feedback_limit()
    return {
        "controller": settings.DATA_CONTROLLER,
        "dpo_email": settings.DATA_PROTECTION_OFFICER_EMAIL,
        "contact_email": settings.CONTACT_EMAIL,
        "feedback_limit": limit,
        "rate_limit_window": duration(window),
        "feedback_retention": days(settings.FEEDBACK_RETENTION_DAYS),
        "server_log_retention": days(settings.SERVER_LOG_RETENTION_DAYS),
        "staff_account_retention": days(settings.STAFF_ACCOUNT_RETENTION_DAYS),
        "tile_host": tile_host(),
        "sections": list(_privacy_sections),
    }


def _browser_session_or(age, *, at_close, every_request=False):
    if at_close:
        return "When you close your browser" + (
            f", or after {duration(age)} without using the site" if every_request else ""
        )
    return duration(age) + (" after your last visit" if every_request else "")


def cookie_facts():
    """Every cookie the site can set, with its lifetime as the settings make it."""
    csrf_age = settings.CSRF_COOKIE_AGE
    return {
        "public": [
            {
                "name": settings.CSRF_COOKIE_NAME,
                "purpose": "Stops other websites sending forms to this site in your name",
                "expires": "When you close your browser" if csrf_age is None else duration(csrf_age),
            }
        ],
        "staff": [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "purpose": "Keeps you signed in",
                "expires": _browser_session_or(
                    settings.SESSION_COOKIE_AGE,
                    at_close=settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
                    every_request=settings.SESSION_SAVE_EVERY_REQUEST,
                )
                + ", or when you sign out",
            },
            {
                "name": CookieStorage.cookie_name,
                "purpose": "Shows you confirmation messages after you save",
                "expires": "When you close your browser",
            },
        ],
        "tile_host": tile_host(),
    }


def accessibility_facts(page):
    return {"documents": non_compliant_documents(), "tested_on": page.last_reviewed}


FACTS = {
    "privacy": lambda page: privacy_facts(),
    "cookies": lambda page: cookie_facts(),
    "accessibility": accessibility_facts,
}


def facts_for(page):
    """The facts a page shows after its text, or None."""
    build = FACTS.get(page.facts)
    return build(page) if build else None
