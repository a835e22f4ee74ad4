"""The regions base map in a real browser: drawn with nothing from another site, clickable and
keyboard-reachable on Find a mutual, tiles only when configured, and axe-clean new pages."""

import re

import pytest
from django.urls import reverse

from mutuals.models import Mutual
from tests.browser.conftest import axe_violations
from tests.browser.keyboard import tab_to
from tests.browser.test_registry import MAP, OFF_SITE, a_live_mutual, expected_names, log_in, result_count

pytestmark = pytest.mark.django_db(transaction=True)

REGION = MAP + " path[data-region]"
TILES = "https://tiles.example.test/{z}/{x}/{y}.png"

# A point of the page where the topmost element is the region's own path (not a marker or a
# cluster above it), so a real mouse click lands on the region.
POINT_ON_REGION = """(code) => {
  const path = document.querySelector(`#mutual-map-canvas path[data-region="${code}"]`);
  const box = path.getBoundingClientRect();
  for (let fy = 0.5; fy < 1; fy += 0.05) for (const sy of [1, -1]) for (let fx = 0.5; fx < 1; fx += 0.05) for (const sx of [1, -1]) {
    const x = box.left + box.width * (0.5 + sx * (fx - 0.5)), y = box.top + box.height * (0.5 + sy * (fy - 0.5));
    if (document.elementFromPoint(x, y) === path) return { x, y };
  }
  return null;
}"""


@pytest.fixture
def requests_seen(page):
    """Every URL the page asks for; off-site ones are aborted (this machine has no internet)."""
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    page.route(OFF_SITE, lambda route: route.abort())
    return seen


def regions_drawn(page, container=MAP):
    page.wait_for_function("(s) => document.querySelector(s).dataset.regionsDrawn === '9'", arg=container)
    return page.locator(f"{container} path[data-region]").count()


def test_base_layer_draws_nine_regions_on_every_map(live_server, page, requests_seen, registry, publisher):
    mutual = a_live_mutual()
    for url in [
        reverse("mutuals:mutual-list"),
        mutual.get_absolute_url(),
        reverse("mutuals:region-detail", args=["north-west"]),
    ]:
        page.goto(live_server.url + url)
        assert regions_drawn(page) == 9, url
        assert "Martin Chorley" in page.locator(f"{MAP} .leaflet-control-attribution").inner_text()
    log_in(page, live_server, publisher)
    page.goto(live_server.url + reverse("admin:mutuals_mutual_change", args=[mutual.pk]))
    assert regions_drawn(page, "[data-pin-map]") == 9
    # The pin map's regions do nothing from the keyboard: no Tab stops on them.
    tab_stops = page.evaluate(
        "() => [...document.querySelectorAll('[data-pin-map] path[data-region]')].map((p) => p.tabIndex)"
    )
    assert tab_stops == [-1] * 9
    assert [url for url in requests_seen if OFF_SITE.match(url)] == []


def test_clicking_a_region_filters_the_list_and_the_address(live_server, page, requests_seen, registry):
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    regions_drawn(page)
    page.wait_for_function("(s) => document.querySelector(s).dataset.markerCount === '33'", arg=MAP)
    page.evaluate("window.__still = 1")
    before = len(requests_seen)
    point = page.evaluate(POINT_ON_REGION, "E12000002")  # North West
    assert point
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("() => window.location.search === '?region=north-west'")
    expected = expected_names(region="north-west")
    page.wait_for_function(
        "(n) => document.querySelector('#result-count').dataset.count === String(n)", arg=len(expected)
    )
    assert page.locator("#id_region").input_value() == "north-west"
    assert sorted(page.locator("#mutual-results .psm-result h3 a").all_inner_texts()) == expected
    assert page.evaluate("window.__still") == 1, "the page reloaded"
    # Only the list fragment and the points were fetched, never the whole page.
    fetched = [url.split("://", 1)[1].split("/", 1)[1] for url in requests_seen[before:]]
    assert "mutuals/results/?region=north-west" in fetched
    assert "mutuals/points.json?region=north-west" in fetched
    assert not [url for url in fetched if url.startswith("mutuals/?")]
    # The chosen region is outlined (GOV.UK blue, thicker) and the map fits it.
    selected = page.locator(f'{MAP} path[data-region="E12000002"]')
    page.wait_for_function(
        "(s) => document.querySelector(s).getAttribute('stroke') === '#1d70b8'",
        arg=f'{MAP} path[data-region="E12000002"]',
    )
    assert selected.get_attribute("stroke-width") == "4"
    page.wait_for_function(
        """(s) => { const map = document.querySelector(s).psmMap; let region = null;
          map.eachLayer((l) => { if (l.feature && l.feature.properties.code === 'E12000002') region = l; });
          return map.getZoom() >= 7 && map.getBounds().pad(0.05).contains(region.getBounds()); }""",
        arg=MAP,
    )


