from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse

from psm_site.content import models_with_pages

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
        return self.model.objects.published().with_own_pages().prefetch_related("change_notes").order_by("pk")

    def lastmod(self, item):
        return item.last_updated_at or item.first_published_at


# Sitemaps that apps add for pages with no publishable model behind them (see mutuals/apps.py).
EXTRA = {}


def register(name, sitemap):
    EXTRA[name] = sitemap


def sitemaps():
    maps = {"pages": StaticSitemap()}
    for model in models_with_pages():
        maps[f"{model._meta.app_label}-{model._meta.model_name}"] = PublishedSitemap(model)
    return {**maps, **EXTRA}
