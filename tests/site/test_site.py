"""One site: search, updates and feeds, redirects, sitemap, robots, site pages, errors and health."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import urlparse

import feedparser
import pytest
from django.contrib.redirects.models import Redirect
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutuals.models import Guide
from psm_site.models import Page
from psm_site.publishing.actions import add_change_note, publish
from tests.factories import make_guide, make_mutual, make_publication

pytestmark = pytest.mark.django_db
SEARCH = reverse("search")


@pytest.fixture
def content(postcodes):
    """Leeds Community Care's pin lies in Leeds, which the postcode slice makes a local authority."""
    guide = make_guide(title="Introduction to mutuals", summary="What a mutual is.")
    guide.sections.create(heading="Benefits", body="Less bureaucracy and happier staff.")
    report = make_publication(title="State of the sector", summary="Annual survey of turnover.")
    mutual = make_mutual(name="Leeds Community Care", town="Leeds", summary="Community nursing in Leeds.")
    draft = make_mutual(name="Secret Leeds Draft", town="Leeds", published=False)
    draft_guide = make_guide(title="Draft guide about bureaucracy", published=False)
    return {"guide": guide, "report": report, "mutual": mutual, "draft": draft, "draft_guide": draft_guide}


# --- Search -------------------------------------------------------------------------------------------


def titles(response):
    return [result.title for result in response.context["results"]]


def test_search_across_types_labelled_by_type(client, content):
    response = client.get(SEARCH, {"q": "leeds"})
    # The mutual, and Leeds the local authority: its pin lies there (the tests' postcodes include Leeds).
    assert titles(response) == ["Leeds Community Care", "Leeds"]
    assert "Mutual" in response.text and "Local authority" in response.text
    assert titles(client.get(SEARCH, {"q": "bureaucracy"})) == ["Introduction to mutuals"]  # found by section text
    assert titles(client.get(SEARCH, {"q": "turnover"})) == ["State of the sector"]
    assert "Research" in client.get(SEARCH, {"q": "turnover"}).text


def test_search_never_finds_drafts(client, content):
    for query in ["secret", "leeds", "draft", "bureaucracy"]:
        html = client.get(SEARCH, {"q": query}).text
        assert "Secret Leeds Draft" not in html and "Draft guide about bureaucracy" not in html


def test_search_ranks_title_matches_first(client, content):
    make_mutual(name="Hull Care", town="Hull", summary="Also works near Leeds sometimes.")
    assert titles(client.get(SEARCH, {"q": "leeds"}))[0] == "Leeds Community Care"


def test_search_no_results_help_and_empty_query(client, content):
    response = client.get(SEARCH, {"q": "zebra crossing"})
    assert "There are no matching results." in response.text
    assert client.get(SEARCH).status_code == 200


@pytest.mark.parametrize(
    "params, status",
    [
        ({"q": "x" * 5000}, 400),
        ({"q": "leeds", "page": "abc"}, 404),
        ({"q": "leeds", "page": "999"}, 404),
        ({"q": "a\x00b"}, 400),
    ],
)
def test_search_bad_input(client, content, params, status):
    assert client.get(SEARCH, params).status_code == status


def test_search_paginates(client):
    for number in range(25):
        make_mutual(name=f"Paged Mutual {number:02d}", town="Paged")
    response = client.get(SEARCH, {"q": "paged"})
    assert len(response.context["page"].object_list) == 10
    assert len(client.get(SEARCH, {"q": "paged", "page": 3}).context["page"].object_list) == 5


# --- Updates and feeds --------------------------------------------------------------------------------


def test_updates_list_every_public_note_newest_first_and_no_drafts(client, content):
    add_change_note(content["guide"], note="Guide revised.")
    add_change_note(content["draft_guide"], note="Hidden draft note.")
    html = client.get(reverse("updates")).text
    assert "Guide revised." in html and "Hidden draft note." not in html
    assert html.index("Guide revised.") < html.index("First published.")


