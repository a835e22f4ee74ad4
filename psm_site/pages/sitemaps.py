from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from psm_site.blocks import per_generation
from psm_site.models import ChangeNote
from psm_site.publishing.content import address_maker, models_with_pages

UK = ZoneInfo("Europe/London")

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


ROW_FIELDS = ("slug", "first_published_at", "newest_note_at")


class PublishedSitemap(Sitemap):
    """Every published item of one model, with the date of its last public change.

    Items addressed by their slug alone (`page_url_name`) are read as plain rows, and their
    addresses made from one reverse(): at 5,000 mutuals, building model instances and reversing
    each address took most of the sitemap's time.
    """

    def __init__(self, model):
        self.model = model
        self.address = address_maker(model)

    def published(self):
        """Published items, each with its newest change note's date from a subquery (unordered)."""
        newest_note = ChangeNote.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=OuterRef("pk"),
            changed_at__isnull=False,  # an undated note says nothing of when the page last changed
        ).order_by("-changed_at", "-pk")
        return (
            self.model.objects.published()
            .with_own_pages()
            .annotate(newest_note_at=Subquery(newest_note.values("changed_at")[:1]))
        )

    def items(self):
        """One query per model (sitemap_xml reads the plain rows of every model in one)."""
        items = self.published().order_by("pk")
        if self.address is None:
            return items
        return items.values(*ROW_FIELDS)

    def location(self, item):
        if self.address is None:
            return item.get_absolute_url()
        return self.address(item["slug"])

    def lastmod(self, item):
        """As the page shows it: 'Last updated' when a note is newer than the first publication, else
        'Published'. An imported registry record's first publication is its import day, which the
        page never shows: go-live (settings.SITE_LIVE_ON) stands for it, and before go-live there is
        no lastmod unless a note is dated."""
        if self.address is None:
            first, newest = item.first_published_at, item.newest_note_at
        else:
            first, newest = item["first_published_at"], item["newest_note_at"]
        if getattr(self.model, "first_published_is_import", False) and first is not None:
            live_on = settings.SITE_LIVE_ON
            first = None if live_on is None else max(first, datetime.combine(live_on, time(), tzinfo=UK))
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
    """/sitemap.xml from the sitemaps above, written directly.

    Django's sitemap view and template say the same (a test compares them), but at 5,000 mutuals
    they took 0.4 s, mostly in the template and in a dictionary per address. One file holds up to
    50,000 addresses (the protocol's limit); past that the site would need a sitemap index.

    What follows the site's address in each entry is the same for every request until content
    changes or a clock boundary passes, so it is worked out once per content generation
    (per_generation); a request puts its own scheme and domain in front.
    """
    if request.GET.get("p", "1") != "1":
        raise Http404("The sitemap has one page.")
    site = get_current_site(request)
    lines = [URLSET_START]
    for sitemap, entries in per_generation("sitemap entries", _entries):
        start = escape(f"{sitemap.get_protocol(request.scheme)}://{sitemap.get_domain(site)}")
        lines.extend(f"<url><loc>{start}{entry}" for entry in entries)
    lines.append("</urlset>\n")
    return HttpResponse("".join(lines), content_type="application/xml")


def _entries():
    """[(sitemap, [each entry after the site's address: its path, lastmod, changefreq and priority])]."""
    zone = timezone.get_current_timezone()
    maps = sitemaps()
    rows = _plain_rows(maps)
    return [
        (sitemap, [_entry(sitemap, item, zone) for item in (rows[name] if name in rows else sitemap.items())])
        for name, sitemap in maps.items()
    ]


def _plain_rows(maps):
    """{name: rows} of every PublishedSitemap read as plain rows, from one query (UNION ALL) instead
    of one per model, each model's rows in the order its items() gives them."""
    names = [name for name, sitemap in maps.items() if isinstance(sitemap, PublishedSitemap) and sitemap.address]
    if len(names) < 2:
        return {}
    queries = [
        maps[name]
        .published()
        .order_by()
        .annotate(sitemap=Value(number, IntegerField()))
        .values("sitemap", "pk", *ROW_FIELDS)
        for number, name in enumerate(names)
    ]
    rows = {name: [] for name in names}
    for row in queries[0].union(*queries[1:], all=True).order_by("sitemap", "pk"):
        rows[names[row["sitemap"]]].append(row)
    return rows


def _value(sitemap, name, item):
    value = getattr(sitemap, name, None)
    return value(item) if callable(value) else value


def _entry(sitemap, item, zone):
    line = f"{escape(sitemap.location(item))}</loc>"
    lastmod = _value(sitemap, "lastmod", item)
    if lastmod:
        if isinstance(lastmod, datetime) and lastmod.tzinfo is not None:
            lastmod = lastmod.astimezone(zone)  # the day as the UK sees it, as Django's template shows it
        line += f"<lastmod>{lastmod:%Y-%m-%d}</lastmod>"
    if changefreq := _value(sitemap, "changefreq", item):
        line += f"<changefreq>{changefreq}</changefreq>"
    if priority := _value(sitemap, "priority", item):
        line += f"<priority>{priority}</priority>"
    return line + "</url>\n"
