"""What only a browser shows on Find a mutual: the markers, live filters, keyboard use, the admin pin, axe-core.

Map tiles cannot load here (and must not matter): every off-site request is aborted, and the
markers have to draw on the map's plain background.
"""

import re
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse

from mutuals.models import ENGLAND_LATITUDE, ENGLAND_LONGITUDE, Mutual, Region, Sector
from mutuals.views.organisations import PAGE_SIZE
from tests.browser.conftest import axe_violations
from tests.browser.keyboard import tab_to

pytestmark = pytest.mark.django_db(transaction=True)

OFF_SITE = re.compile(r"^https?://(?!localhost[:/]|127\.0\.0\.1[:/])")
MAP = "#mutual-map-canvas"
LEAFLET_MAP = f"document.querySelector({MAP!r}).psmMap"  # the Leaflet map (static/js/mutual-map.js)

# Markers on the map, counting those inside clusters (a cluster's icon shows how many it holds).
# Null until the map has drawn; the count settles once markercluster's animations have finished.
MARKER_TOTAL = """(selector) => {
  const map = document.querySelector(selector);
  if (!map || !map.hasAttribute("data-marker-count")) return null;
  let total = 0;
  for (const icon of map.querySelectorAll(".leaflet-marker-pane .leaflet-marker-icon")) {
    total += icon.classList.contains("marker-cluster") ? parseInt(icon.textContent, 10) : 1;
  }
  return total;
}"""

SETTLED = (
    "(selector) => {\n  const total = ("
    + MARKER_TOTAL
    + """)(selector);
  const moving = document.querySelector(
    [".leaflet-zoom-anim", ".leaflet-cluster-anim", ".leaflet-pan-anim"].map((c) => selector + " " + c).join()
  );
  const now = performance.now();
  if (total === null || moving || total !== window.__psmTotal) {
    window.__psmTotal = total;
    window.__psmSince = now;
    return false;
  }
  return now - window.__psmSince > 600;
}"""
)

# The admin pin: the one marker on the widget's map, as [lat, lng].
PIN = """() => {
  const map = document.querySelector("[data-pin-map]").psmPinMap;
  let found = null;
  map.eachLayer((layer) => { if (layer instanceof L.Marker) found = layer.getLatLng(); });
  return found && [found.lat, found.lng];
}"""


@pytest.fixture
def blocked(page):
    """Abort every off-site request (map tiles); return the console errors those aborts cause."""
    seen = []
    page.route(OFF_SITE, lambda route: route.abort())
    page.on(
        "console",
        lambda m: (
            seen.append(f"console {m.type}: {m.text}")
            if m.type == "error" and OFF_SITE.match(m.location.get("url", ""))
            else None
        ),
    )
    return seen


def settled_marker_total(page, selector=MAP):
    """Wait until the map has drawn and its markers have stopped moving, then count them."""
    page.evaluate("delete window.__psmTotal")
    page.wait_for_function(SETTLED, arg=selector)
    return page.evaluate(MARKER_TOTAL, selector)


def result_count(page):
    return int(page.locator("#result-count").get_attribute("data-count"))


def listed_names(page):
    return page.locator("#mutual-results .psm-result h3 a").all_inner_texts()


def lists_first_page_of(page, expected):
    """The list shows a page of the expected mutuals: all of them, or the first PAGE_SIZE."""
    listed = listed_names(page)
    return len(listed) == min(len(expected), PAGE_SIZE) and set(listed) <= set(expected)


def expected_names(*, sectors=(), region=None, status="live"):
    mutuals = Mutual.objects.published()
    if sectors:
        mutuals = mutuals.in_sectors(Sector.objects.filter(slug__in=sectors))
    if region:
        mutuals = mutuals.in_region(Region.objects.get(slug=region))
    if status == "live":
        mutuals = mutuals.live()
    return sorted(mutuals.values_list("name", flat=True))


def a_live_mutual():
    return Mutual.objects.published().live().order_by("name").first()


# --- The map draws every result ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", {}),
        ("?sector=health", {"sectors": ["health"]}),
        (
            "?sector=adult-social-care&sector=libraries&status=all",
            {"sectors": ["adult-social-care", "libraries"], "status": "all"},
        ),
        ("?region=north-west&status=all", {"region": "north-west", "status": "all"}),
    ],
)
def test_map_draws_one_marker_per_result(live_server, page, blocked, registry, query, filters):
    page.goto(live_server.url + reverse("mutuals:mutual-list") + query)
    expected = expected_names(**filters)
    assert result_count(page) == len(expected) > 0
    assert settled_marker_total(page) == len(expected)
    assert page.locator(MAP).get_attribute("data-marker-count") == str(len(expected))
    assert lists_first_page_of(page, expected)


