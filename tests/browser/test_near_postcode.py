"""Near a postcode in a real browser, keyboard only and with JavaScript off: the mutuals within
25 miles of a Leeds postcode, nearest first with their distances, and the same rows in the CSV."""

import csv
import io

import pytest
from django.urls import reverse

from tests.browser.keyboard import tab_to
from tests.browser.test_registry import listed_names

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leeds_postcode_within_25_miles_by_keyboard_without_javascript(live_server, new_context, postcodes, registry):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    tab_to(page, "#id_postcode")
    page.keyboard.type("ls1 4dy")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_distance"
    for _ in range(3):  # Any distance, 5, 10, 25 miles
        page.keyboard.press("ArrowDown")
    assert page.input_value("#id_distance") == "25"
    page.keyboard.press("Shift+Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "postcode=LS1+4DY" in page.url or "postcode=ls1+4dy" in page.url
    names = listed_names(page)
    distances = [float(text.split()[0]) for text in page.locator(".psm-distance").all_inner_texts()]
    assert len(names) == len(distances) >= 3
    assert distances == sorted(distances) and distances[-1] <= 25
    assert distances[0] < 2  # the Leeds mutual first
    assert page.locator("#result-count").inner_text().endswith("within 25 miles of LS1 4DY")

    response = page.request.get(live_server.url + reverse("mutuals:mutuals-csv") + "?" + page.url.split("?", 1)[1])
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert [row["name"] for row in rows] == names
    assert [float(row["distance_miles"]) for row in rows] == distances


# The map's centre once it has a circle of that radius and has come to rest on LS1 4DY (fitting the
# circle animates the zoom: the centre moves there from England's middle, so it is waited for, and
# a map that never centres on the postcode times out).
CIRCLE = """(miles) => {
  const map = document.getElementById("mutual-map-canvas").psmMap;
  let radius = null;
  if (map) map.eachLayer((layer) => { if (layer instanceof L.Circle) radius = layer.getRadius(); });
  if (radius === null || Math.abs(radius - miles * 1609.344) >= 1) return null;
  const centre = map.getCenter();
  return Math.abs(centre.lat - 53.795) < 0.1 && Math.abs(centre.lng + 1.547) < 0.1 ? centre : null;
}"""


def test_the_map_centres_on_the_postcode_and_draws_the_distance_circle(live_server, page, postcodes, registry):
    page.goto(live_server.url + reverse("mutuals:mutual-list") + "?postcode=LS1+4DY&distance=25")
    page.wait_for_function(CIRCLE, arg=25)
    page.select_option("#id_distance", "10")  # the live filters redraw the circle
    page.wait_for_function(CIRCLE, arg=10)
    assert page.locator(".psm-distance").count() == int(page.locator("#result-count").get_attribute("data-count"))