def test_the_keyboard_reaches_a_region_and_enter_chooses_it(live_server, page, requests_seen, registry):
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    regions_drawn(page)
    region = tab_to(page, REGION)
    # Regions come in ONS order (north to south), before the markers and clusters.
    assert region.get_attribute("data-region") == "E12000001"
    assert region.get_attribute("role") == "button"
    assert region.get_attribute("aria-label") == "North East: show mutuals in this region"
    page.locator(f"{MAP} .psm-region-label").wait_for()
    assert page.locator(f"{MAP} .psm-region-label").inner_text() == "North East"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.region") == "E12000002"
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.location.search === '?region=north-west'")
    assert result_count(page) == len(expected_names(region="north-west"))
    # Focus is never trapped: Tab carries on past the map to the list.
    tab_to(page, "#mutual-results a")


def test_without_javascript_the_region_select_filters(live_server, new_context, registry):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    page.select_option("#id_region", "north-west")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    assert "region=north-west" in page.url
    assert result_count(page) == len(expected_names(region="north-west"))


def test_no_request_leaves_the_site_without_tiles(live_server, page, requests_seen, registry):
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    regions_drawn(page)
    page.wait_for_load_state("networkidle")
    assert [url for url in requests_seen if OFF_SITE.match(url)] == []
    assert page.locator(f"{MAP} .leaflet-tile").count() == 0


def test_the_configured_tile_host_is_asked_when_tiles_are_set(live_server, page, requests_seen, registry, settings):
    settings.MAP_TILES_URL = TILES
    settings.MAP_TILES_ATTRIBUTION = "Example tiles"
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {
        **policy,
        "DIRECTIVES": {
            **policy["DIRECTIVES"],
            "img-src": [*policy["DIRECTIVES"]["img-src"], "https://tiles.example.test"],
        },
    }
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    regions_drawn(page)
    page.wait_for_function("() => document.querySelectorAll('.leaflet-tile').length > 0")
    page.wait_for_load_state("networkidle")
    off_site = [url for url in requests_seen if OFF_SITE.match(url)]
    assert off_site and all(re.match(r"^https://tiles\.example\.test/\d+/\d+/\d+\.png$", url) for url in off_site)
    assert "Example tiles" in page.locator(f"{MAP} .leaflet-control-attribution").inner_text()


def test_coverage_sector_select_redraws_the_map(live_server, page, requests_seen, registry):
    page.goto(live_server.url + reverse("mutuals:coverage"))
    assert page.locator(".psm-choropleth path").count() == 9
    page.select_option("#coverage-sector", "justice")
    page.wait_for_function("() => document.querySelector('#coverage-map').textContent.startsWith('Justice')")
    assert "sector=justice" in page.url
    justice = Mutual.objects.published().live().filter(sectors__slug="justice")
    regions = sorted(set(justice.values_list("region__name", flat=True)))
    summary = page.locator("#choropleth-summary").inner_text()
    assert summary.startswith("Regions with no live mutual in Justice:")
    assert not any(name in summary for name in regions)


def test_coverage_without_javascript(live_server, new_context, registry):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + reverse("mutuals:coverage"))
    page.select_option("#coverage-sector", "health")
    with page.expect_navigation():
        page.get_by_role("button", name="Show", exact=True).click()
    assert "Health: live mutuals by region" in page.locator("#coverage-map").inner_text()


@pytest.mark.parametrize("name", ["region", "coverage", "list"])
def test_axe_finds_no_violations_on_map_pages(live_server, page, requests_seen, registry, name):
    url = {
        "region": reverse("mutuals:region-detail", args=["london"]),
        "coverage": reverse("mutuals:coverage"),
        "list": reverse("mutuals:mutual-list"),
    }[name]
    page.goto(live_server.url + url)
    if name != "coverage":
        regions_drawn(page)
        page.wait_for_function("(s) => document.querySelector(s).dataset.markerCount > 0", arg=MAP)
    assert axe_violations(page) == []