def test_atom_feed_lists_public_notes_newest_first_with_their_dates_and_links(client, content):
    add_change_note(content["report"], note="Added the 2019 figures.", when=datetime(2024, 3, 5, 10, 30, tzinfo=UTC))
    add_change_note(content["draft_guide"], note="Hidden draft note.")
    response = client.get(reverse("updates-feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.link.endswith(reverse("updates"))
    titles = [entry.title for entry in feed.entries]
    assert not any("Hidden draft note." in title for title in titles)
    assert len(titles) == 1 + 3  # the dated note, and 'First published.' for each of the three published items
    revised = next(entry for entry in feed.entries if "Added the 2019 figures." in entry.title)
    assert revised.title == "State of the sector: Added the 2019 figures."
    assert revised.link.endswith(content["report"].get_absolute_url())
    assert revised.updated_parsed[:5] == (2024, 3, 5, 10, 30)
    assert "5 March 2024" in revised.summary
    moments = [entry.updated_parsed for entry in feed.entries]
    assert moments == sorted(moments, reverse=True) and feed.entries[-1] is revised
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)


def test_support_feed_has_only_support_notes(client, content):
    from tests.support.factories import make_programme

    make_programme(name="Mutuals Support Programme")
    feed = feedparser.parse(client.get(reverse("support-updates-feed")).content)
    assert not feed.bozo, feed.bozo_exception
    assert [entry.title for entry in feed.entries] == ["Mutuals Support Programme: First published."]


def test_pages_link_the_feed_in_the_head(client, content):
    assert 'rel="alternate" type="application/atom+xml" href="/updates.atom"' in client.get("/").text


# --- Redirects, sitemap, robots -----------------------------------------------------------------------


def test_changing_a_published_slug_leaves_a_301(client, content):
    guide = content["guide"]
    old = guide.get_absolute_url()
    guide.slug = "new-address"
    guide.save()
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == "/new-address"
    guide.slug = "newer-address"
    guide.save()
    assert client.get(old)["Location"] == "/newer-address"  # no chains
    assert client.get("/new-address")["Location"] == "/newer-address"


def test_draft_slug_changes_leave_no_redirect(content):
    draft = content["draft_guide"]
    draft.slug = "renamed-draft"
    draft.save()
    assert not Redirect.objects.exists()


def test_sitemap_lists_exactly_the_published_pages(client, content):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {urlparse(loc.text).path for loc in ET.fromstring(response.content).findall("s:url/s:loc", namespace)}
    for item in ("guide", "report", "mutual"):
        assert content[item].get_absolute_url() in urls
    assert content["draft"].get_absolute_url() not in urls and content["draft_guide"].get_absolute_url() not in urls
    assert reverse("mutuals:mutual-list") in urls and reverse("home") in urls
    assert "<lastmod>" in response.text


def test_sitemap_says_what_djangos_sitemap_template_would(client, content, rf):
    """Written without the template (too slow at 5,000 mutuals), element for element the same."""
    import re

    from django.contrib.sitemaps.views import sitemap

    from psm_site.pages.sitemaps import sitemaps

    make_guide(title="Fish & chips <today>", slug="fish-chips")  # escaping
    ours = client.get(reverse("sitemap"))
    theirs = sitemap(rf.get("/sitemap.xml"), sitemaps=sitemaps()).render()
    squashed = [re.sub(r">\s+<", "><", response.content.decode()).strip() for response in (ours, theirs)]
    assert squashed[0] == squashed[1]
    assert ours["Content-Type"] == theirs["Content-Type"] and ours.get("Last-Modified") == theirs.get("Last-Modified")
    assert client.get(reverse("sitemap"), {"p": "x"}).status_code == 404


def test_sitemap_entries_are_kept_until_content_or_the_clock_changes(client, settings, time_machine):
    """Without the page cache, the entries are worked out once per content generation: a second
    draw asks the database nothing, a save shows at once, and a scheduled page joins at its time."""
    settings.PAGE_CACHE = False
    time_machine.move_to(datetime(2031, 5, 1, 9, tzinfo=UTC), tick=False)
    first = make_mutual(name="Listed First")
    later = make_mutual(name="Listed Later", publish_at=datetime(2031, 5, 1, 10, tzinfo=UTC))

    def paths(response):
        namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        return {urlparse(loc.text).path for loc in ET.fromstring(response.content).findall("s:url/s:loc", namespace)}

    assert first.get_absolute_url() in paths(client.get(reverse("sitemap")))
    with CaptureQueriesContext(connection) as captured:
        again = client.get(reverse("sitemap"))
    assert not [query for query in captured if "mutuals_mutual" in query["sql"]]
    assert later.get_absolute_url() not in paths(again)
    saved = make_mutual(name="Saved Now")
    assert saved.get_absolute_url() in paths(client.get(reverse("sitemap")))
    time_machine.move_to(datetime(2031, 5, 1, 10, tzinfo=UTC), tick=False)
    assert later.get_absolute_url() in paths(client.get(reverse("sitemap")))


def test_robots_points_at_the_sitemap_and_staging_can_hide(client, settings):
    settings.SITE_URL = "https://mutuals.example.gov.uk"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    assert "Sitemap: https://mutuals.example.gov.uk/sitemap.xml" in client.get("/robots.txt").text
    assert "evil" not in client.get("/robots.txt", HTTP_HOST="evil.example").text
    settings.ROBOTS_DISALLOW_ALL = True
    assert "Disallow: /\n" in client.get("/robots.txt").text


# --- Site pages ---------------------------------------------------------------------------------------


def test_site_pages_are_published_content(client):
    page = Page.objects.create(title="Cookies", slug="cookies", summary="About cookies.", body="## Essential\n\nNone.")
    assert client.get(page.get_absolute_url()).status_code == 404
    publish(page)
    html = client.get(page.get_absolute_url()).text
    assert '<h2 class="govuk-heading-m">Essential</h2>' in html


# --- Errors, maintenance, health -----------------------------------------------------------------------


def test_404_page_is_govuk_styled(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "Page not found" in response.text and "govuk-template" in response.text


def test_database_failure_gives_a_503_without_touching_the_database(client, monkeypatch, django_assert_num_queries):
    def broken(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(Guide.objects, "for_page", broken)
    monkeypatch.setattr("psm_site.web.cache.current_version", broken)  # the first query a public page makes
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        response = client.get("/introduction-to-public-service-mutuals")
    assert response.status_code == 503 and "Sorry, the service is unavailable" in response.text
    assert response["Retry-After"] == "30"


def test_a_database_error_that_is_a_bug_is_a_500_not_an_outage(client, monkeypatch):
    from django.db import ProgrammingError

    def broken(*args, **kwargs):
        raise ProgrammingError("column does not exist")

    monkeypatch.setattr(Guide.objects, "for_page", broken)
    client.raise_request_exception = False
    assert client.get("/introduction-to-public-service-mutuals").status_code == 500


def test_500_page(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(Guide.objects, "for_page", broken)
    client.raise_request_exception = False
    response = client.get("/introduction-to-public-service-mutuals")
    assert response.status_code == 500 and "Sorry, there is a problem with the service" in response.text


def test_maintenance_mode(client, settings):
    settings.MAINTENANCE_MODE = True
    assert client.get("/").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def broken():
        raise OperationalError("could not connect to server: password=secret")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "secret" not in response.text and response.json()["database"] == "down"


def _json_ld(html):
    import json
    import re

    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    ]


def test_structured_data(client, content):
    types = {data["@type"] for data in _json_ld(client.get(content["guide"].get_absolute_url()).text)}
    assert types == {"GovernmentOrganization", "Article"}
    about = _json_ld(client.get(reverse("mutuals:about-data")).text)
    dataset = next(data for data in about if data["@type"] == "Dataset")
    assert {d["encodingFormat"] for d in dataset["distribution"]} == {
        "text/csv",
        "application/json",
        "application/geo+json",
    }
    assert "Organization" in {data["@type"] for data in _json_ld(client.get(content["mutual"].get_absolute_url()).text)}


@pytest.mark.parametrize(
    "handler, status, text",
    [
        ("bad_request", 400, "Sorry, there is a problem with that request"),
        ("permission_denied", 403, "You cannot see this page"),
        ("csrf_failure", 403, "You cannot see this page"),
    ],
)
def test_error_pages_are_govuk_styled_with_the_right_status(rf, handler, status, text):
    from django.contrib.auth.models import AnonymousUser

    from psm_site.web import errors

    request = rf.get("/")
    request.user = AnonymousUser()
    response = getattr(errors, handler)(request)
    assert response.status_code == status
    assert text in response.content.decode() and "govuk-template" in response.content.decode()


def test_a_form_posted_without_its_token_gets_the_govuk_403():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("feedback-problem"), {"path": "/", "what_wrong": "x"})
    assert response.status_code == 403 and "You cannot see this page" in response.text