def test_the_whole_registry_is_on_the_map_including_duplicated_coordinates(live_server, page, blocked, registry):
    # Several fixture mutuals share a town centre: they can never split apart, only cluster.
    page.goto(live_server.url + reverse("mutuals:mutual-list") + "?status=all")
    assert result_count(page) == Mutual.objects.published().count() == 37
    assert settled_marker_total(page) == 37


# --- Filters with JavaScript update map, list, count and address together ---------------------


def test_changing_filters_updates_map_list_count_and_address_without_reloading(live_server, page, blocked, registry):
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    assert settled_marker_total(page) == result_count(page) == len(expected_names()) == 33  # the fixtures' live mutuals
    page.evaluate("window.__marker = 1")

    steps = [
        (lambda: page.get_by_label("Health", exact=True).check(), "?sector=health", {"sectors": ["health"]}),
        (
            lambda: page.select_option("#id_region", "north-west"),
            "?sector=health&region=north-west",
            {"sectors": ["health"], "region": "north-west"},
        ),
        (
            lambda: page.get_by_label("Any status", exact=True).check(),
            "?sector=health&region=north-west&status=all",
            {"sectors": ["health"], "region": "north-west", "status": "all"},
        ),
    ]
    previous = 33
    for change, search, filters in steps:
        expected = expected_names(**filters)
        assert len(expected) != previous, "each step should change the results, or the test proves nothing"
        change()
        page.wait_for_function("(search) => window.location.search === search", arg=search)
        page.wait_for_function(
            "(n) => document.querySelector('#result-count').dataset.count === String(n)", arg=len(expected)
        )
        assert settled_marker_total(page) == len(expected)
        assert lists_first_page_of(page, expected)
        assert page.evaluate("window.__marker") == 1, "the page reloaded"
        previous = len(expected)

    # The address now holds the state: opening it afresh shows the same results.
    page.goto(page.url)
    assert result_count(page) == previous
    assert settled_marker_total(page) == previous


def test_filters_work_without_javascript(live_server, new_context, registry):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    assert result_count(page) == 33
    page.get_by_label("Adult social care", exact=True).check()
    page.select_option("#id_region", "south-west")
    page.get_by_label("Any status", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()

    assert "sector=adult-social-care" in page.url and "region=south-west" in page.url and "status=all" in page.url
    expected = expected_names(sectors=["adult-social-care"], region="south-west", status="all")
    assert result_count(page) == len(expected) == 2
    assert lists_first_page_of(page, expected)
    assert page.get_by_label("Adult social care", exact=True).is_checked()
    assert page.locator(f"{MAP} .leaflet-marker-icon").count() == 0


# --- Keyboard -----------------------------------------------------------------------------------


def test_enter_on_a_focused_marker_opens_its_popup_with_a_link(live_server, page, blocked, registry):
    only = Mutual.objects.published().live().get(region__slug="north-east")
    page.goto(live_server.url + reverse("mutuals:mutual-list") + "?region=north-east")
    assert settled_marker_total(page) == 1

    marker = tab_to(page, f"{MAP} .leaflet-marker-icon")
    assert marker.get_attribute("role") == "button"
    assert only.name in marker.get_attribute("alt")
    page.keyboard.press("Enter")
    link = page.locator(f"{MAP} .leaflet-popup-content a")
    link.wait_for()
    assert link.inner_text() == only.name
    assert link.get_attribute("href") == only.get_absolute_url()


def test_clusters_are_buttons_and_enter_zooms_in(live_server, page, blocked, registry):
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    assert settled_marker_total(page) == 33
    zoom_before = page.evaluate(f"{LEAFLET_MAP}.getZoom()")
    cluster = tab_to(page, f"{MAP} .marker-cluster")
    assert cluster.get_attribute("role") == "button"
    held = int(cluster.inner_text().split()[0])
    assert f"{held} mutuals here" in cluster.text_content()

    page.keyboard.press("Enter")
    # markercluster zooms to the cluster and hands focus back to the map for the next Tab.
    page.wait_for_function("(s) => document.activeElement === document.querySelector(s)", arg=MAP)
    in_view = settled_marker_total(page)
    assert page.evaluate(f"{LEAFLET_MAP}.getZoom()") > zoom_before
    # Markers far outside the view are left out of the page until the map moves back to them.
    assert held <= in_view < 33


# --- The admin's pin-on-a-map widget --------------------------------------------------------------


def log_in(page, live_server, user):
    """Log in through the admin's own form (the password tests/conftest.py gives staff users)."""
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "a-long-test-password")
    with page.expect_navigation():
        page.locator("input[type=submit], button[type=submit]").first.click()
    assert reverse("admin:login") not in page.url, "the login failed"


