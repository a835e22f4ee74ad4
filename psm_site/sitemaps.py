from django.contrib.contenttypes.models import ContentType
from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Subquery
from django.urls import NoReverseMatch, reverse

from psm_site.content import models_with_pages
from psm_site.models import ChangeNote

# Lists and tools with no model behind them. A name whose page does not exist yet is skipped.
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
        names = []
        for name in STATIC_PAGES:
            try:
                reverse(name)
            except NoReverseMatch:
                continue
            names.append(name)
        return names

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
