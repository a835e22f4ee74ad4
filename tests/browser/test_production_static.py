"""The site as production serves it: DEBUG off, `collectstatic` output with hashed (manifest) names,
served by whitenoise from STATIC_ROOT and nothing else (no staticfiles finders).

Leaflet guesses its marker images' folder from the name `marker-icon.png` in its CSS; hashed
names defeat the guess and every pin becomes a broken image. These tests look at every image
on each map and at every response the page makes.
"""

import re

import pytest
from django.db import connections
from django.test import override_settings
from django.test.testcases import LiveServerThread
from django.urls import reverse

from mutuals.models import Mutual
from tests.browser.test_registry import OFF_SITE, settled_marker_total
from tests.conftest import load_first_content, production_storages

pytestmark = pytest.mark.django_db(transaction=True)

# Every image on a map (pins, their shadows, any cluster image), with whether it loaded.
MAP_IMAGES = """(selector) => Array.from(
  document.querySelectorAll(selector + " .leaflet-marker-pane img, " + selector + " .leaflet-shadow-pane img")
).map((img) => ({src: img.currentSrc || img.src, loaded: img.complete && img.naturalWidth > 0}))"""


@pytest.fixture
def production_server(built_static, transactional_db):
    """A live server with production static handling: whitenoise over the built files only."""
    overrides = override_settings(
        DEBUG=False, STATIC_ROOT=built_static, STORAGES=production_storages(), ALLOWED_HOSTS=["localhost"]
    )
    overrides.enable()
    in_memory = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for connection in in_memory.values():
        connection.inc_thread_sharing()
    # static_handler wraps Django's handler; passing it through unchanged leaves /static/ to whitenoise.
    thread = LiveServerThread("localhost", static_handler=lambda handler: handler, connections_override=in_memory)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://localhost:{thread.port}"
    finally:
        thread.terminate()
        for connection in in_memory.values():
            connection.dec_thread_sharing()
        overrides.disable()


@pytest.fixture
def registry(transactional_db):
    load_first_content()


@pytest.fixture
def failures(page):
    """Every on-site response of 400 or more, and every request that failed outright."""
    seen = []
    page.route(OFF_SITE, lambda route: route.abort())
    page.on("response", lambda r: seen.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.on(
        "requestfailed",
        lambda r: None if OFF_SITE.match(r.url) else seen.append(f"failed {r.url}: {r.failure}"),
    )
    return seen


def assert_every_map_image_loads(page, selector):
    page.wait_for_function("(s) => document.querySelectorAll(s + ' .leaflet-marker-pane img').length > 0", arg=selector)
    page.wait_for_function(f"(s) => ({MAP_IMAGES})(s).every((i) => i.loaded)", arg=selector, timeout=10_000)
    images = page.evaluate(MAP_IMAGES, selector)
    assert images and all(image["loaded"] for image in images), images
    for image in images:
        assert re.search(r"/static/leaflet/images/marker-(icon|shadow)(-2x)?\.[0-9a-f]{12}\.png$", image["src"]), image
    return images


def test_every_pin_and_cluster_on_find_a_mutual_loads_from_hashed_files(production_server, page, failures, registry):
    page.goto(production_server + reverse("mutuals:mutual-list") + "?status=all")
    assert settled_marker_total(page, "#mutual-map-canvas") == 37
    assert page.locator("#mutual-map-canvas .marker-cluster").count() > 0, "clusters should be on this map too"
    images = assert_every_map_image_loads(page, "#mutual-map-canvas")
    assert any("marker-shadow" in image["src"] for image in images)
    # The map's stylesheets and scripts came as hashed files too.
    hashed = page.evaluate(
        "() => Array.from(document.querySelectorAll('script[src], link[rel=stylesheet]')).map((e) => e.src || e.href)"
    )
    assert hashed and all(re.search(r"\.[0-9a-f]{12}\.(js|css)$", url) for url in hashed), hashed
    assert failures == []


def test_a_mutuals_pin_loads_from_hashed_files(production_server, page, failures, registry):
    mutual = Mutual.objects.published().live().exclude(latitude=None).order_by("name").first()
    page.goto(production_server + mutual.get_absolute_url())
    assert_every_map_image_loads(page, "#mutual-map-canvas")
    assert failures == []


def test_the_admin_pin_loads_from_hashed_files(production_server, page, failures, registry, client, publisher):
    client.force_login(publisher)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": production_server}]
    )
    mutual = Mutual.objects.exclude(latitude=None).order_by("name").first()
    page.goto(production_server + reverse("admin:mutuals_mutual_change", args=[mutual.pk]))
    assert_every_map_image_loads(page, "[data-pin-map]")
    assert failures == []
