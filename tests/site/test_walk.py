"""The site-wide walk: every public page, found by following links from the home page."""

import json
import re
from collections import Counter

import feedparser
import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from icalendar import Calendar

from tests.helpers import count_tags, page_title
from tests.site.conftest import load_site_content
from tests.walk import crawl, public_url_names, url_name

pytestmark = pytest.mark.django_db

# URL names that no page links to, with the reason.
NOT_LINKED = {
    "feedback-useful": "the form the 'Is this page useful?' buttons open (a GET form, not a link)",
    "feedback-thanks": "shown after posting feedback",
    "alerts:confirm": "a signed link in the confirmation email",
    "alerts:manage": "a signed link in every email",
    "alerts:unsubscribe": "a signed link (and the List-Unsubscribe header) in every alert email",
    "mutuals:mutual-points": "fetched by the map script (static/js/mutual-map.js) for its markers",
    "mutuals:mutual-results": "fetched by the map script for the count and list when a filter changes",
}


@pytest.fixture(scope="session")
def site_pages(django_db_setup, django_db_blocker):
    """One crawl for the whole run: content loaded, every page fetched, then all rolled back so no
    other test sees the content. Tests read the stored responses."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_site_content()
        # As in production, where every process shares Redis: the generation comes from the cache, so
        # the query counts below are each page's own (the test process's one cache is shared too).
        with override_settings(PAGE_CACHE_SHARED=True):
            pages = crawl(Client())
        transaction.set_rollback(True)
    cache.clear()  # nothing cached from the rolled-back content either
    return pages


def html_pages(pages):
    return {url: r for url, r in pages.items() if "text/html" in r.get("Content-Type", "")}


def test_every_public_url_pattern_is_reachable_by_links(site_pages):
    reached = {url_name(url) for url in site_pages}
    missing = public_url_names() - reached - set(NOT_LINKED)
    assert not missing, f"Nothing links to these pages: {sorted(missing)}"


def test_every_page_answers_without_error(site_pages):
    bad = {url: r.status_code for url, r in site_pages.items() if r.status_code not in (200, 301, 302)}
    assert not bad
    assert len(site_pages) > 60


def test_head_works_wherever_get_does(client, site_content, site_pages):
    for url, response in site_pages.items():  # the same content again: the crawl's was rolled back
        head = client.head(url)
        assert head.status_code == response.status_code, url
        assert head.get("Content-Type") == response.get("Content-Type"), url


# A script element the browser runs: no type, a JavaScript type or a module. Data blocks
# (application/ld+json, application/json from json_script) are never run, so CSP does not cover them.
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
DATA_TYPE = re.compile(r"""\btype=["']?application/(ld\+)?json""", re.I)


def test_no_page_has_an_inline_script_and_the_policy_is_the_same_for_everyone(site_pages):
    """Every script the browser runs is a static file, so the Content Security Policy needs no nonce
    and a page is the same bytes for every visitor (which lets caches keep it compressed)."""
    policies = set()
    for url, response in html_pages(site_pages).items():
        for attrs, body in SCRIPT.findall(response.content.decode()):
            if DATA_TYPE.search(attrs):
                continue
            assert "src=" in attrs and not body.strip(), f"{url}: inline script <script{attrs}>{body[:80]}"
            assert "nonce" not in attrs, url
        policies.add(response["Content-Security-Policy"])
    assert len(policies) == 1
    assert "nonce" not in policies.pop()


def test_every_public_page_is_cacheable_and_sets_no_cookie(site_pages):
    """Shared caches may keep any public page: Cache-Control public with an ETag, and no Set-Cookie."""
    never_cached = {"/healthz"}
    for url, response in site_pages.items():
        if "private" in response.get("Cache-Control", ""):  # a form: 'Report a problem'
            continue
        assert not response.cookies, url
        if response.status_code != 200 or url in never_cached:
            continue
        assert "public" in response["Cache-Control"], url
        if url not in ("/robots.txt",):
            assert response.has_header("ETag"), url


def test_every_html_page_has_one_h1_and_a_unique_title(site_pages):
    pages = html_pages(site_pages)
    wrong_h1 = {
        url: count_tags(r.content.decode(), "h1")
        for url, r in pages.items()
        if count_tags(r.content.decode(), "h1") != 1
    }
    assert not wrong_h1
    titles = Counter()
    for path in {url.split("?")[0] for url in pages}:
        response = pages.get(path) or next(r for u, r in pages.items() if u.split("?")[0] == path)
        titles[page_title(response.content.decode())] += 1
    assert not [title for title, count in titles.items() if count > 1]
    for url, response in pages.items():
        html = response.content.decode()
        assert re.search(r'<meta name="description" content="[^"]{20,}">', html), url
        assert '<link rel="canonical"' in html and 'property="og:title"' in html, url


def test_data_files_parse(site_pages):
    for url, response in site_pages.items():
        kind = response.get("Content-Type", "")
        if kind.startswith("application/json") or kind.startswith("application/geo+json"):
            json.loads(response.content)
        elif kind.startswith("application/atom+xml"):
            assert not feedparser.parse(response.content).bozo, url
        elif kind.startswith("text/calendar"):
            Calendar.from_ical(response.content)


def test_one_page_of_each_type_is_valid_html(site_pages):
    """html5lib in strict mode (it raises at the first parse error) over one page per URL name,
    and every <time datetime> in a form the W3C Nu checker accepts (no fractions of a second; a
    month alone is a valid month string)."""
    import html5lib

    checked = {}
    for url, response in html_pages(site_pages).items():
        if response.status_code == 200:
            checked.setdefault(url_name(url), (url, response.content.decode()))
    assert len(checked) > 15
    # a month ('2017-02', for a date known only to the month), a day, or a moment
    machine_time = re.compile(r"^\d{4}-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z))?)?$")
    for url, html in checked.values():
        try:
            html5lib.HTMLParser(strict=True).parse(html)
        except html5lib.html5parser.ParseError as error:
            raise AssertionError(f"{url}: {error}") from None
    for url, response in html_pages(site_pages).items():
        for value in re.findall(r'<time datetime="([^"]*)"', response.content.decode()):
            assert machine_time.match(value), (url, value)


def test_the_crawl_leaves_nothing_behind_for_other_tests(site_pages):
    from psm_site.publishing.content import publishable_models

    assert site_pages
    assert not any(model.objects.exists() for model in publishable_models())


# Pages that read more than MOST_QUERIES, with the reason. Every other page of the walk stays within it.
MOST_QUERIES = 5
MORE_QUERIES = {
    # the guide; its criteria, benefits, sections (with their publication), the findings and attachments
    # of those publications; change notes
    "mutuals:guide-detail": 7,
    # the counts, the rows and their sectors; the filter form's sectors and regions, one read each
    # (the same rows check a filter and draw the choices), and whether the local authorities a
    # process keeps are still those of the postcode lookup's build
    "mutuals:mutual-list": 6,
    # one full-text query for each kind of thing searched (psm_site/pages/search.py), local authorities too
    "search": 7,
    # the programme; its funds and their rounds; consortia and their members; change notes
    "support:programme-detail": 6,
}


def test_every_page_reads_what_it_shows_in_a_few_queries(site_pages):
    """The walk counts each page's queries as it draws it (tests/walk.py), and pins them here."""
    over = {
        url: r.queries for url, r in site_pages.items() if r.queries > MORE_QUERIES.get(url_name(url), MOST_QUERIES)
    }
    assert not over, over
