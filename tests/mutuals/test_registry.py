"""Find a mutual: querysets, filters, sorts, open data, bad input and query counts."""

import csv
import io
import json

import pytest
from django.urls import reverse

from mutuals.models import Mutual, Region, Sector
from tests.factories import make_many_mutuals, make_mutual
from tests.helpers import body, settle_content_version

pytestmark = pytest.mark.django_db
LIST = reverse("mutuals:mutual-list")


@pytest.fixture
def registry():
    """A small registry covering published × live/closed × sector × region."""
    return {
        "leeds_health": make_mutual(
            name="Leeds Health", sectors=["health"], region="yorkshire-and-the-humber", town="Leeds", spun_out_year=2011
        ),
        "london_libraries": make_mutual(
            name="London Libraries", sectors=["libraries"], region="london", town="Camden", spun_out_year=2016
        ),
        "london_both": make_mutual(
            name="Bothways", sectors=["health", "libraries"], region="london", town="Hackney", spun_out_year=2005
        ),
        "closed_health": make_mutual(
            name="Closed Care", sectors=["health"], region="london", trading_status="closed", spun_out_year=2012
        ),
        "draft_health": make_mutual(name="Draft Health", sectors=["health"], region="london", published=False),
    }


def names(response):
    return [row["name"] for row in response.context["rows"]]


# --- QuerySet case matrix ------------------------------------------------------------------------


def test_published_live_closed_matrix(registry):
    published = Mutual.objects.published()
    assert set(published.values_list("name", flat=True)) == {
        "Leeds Health",
        "London Libraries",
        "Bothways",
        "Closed Care",
    }
    assert set(published.live().values_list("name", flat=True)) == {"Leeds Health", "London Libraries", "Bothways"}
    assert list(published.closed().values_list("name", flat=True)) == ["Closed Care"]
    assert list(Mutual.objects.drafts().values_list("name", flat=True)) == ["Draft Health"]


def test_in_region_and_in_sectors_matrix(registry):
    london = Region.objects.get(slug="london")
    health = Sector.objects.filter(slug="health")
    both = Sector.objects.filter(slug__in=["health", "libraries"])
    qs = Mutual.objects.published()
    assert set(qs.in_region(london).values_list("name", flat=True)) == {"London Libraries", "Bothways", "Closed Care"}
    assert set(qs.in_sectors(health).values_list("name", flat=True)) == {"Leeds Health", "Bothways", "Closed Care"}
    assert qs.in_sectors(both).count() == 4  # any of the sectors, each mutual once
    assert set(qs.in_region(london).in_sectors(health).live().values_list("name", flat=True)) == {"Bothways"}


# --- The page -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["Bothways", "Leeds Health", "London Libraries"]),
        ("?status=all", ["Bothways", "Closed Care", "Leeds Health", "London Libraries"]),
        ("?status=closed", ["Closed Care"]),
        ("?sector=health", ["Bothways", "Leeds Health"]),
        ("?sector=health&sector=libraries", ["Bothways", "Leeds Health", "London Libraries"]),
        ("?region=london", ["Bothways", "London Libraries"]),
        ("?region=london&sector=health&status=all", ["Bothways", "Closed Care"]),
        ("?q=camden", ["London Libraries"]),
        ("?q=LEEDS", ["Leeds Health"]),
        ("?sort=newest", ["London Libraries", "Leeds Health", "Bothways"]),
        ("?sort=newest&status=all", ["London Libraries", "Closed Care", "Leeds Health", "Bothways"]),
        ("?q=nothing-matches", []),
    ],
)
def test_filters_and_sorts(client, registry, query, expected):
    response = client.get(LIST + query)
    assert response.status_code == 200
    assert names(response) == expected
    assert f'data-count="{len(expected)}"' in response.text


def test_drafts_never_listed_or_downloaded(client, registry):
    for url in [LIST + "?status=all", reverse("mutuals:mutuals-csv") + "?status=all"]:
        assert "Draft Health" not in body(client.get(url)).decode()
    assert client.get(registry["draft_health"].get_absolute_url()).status_code == 404


def test_list_is_paginated_and_keeps_filters(client):
    make_many_mutuals(110)
    filtered = client.get(LIST + "?q=bulk+000&sort=newest")  # 'bulk 00000' to 'bulk 00099'
    assert filtered.context["page"].paginator.count == 100
    assert 'href="?q=bulk+000&amp;sort=newest&amp;page=2"' in filtered.text  # page links keep the filters
    response = client.get(LIST)
    assert len(response.context["page"].object_list) == 20
    assert response.context["total"] == 110
    assert len(response.context["rows"]) == 20  # the page holds its 20 rows; the map's points come separately
    assert len(client.get(reverse("mutuals:mutual-points")).json()["points"]) == 110
    assert 'href="?page=2"' in response.text
    assert len(client.get(LIST + "?page=6").context["page"].object_list) == 10
    assert client.get(LIST + "?page=7").status_code == 404


