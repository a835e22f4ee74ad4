"""Maps without a third party, the points endpoint, region pages and coverage."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from mutuals.maps import REGIONS_ATTRIBUTION, region_features
from mutuals.models import Mutual, Region
from tests.conftest import load_first_content
from tests.factories import make_many_mutuals, make_mutual
from tests.helpers import body

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
GEOJSON = ROOT / "static" / "geo" / "england-regions.geojson"
LIST = reverse("mutuals:mutual-list")
POINTS = reverse("mutuals:mutual-points")
COVERAGE = reverse("mutuals:coverage")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def registry():
    return {
        "leeds": make_mutual(
            name="Leeds Health",
            sectors=["health", "housing"],
            region="yorkshire-and-the-humber",
            town="Leeds",
            latitude="53.7996381",
            longitude="-1.5490774",
            spun_out_year=2011,
        ),
        "camden": make_mutual(name="Camden Libraries", sectors=["libraries"], region="london", spun_out_year=2016),
        "hackney": make_mutual(
            name="Hackney Both", sectors=["health", "libraries"], region="london", spun_out_year=2019
        ),
        "closed": make_mutual(name="Closed Care", sectors=["health"], region="london", trading_status="closed"),
        "draft": make_mutual(name="Draft Health", sectors=["health"], region="london", published=False),
    }


# --- The base map needs nothing from another site --------------------------------------------------


def test_the_regions_file_holds_the_nine_registry_regions():
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    codes = sorted(feature["properties"]["code"] for feature in data["features"])
    assert codes == sorted(Region.objects.values_list("ons_code", flat=True)) == [f"E1200000{i}" for i in range(1, 10)]
    assert sorted(region_features()) == codes


def test_map_pages_name_our_regions_file_no_tiles_and_carry_the_attribution(client, registry):
    for url in [LIST, registry["leeds"].get_absolute_url(), reverse("mutuals:region-detail", args=["london"])]:
        html = client.get(url).text
        settings = json.loads(re.search(r'id="psm-map-settings" type="application/json">(.*?)</script>', html)[1])
        assert settings["regions"] == "/static/geo/england-regions.geojson"
        assert settings["tiles"] is None
        assert "openstreetmap" not in html.lower()
        assert settings["attribution"] == REGIONS_ATTRIBUTION  # shown in the map's attribution control
        # Deferred scripts, only what the map uses.
        assert 'defer src="/static/leaflet/leaflet.js"' in html
        assert "draw.i18n" not in html and "leaflet_map" not in html and "window.load" not in html


def test_tiles_url_setting_reaches_the_maps(client, settings, registry):
    settings.MAP_TILES_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    settings.MAP_TILES_ATTRIBUTION = "© Example"
    html = client.get(LIST).text
    data = json.loads(re.search(r'id="psm-map-settings" type="application/json">(.*?)</script>', html)[1])
    assert data["tiles"] == "https://tiles.example.test/{z}/{x}/{y}.png"
    assert data["tilesAttribution"] == "© Example"


def _settings_in_a_fresh_process(**environment):
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'psm_site.settings'; django.setup();"
        "from django.conf import settings;"
        "print(json.dumps([settings.MAP_TILES_URL, settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
    )
    env = {**os.environ, "DJANGO_TESTING": "1", **environment}
    env.pop("MAP_TILES_URL", None) if "MAP_TILES_URL" not in environment else None
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_content_security_policy_follows_the_tiles_setting():
    tiles, img_src = _settings_in_a_fresh_process()
    assert tiles == ""
    assert img_src == ["'self'", "data:"]
    tiles, img_src = _settings_in_a_fresh_process(
        MAP_TILES_URL="https://api.os.uk/maps/raster/v1/zxy/Light_3857/{z}/{x}/{y}.png?key=k"
    )
    assert img_src == ["'self'", "data:", "https://api.os.uk"]


def test_admin_pin_widget_draws_the_regions(editor_client, registry):
    html = editor_client.get(reverse("admin:mutuals_mutual_change", args=[registry["leeds"].pk])).text
    assert "/static/js/psm-map.js" in html
    assert "geo/england-regions.geojson" in html


# --- Points off the page ------------------------------------------------------------------------------


def test_list_page_holds_its_page_of_rows_not_every_point(client):
    make_many_mutuals(120)
    html = client.get(LIST).text
    assert html.count('class="psm-result"') == 20
    assert "bulk-00100" not in html  # on page 2: only the points endpoint has it
    assert 'data-points="/mutuals/points.json"' in html
    points = client.get(POINTS).json()["points"]
    assert len(points) == 120


def test_points_are_compact_rounded_and_follow_the_filters(client, registry):
    response = client.get(POINTS + "?sector=health")
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"base", "sectors", "points"}
    by_name = {point[2]: point for point in data["points"]}
    assert sorted(by_name) == ["Hackney Both", "Leeds Health"]
    lat, lng, name, slug, town, sectors, closed = by_name["Leeds Health"]
    assert (lat, lng) == (53.79964, -1.54908)
    assert data["base"] + slug + "/" == registry["leeds"].get_absolute_url()
    assert [data["sectors"][i] for i in sectors] == ["Health", "Housing"]
    assert (town, closed) == ("Leeds", 0)
    assert b" " not in response.content.replace(b"Leeds Health", b"").replace(b"Hackney Both", b"").replace(
        b"social care", b""
    ).replace(b"Children's services", b"")  # no indentation or spaces after separators
    closed_points = client.get(POINTS + "?status=closed").json()["points"]
    assert [(p[2], p[6]) for p in closed_points] == [("Closed Care", 1)]


def test_points_are_cached_and_an_edit_shows_at_once(client, registry, django_assert_num_queries):
    client.get(POINTS)
    with django_assert_num_queries(0):  # served from the page cache: only the content version
        first = client.get(POINTS).json()
    assert "Leeds Health" in [p[2] for p in first["points"]]
    leeds = registry["leeds"]
    leeds.name = "Leeds Community Health"
    leeds.save()
    assert "Leeds Community Health" in [p[2] for p in client.get(POINTS).json()["points"]]
    leeds.sectors.set([])
    assert "Leeds Community Health" not in [p[2] for p in client.get(POINTS + "?sector=health").json()["points"]]


@pytest.mark.parametrize("query", ["?sector=nope", "?region=atlantis", "?status=sleeping", "?q=" + "x" * 500])
def test_bad_filters_give_400_on_points_and_results(client, query):
    for url in [POINTS, reverse("mutuals:mutual-results")]:
        response = client.get(url + query)
        assert response.status_code == 400
        assert "not valid" in response.text


def test_results_fragment_is_the_count_and_the_list(client, registry):
    html = client.get(reverse("mutuals:mutual-results") + "?region=london").text
    assert 'id="mutual-count"' in html and 'id="mutual-results"' in html
    assert 'data-count="2"' in html
    assert "<html" not in html and "mutual-filters" not in html
    assert "On the map: 2 mutuals, all in London." in html


def test_map_summary_names_the_region_with_most(client, registry):
    html = client.get(LIST).text
    assert "On the map: 3 mutuals in 2 regions; most in London." in html
    html = client.get(LIST + "?q=nothing-matches").text
    assert "No mutuals match these filters, so the map shows none." in html


# --- Region pages -------------------------------------------------------------------------------------


def test_region_page(client, registry):
    url = reverse("mutuals:region-detail", args=["london"])
    response = client.get(url)
    html = response.text
    assert "Our registry lists 2 live public service mutuals in London." in html
    # Counts by sector link to the filtered list; sectors with none say so.
    assert f'href="{LIST}?sector=libraries&amp;region=london">Libraries</a>' in html
    assert re.search(r"Housing</th>\s*<td[^>]*>none</td>", html)
    # Most recent spin-outs first; the closed and the draft never appear.
    assert html.index("Hackney Both") < html.index("Camden Libraries")
    assert "Closed Care" not in html and "Draft Health" not in html
    for name in ["mutuals-csv", "mutuals-json", "mutuals-geojson"]:
        assert f'href="{reverse("mutuals:" + name)}?region=london"' in html
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = next(d for d in map(json.loads, scripts) if d["@type"] == "Place")
    assert data["name"] == "London"
    assert data["identifier"]["value"] == "E12000007"
    assert 'data-region="E12000007"' in html and 'data-points="/mutuals/points.json?region=london"' in html
    assert client.get(reverse("mutuals:region-detail", args=["atlantis"])).status_code == 404


def test_region_pages_are_in_the_sitemap_and_search(client, registry):
    sitemap = client.get("/sitemap.xml").text
    for slug in Region.objects.values_list("slug", flat=True):
        assert f"/mutuals/regions/{slug}/</loc>" in sitemap
    assert "/mutuals/coverage/</loc>" in sitemap
    html = client.get(reverse("search") + "?q=yorkshire").text
    assert 'href="/mutuals/regions/yorkshire-and-the-humber/"' in html


# --- Coverage -----------------------------------------------------------------------------------------


def _independent_counts(client):
    """Sector × region counts of live mutuals, from the open-data CSV alone."""
    rows = list(csv.DictReader(io.StringIO(body(client.get(reverse("mutuals:mutuals-csv"))).decode())))
    assert all(row["status"] == "live" for row in rows)
    cells, regions = Counter(), Counter()
    for row in rows:
        regions[row["region"]] += 1
        for sector in row["sectors"].split("; "):
            cells[(sector, row["region"])] += 1
    return cells, regions, len(rows)


def test_coverage_equals_counts_from_the_open_data(client):

    load_first_content()
    cells, regions, total = _independent_counts(client)
    assert total == 33  # the fixtures' live mutuals (the Behavioural Insights Team is no longer one)

    table = list(csv.reader(io.StringIO(client.get(reverse("mutuals:coverage-csv")).content.decode())))
    header, *body, last = table
    region_names = header[1:-1]
    assert len(region_names) == 9 and header[-1] == "England"
    for sector, *counts, england in body:
        assert [int(c) for c in counts] == [cells[(sector, region)] for region in region_names], sector
        assert int(england) == sum(cells[(sector, region)] for region in region_names)
    assert last == ["All sectors", *(str(regions[r]) for r in region_names), str(total)]

    # The page shows the same numbers, "none" in text for empty cells, each number a link.
    html = client.get(COVERAGE).text
    empty = sum(1 for sector, *counts, _ in body for c in counts if c == "0")
    assert html.count('psm-coverage-table__none">none</td>') == empty > 0
    assert f'href="{LIST}?sector=health&amp;region=north-west">{cells[("Health", "North West")]}<' in html


def test_coverage_map_by_sector_with_text_legend_and_table(client, registry):
    html = client.get(COVERAGE + "?sector=libraries").text
    assert html.count("<path d=") == 9
    assert "Regions with no live mutual in Libraries: North East, North West," in html
    assert re.search(r"<title>London: 2</title>", html)
    assert "<li><svg" in html and ">none</li>" in html  # the key in words
    assert re.search(
        r'London</a></th>\s*<td[^>]*><a class="govuk-link" href="/mutuals/\?sector=libraries&amp;region=london">2<',
        html,
    )
    all_sectors = client.get(COVERAGE).text
    assert re.search(r"<title>Yorkshire and The Humber: 1</title>", all_sectors)
    assert client.get(COVERAGE + "?sector=atlantis").status_code == 400


@pytest.mark.usefixtures("postcodes")
def test_coverage_by_upper_tier_authority_lists_only_authorities_with_a_live_mutual(client, registry):
    make_mutual(name="Westminster Care", sectors=["health"], region="london", postcode="SW1A 2AA")
    make_mutual(
        name="Westminster Closed", sectors=["libraries"], region="london", postcode="SW1A 2AA", trading_status="closed"
    )
    Mutual.objects.filter(pk=registry["camden"].pk).update(local_authority=None)  # as a mutual with no place found
    html = client.get(COVERAGE + "?by=upper-tier").text
    assert "Every sector by upper-tier authority</h2>" in html
    assert 'id="coverage-by-upper-tier" name="by" type="radio" value="upper-tier" checked' in html
    assert "in our registry" in html
    # Leeds: Leeds Health (health, housing), Hackney Both (health, libraries, pinned in Leeds); Westminster Care.
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', html.split('id="coverage-table"')[1])
    assert rows == ["Leeds", "Westminster", "All authorities listed"]
    assert "1 live mutual in our registry has no local authority recorded" in html
    assert 'class="psm-table-scroll" role="region" aria-labelledby="coverage-caption" tabindex="0"' in html

    table = list(
        csv.reader(io.StringIO(client.get(reverse("mutuals:coverage-csv") + "?by=upper-tier").content.decode()))
    )
    header, *body, last = table
    assert header[:2] == ["upper_tier_code", "upper_tier_authority"] and header[-1] == "All sectors"
    health, housing, libraries = (header.index(name) for name in ("Health", "Housing", "Libraries"))
    leeds, westminster = body
    assert leeds[1] == "Leeds" and (leeds[health], leeds[housing], leeds[libraries], leeds[-1]) == ("2", "1", "1", "2")
    assert westminster[1] == "Westminster" and westminster[0] == "E09000033"
    assert (westminster[health], westminster[libraries], westminster[-1]) == ("1", "0", "1")
    assert last[1] == "All authorities listed" and last[health] == "3" and last[-1] == "3"

    # The sector map keeps the table's choice, and a bad choice is a 400, never a 500.
    assert '<input type="hidden" name="by" value="upper-tier">' in html
    assert client.get(COVERAGE + "?by=ward").status_code == 400
    assert client.get(reverse("mutuals:coverage-csv") + "?by=ward").status_code == 400
    assert "Every sector by region</h2>" in client.get(COVERAGE + "?by=region").text


def test_coverage_is_two_clicks_from_the_home_page(client, registry):
    home = client.get(reverse("home")).text
    assert f'href="{LIST}"' in home
    assert f'href="{COVERAGE}"' in client.get(LIST).text
    assert f'href="{COVERAGE}"' in client.get(reverse("mutuals:statistics")).text


def test_closed_and_draft_mutuals_are_not_counted(client, registry):
    body = list(csv.reader(io.StringIO(client.get(reverse("mutuals:coverage-csv")).content.decode())))
    assert body[-1][-1] == "3"
    assert Mutual.objects.count() == 5
