from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from psm_site.content import models_with_pages
from psm_site.models import ChangeNote

# Lists and tools with no model behind them.
STATIC_PAGES = [
    "home",
    "updates",
    "search",
    "mutuals:mutual-list",
    "mutuals:statistics",
    "mutuals:coverage",
    "mutuals:about-data",
    "mutuals:publication-list",
    "support:index",
]


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return STATIC_PAGES

    def location(self, name):
        return reverse(name)


class PublishedSitemap(Sitemap):
    """Every published item of one model, with the date of its last public change."""

    def __init__(self, model):
        self.model = model

    def items(self):
        """Published items, each with its newest change note's date from a subquery: one query per model."""
        newest_note = ChangeNote.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), object_id=OuterRef("pk")
        ).order_by("-changed_at", "-pk")
        return (
            self.model.objects.published()
            .with_own_pages()
            .annotate(newest_note_at=Subquery(newest_note.values("changed_at")[:1]))
            .order_by("pk")
        )

    def lastmod(self, item):
        """As the page shows it: 'Last updated' when a note is newer than the first publication, else 'Published'."""
        first, newest = item.first_published_at, item.newest_note_at
        if newest and (first is None or newest > first):
            return newest
        return first


# Sitemaps that apps add for pages with no publishable model behind them (see mutuals/apps.py).
EXTRA = {}


def register(name, sitemap):
    EXTRA[name] = sitemap


def sitemaps():
    maps = {"pages": StaticSitemap()}
    for model in models_with_pages():
        maps[f"{model._meta.app_label}-{model._meta.model_name}"] = PublishedSitemap(model)
    return {**maps, **EXTRA}


URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


def sitemap_xml(request):
    """/sitemap.xml: Django's sitemap view gathers the URLs (its pages, lastmod and Last-Modified,
    404 for a bad ?p=), and they are written out here instead of through its template, which took
    most of the time at 5,000 mutuals. The same elements; no hreflang alternates (the site has one
    language)."""
    response = sitemap(request, sitemaps=sitemaps())
    response.content = URLSET_START + "".join(_url(url) for url in response.context_data["urlset"]) + "</urlset>\n"
    return response


def _url(url):
    parts = [f"<url><loc>{escape(url['location'])}</loc>"]
    if url["lastmod"]:
        lastmod = url["lastmod"]
        if isinstance(lastmod, datetime) and timezone.is_aware(lastmod):
            lastmod = timezone.localtime(lastmod)  # as the template's date filter shows it
        parts.append(f"<lastmod>{lastmod:%Y-%m-%d}</lastmod>")
    if url["changefreq"]:
        parts.append(f"<changefreq>{url['changefreq']}</changefreq>")
    if url["priority"]:
        parts.append(f"<priority>{url['priority']}</priority>")
    parts.append("</url>\n")
    return "".join(parts)
