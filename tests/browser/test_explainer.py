"""What only a browser shows on the explainer: styles, fonts, keyboard, axe-core."""

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations
from tests.conftest import load_first_content

pytestmark = pytest.mark.django_db(transaction=True)

GUIDE = "/introduction-to-public-service-mutuals"


@pytest.fixture
def content(db):
    load_first_content()


def test_guide_renders_with_govuk_styles_and_no_console_errors(live_server, page, problems, content):
    page.goto(live_server.url + GUIDE)
    h1 = page.locator("h1")
    assert h1.inner_text() == "Introduction to Public Service Mutuals"
    style = h1.evaluate("e => [getComputedStyle(e).fontFamily, getComputedStyle(e).fontWeight]")
    assert style[0].lower().startswith("arial") and style[1] == "700"
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    # GOV.UK Frontend started (static/js/govuk-start.js): each component marks its root once set up.
    page.wait_for_selector('[data-module="govuk-skip-link"][data-govuk-skip-link-init]', state="attached")
    page.wait_for_load_state("networkidle")
    assert problems == []


def test_gds_transport_font_loads_when_branding_is_on(live_server, page, problems, content, settings):
    settings.GOVUK_BRAND = True
    page.goto(live_server.url + GUIDE)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.fonts.check('19px \"GDS Transport\"')")
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('GDS Transport') && f.status === 'loaded')")
    assert page.locator(".govuk-header__logotype").count() == 1
    assert problems == []


def test_show_all_updates_opens_with_the_keyboard(live_server, page, content):
    page.goto(live_server.url + GUIDE)
    summary = page.locator("#full-history summary")
    details = page.locator("#full-history details")
    assert not details.evaluate("d => d.open")
    summary.focus()
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open")
    assert page.get_by_text("Updated map of live public service mutuals").is_visible()


def test_findings_are_readable_without_css(live_server, page, content):
    page.goto(live_server.url + GUIDE)
    page.evaluate("document.querySelectorAll('link[rel=stylesheet]').forEach(l => l.remove())")
    assert "82% say they provide more innovative services" in " ".join(page.locator(".psm-chart").inner_text().split())


@pytest.mark.parametrize(
    "path",
    [GUIDE, reverse("mutuals:publication-list"), "/research/research-into-the-public-service-mutuals-sector/"],
)
def test_axe_finds_no_violations(live_server, page, content, path):
    page.goto(live_server.url + path)
    assert axe_violations(page) == []