@pytest.mark.parametrize(
    "query, status, message",
    [
        ("?page=abc", 404, None),
        ("?page=99999", 404, None),
        ("?page=0", 404, None),
        ("?sector=not-a-sector", 400, "Choose sectors from the list"),
        ("?region=atlantis", 400, "Choose a region from the list"),
        ("?status=sleeping", 400, "Choose live, closed, no longer a mutual, or any status"),
        ("?sort=random", 400, "Choose how to sort from the list"),
        ("?q=" + "x" * 10_000, 400, "Search must be 100 characters or fewer"),
        ("?q=a&q=b&region=&region=london&sort=name&sort=newest", 200, None),
        ("?q=%00%ff<script>", 400, None),  # the 400 page, before the form (psm_site.web.middleware)
        ("?q=%ff<script>alert(1)</script>", 200, None),
        ("?unknown=1&sector=", 200, None),
    ],
)
def test_bad_query_strings_get_a_clear_answer_never_a_500(client, registry, query, status, message):
    response = client.get(LIST + query)
    assert response.status_code == status
    if message:
        assert message in response.text
        assert "There is a problem" in response.text
        assert "<title>Error: " in response.text
    for data_url in ["mutuals:mutuals-csv", "mutuals:mutuals-json", "mutuals:mutuals-geojson"]:
        data = client.get(reverse(data_url) + query)
        assert data.status_code in (200, 400)
        if message:
            assert data.status_code == 400 and message in data.content.decode()


def test_unknown_mutual_slug_is_404(client):
    assert client.get(reverse("mutuals:mutual-detail", kwargs={"slug": "no-such-mutual"})).status_code == 404


# --- Open data equals the page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["", "?status=all", "?sector=health&region=london&status=all", "?q=leeds", "?sort=newest"]
)
def test_open_data_lists_exactly_what_the_page_lists(client, registry, query):
    page_names = names(client.get(LIST + query))
    csv_rows = list(
        csv.DictReader(io.StringIO(body(client.get(reverse("mutuals:mutuals-csv") + query)).decode("utf-8")))
    )
    as_json = client.get(reverse("mutuals:mutuals-json") + query).json()
    geo = json.loads(client.get(reverse("mutuals:mutuals-geojson") + query).content)
    assert [row["name"] for row in csv_rows] == page_names
    assert [row["name"] for row in as_json["mutuals"]] == page_names
    assert as_json["count"] == len(page_names)
    assert [f["properties"]["name"] for f in geo["features"]] == page_names


