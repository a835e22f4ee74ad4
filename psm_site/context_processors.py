from django.conf import settings
from django.urls import reverse

# Header navigation and footer links. A renamed URL fails every page (NoReverseMatch), never a silently missing link.
NAVIGATION = [
    ("About mutuals", "mutuals:guide-detail", {"slug": settings.EXPLAINER_SLUG}),
    ("Find a mutual", "mutuals:mutual-list", {}),
    ("Research", "mutuals:publication-list", {}),
    ("Support", "support:index", {}),
    ("Updates", "updates", {}),
]
FOOTER = [
    ("Accessibility statement", "page", {"slug": "accessibility-statement"}),
    ("Request an accessible format", "page", {"slug": "accessible-formats"}),
    ("Cookies", "page", {"slug": "cookies"}),
    ("Privacy notice", "page", {"slug": "privacy-notice"}),
    ("Open data", "mutuals:about-data", {}),
]


def _links(entries):
    return [{"label": label, "url": reverse(name, kwargs=kwargs)} for label, name, kwargs in entries]


def site(request):
    nav_items = _links(NAVIGATION)
    for item in nav_items:
        item["current"] = request.path == item["url"] or (
            item["url"] != "/" and request.path.startswith(item["url"].rstrip("/") + "/")
        )
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "GOVUK_BRAND": settings.GOVUK_BRAND,
        "PHASE": settings.PHASE,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "CONTACT_TEAM": settings.CONTACT_TEAM,
        "ORGANISATION": settings.ORGANISATION,
        "EXPLAINER_SLUG": settings.EXPLAINER_SLUG,
        "nav_items": nav_items,
        "footer_links": _links(FOOTER),
    }
