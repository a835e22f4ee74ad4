"""Facts the statutory pages state about the site itself, worked out from settings and data so
the privacy notice, cookies page and accessibility statement cannot drift from what the site does.

Apps register what only they know (the mutuals app: hosted PDF documents), as they do for search.
"""

from urllib.parse import urlsplit

from django.conf import settings

from psm_site import personal_data

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


duration = personal_data.duration


def tile_host():
    """The host the map's tiles come from, or None when the map uses no tile server."""
    url = getattr(settings, "MAP_TILES_URL", "")
    if not url:
        return None
    host = urlsplit(url).hostname or url
    return host.removeprefix("{s}.")


def privacy_facts():
    """The privacy notice's facts: the register of personal data (psm_site/personal_data.py) and settings."""
    return {
        "controller": settings.DATA_CONTROLLER,
        "dpo_email": settings.DATA_PROTECTION_OFFICER_EMAIL,
        "contact_email": settings.CONTACT_EMAIL,
        "records": [record.row() for record in personal_data.records()],
        "missing": personal_data.missing_facts(),
        "tile_host": tile_host(),
        "sections": list(_privacy_sections),
    }


def cookie_facts():
    """Every cookie the site can set, from the register, with its lifetime as the settings make it."""
    return {
        "public": [cookie.row() for cookie in personal_data.cookies("public")],
        "staff": [cookie.row() for cookie in personal_data.cookies("staff")],
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