def test_open_data_formats(client, registry):
    response = client.get(reverse("mutuals:mutuals-csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header = next(csv.reader(io.StringIO(body(response).decode())))
    assert header[:3] == ["name", "slug", "url"] and "sectors" in header and "last_verified" in header
    geo = client.get(reverse("mutuals:mutuals-geojson"))
    assert geo["Content-Type"] == "application/geo+json"
    feature = json.loads(geo.content)["features"][0]
    assert feature["geometry"]["type"] == "Point" and feature["geometry"]["coordinates"][0] < 0  # longitude first
    assert "Open Government Licence" in client.get(reverse("mutuals:mutuals-json")).json()["licence"]["name"]


# --- Detail, statistics, explainer count -------------------------------------------------------------


def test_detail_page_shows_identifiers_json_ld_and_closed_state(client, registry):
    mutual = registry["closed_health"]
    mutual.companies_house_number = "05555555"
    mutual.save()
    html = client.get(mutual.get_absolute_url()).text
    assert "https://find-and-update.company-information.service.gov.uk/company/05555555" in html
    assert "This mutual no longer trades" in html
    assert '<script type="application/ld+json"' in html and '"@type": "Organization"' in html
    assert "Former public service mutual" in html and "Source</dt>" in html


def test_statistics_count_published_live_mutuals(client, registry):
    response = client.get(reverse("mutuals:statistics"))
    by_sector = {row["name"]: row["count"] for row in response.context["by_sector"]}
    assert by_sector["Health"] == 2 and by_sector["Libraries"] == 2
    by_region = {row["name"]: row["count"] for row in response.context["by_region"]}
    assert by_region["London"] == 2 and by_region["Yorkshire and The Humber"] == 1
    assert [(row["year"], row["total"]) for row in response.context["growth"]] == [
        (2005, 1),
        (2011, 2),
        (2012, 3),
        (2016, 4),
    ]


def test_explainer_count_comes_from_the_registry(client, registry):
    from tests.factories import make_guide

    guide = make_guide()
    guide.sections.create(heading="What is it?", block="registry_count")
    html = client.get(guide.get_absolute_url()).text
    assert "There are now three public service mutuals across England" in html
    assert f'href="{LIST}"' in html


# --- Query counts do not grow with the registry ---------------------------------------------------------


def _counts(client, detail_slug):
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from places.lookup import english_authorities

    ContentType.objects.clear_cache()  # the same count whichever tests ran before
    english_authorities()  # kept by the process once per postcode build: counted here once it is
    cache.clear()
    settle_content_version()
    counts = {}
    for name, url in [
        ("list", LIST),
        ("list-filtered", LIST + "?sector=health&region=london&q=a"),
        ("results", reverse("mutuals:mutual-results") + "?sector=health&region=london"),
        ("points", reverse("mutuals:mutual-points")),
        ("points-filtered", reverse("mutuals:mutual-points") + "?sector=health&region=london"),
        ("points-cached", reverse("mutuals:mutual-points")),
        ("region", reverse("mutuals:region-detail", kwargs={"slug": "london"})),
        ("local-authority", reverse("mutuals:local-authority-detail", kwargs={"slug": "leeds"})),
        ("coverage", reverse("mutuals:coverage")),
        ("coverage-sector", reverse("mutuals:coverage") + "?sector=health"),
        ("coverage-csv", reverse("mutuals:coverage-csv")),
        ("coverage-upper-tier", reverse("mutuals:coverage") + "?by=upper-tier"),
        ("coverage-upper-tier-csv", reverse("mutuals:coverage-csv") + "?by=upper-tier"),
        ("detail", reverse("mutuals:mutual-detail", kwargs={"slug": detail_slug})),
        ("csv", reverse("mutuals:mutuals-csv")),
        ("json", reverse("mutuals:mutuals-json")),
        ("geojson", reverse("mutuals:mutuals-geojson")),
    ]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200
            body(response)  # the CSV streams: its query runs as it is read
        counts[name] = len(captured)
    return counts


# Each page's own queries (the content version comes from the cache); a cache hit makes none.
# Open data is one query (sectors aggregated in SQL).
PINNED = {
    # The first page drawn in this content generation reads the filters' sectors, regions and local
    # authorities once (mutuals/forms.py keeps them per generation); the pages after it do not.
    "list": 6,
    "list-filtered": 1,  # the results' ids ("q=a" matches none here, so no rows to read)
    "results": 3,  # the results' ids, then the page's rows and their sectors
    "points": 2,
    "points-filtered": 2,
    "points-cached": 0,
    "region": 4,
    "local-authority": 4,  # none inside (bulk mutuals have no authority): the nearest five
    "coverage": 4,
    "coverage-sector": 5,
    "coverage-csv": 4,
    "coverage-upper-tier": 7,  # the region counts for the map, then sectors and two counts by authority
    "coverage-upper-tier-csv": 3,
    "detail": 4,
    "csv": 1,
    "json": 1,
    "geojson": 1,
}


@pytest.mark.parametrize("size", [100, 5000])
@pytest.mark.usefixtures("postcodes")
def test_query_counts_are_pinned_at_100_and_5000(client, size):
    make_many_mutuals(size)
    settle_content_version()
    assert _counts(client, "bulk-00001") == PINNED


@pytest.mark.parametrize("size", [100, 5000])
def test_admin_changelist_query_count_is_pinned(publisher_client, size):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_many_mutuals(size)
    publisher_client.get(reverse("admin:mutuals_mutual_changelist"))  # warm the session and content types
    with CaptureQueriesContext(connection) as captured:
        assert publisher_client.get(reverse("admin:mutuals_mutual_changelist")).status_code == 200
    assert len(captured) == 10


def test_admin_mutual_pages_render_with_the_pin_map(editor_client, registry):
    for url in [
        reverse("admin:mutuals_mutual_add"),
        reverse("admin:mutuals_mutual_change", args=[registry["leeds_health"].pk]),
    ]:
        response = editor_client.get(url)
        assert response.status_code == 200
        assert "data-pin-map" in response.text and 'data-longitude-input="id_longitude"' in response.text


def test_the_filters_choices_are_kept_per_content_generation(client, django_assert_num_queries):
    """Sectors, regions and local authorities are read once per generation, and a change shows at once."""
    make_mutual(region="london")
    client.get(LIST)
    with django_assert_num_queries(3):  # the results' ids, the page's rows and their sectors: no choices
        client.get(LIST, {"region": "london", "page": "1"})
    Sector.objects.create(name="Lighthouse keeping", slug="lighthouse-keeping", position=99)
    response = client.get(LIST, {"sector": "lighthouse-keeping"})
    assert response.status_code == 200 and 'value="lighthouse-keeping" checked' in response.text


def test_a_rebuilt_postcode_lookup_moves_the_content_generation():
    """Kept authorities (the filter's select) and cached pages naming them are retired by a rebuild."""
    from mutuals.local_authorities import on_postcodes_ready
    from psm_site.web.cache import version_now

    settle_content_version()
    before = version_now()[0]
    on_postcodes_ready(sender=None, rebuilt=False)
    assert version_now()[0] == before  # nothing was rebuilt, no mutual's authority moved
    on_postcodes_ready(sender=None, rebuilt=True)
    assert version_now()[0] != before