def in_england(lat, lng):
    return ENGLAND_LATITUDE[0] <= Decimal(lat) <= ENGLAND_LATITUDE[1] and (
        ENGLAND_LONGITUDE[0] <= Decimal(lng) <= ENGLAND_LONGITUDE[1]
    )


def test_admin_pin_fills_the_coordinates_and_follows_typed_values(live_server, page, blocked, publisher):
    log_in(page, live_server, publisher)
    page.goto(live_server.url + reverse("admin:mutuals_mutual_add"))
    page.wait_for_function("() => document.querySelector('[data-pin-map]').psmPinMap")
    latitude, longitude = page.locator("#id_latitude"), page.locator("#id_longitude")
    assert latitude.input_value() == longitude.input_value() == ""
    assert page.evaluate(PIN) is None

    # Click a point off-centre of the map: the boxes get that point, to 5 decimal places.
    where = {"x": 150, "y": 120}
    page.locator("[data-pin-map]").click(position=where)
    clicked = page.evaluate(
        "(p) => { const ll = document.querySelector('[data-pin-map]').psmPinMap.containerPointToLatLng([p.x, p.y]);"
        " return [ll.lat.toFixed(5), ll.lng.toFixed(5)]; }",
        where,
    )
    assert [latitude.input_value(), longitude.input_value()] == clicked
    assert all(re.fullmatch(r"-?\d{1,2}\.\d{5}", v) for v in clicked)
    assert in_england(*clicked)
    assert page.evaluate(PIN) == pytest.approx([float(v) for v in clicked], abs=1e-5)

    # Typing moves the pin.
    latitude.fill("51.50740")
    longitude.fill("-0.12780")
    page.wait_for_function(f"() => ({PIN})()[1] === -0.1278")
    assert page.evaluate(PIN) == pytest.approx([51.5074, -0.1278])
    # ...and the map pans to it: wait for the pan to end before grabbing the pin.
    page.wait_for_function(
        "() => { const map = document.querySelector('[data-pin-map]').psmPinMap;"
        " return map.latLngToContainerPoint([51.5074, -0.1278]).distanceTo(map.getSize().divideBy(2)) < 2; }"
    )

    # Dragging the pin fills the boxes again.
    pin = page.locator("[data-pin-map] .leaflet-marker-icon")
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y - 30, steps=8)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('#id_latitude').value !== '51.50740'")
    dropped = page.evaluate(PIN)
    assert [float(latitude.input_value()), float(longitude.input_value())] == pytest.approx(dropped, abs=1e-5)
    assert dropped[0] > 51.5074 and dropped[1] > -0.1278
    assert in_england(latitude.input_value(), longitude.input_value())


def test_admin_pin_starts_at_a_saved_mutual(live_server, page, blocked, registry, publisher):
    mutual = a_live_mutual()
    log_in(page, live_server, publisher)
    page.goto(live_server.url + reverse("admin:mutuals_mutual_change", args=[mutual.pk]))
    page.wait_for_function("() => document.querySelector('[data-pin-map]').psmPinMap")
    assert page.evaluate(PIN) == pytest.approx([float(mutual.latitude), float(mutual.longitude)])


# --- Accessibility and a clean console ------------------------------------------------------------


def public_pages():
    mutual = a_live_mutual()
    return {
        "list": (reverse("mutuals:mutual-list"), True),
        "detail": (mutual.get_absolute_url(), True),
        "about": (reverse("mutuals:about-data"), False),
        "statistics": (reverse("mutuals:statistics"), False),
    }


@pytest.mark.parametrize("name", ["list", "detail", "about", "statistics"])
def test_axe_finds_no_violations(live_server, page, blocked, registry, name):
    path, has_map = public_pages()[name]
    page.goto(live_server.url + path)
    if has_map:
        assert settled_marker_total(page) >= 1  # audit the drawn markers too
    assert axe_violations(page) == []


@pytest.mark.parametrize("name", ["list", "detail"])
def test_no_console_errors_or_failed_requests(live_server, page, problems, blocked, registry, name):
    path, _ = public_pages()[name]
    page.goto(live_server.url + path)
    settled_marker_total(page)
    page.wait_for_load_state("networkidle")
    unexpected = Counter(problems) - Counter(blocked)
    assert list(unexpected.elements()) == []
