"""Every public page in Debian's Chromium with axe-core, and the main journeys without JavaScript."""

import re

import pytest
from django.test import Client

from tests.browser.conftest import axe_violations
from tests.conftest import load_first_content
from tests.factories import make_open_round
from tests.walk import crawl

pytestmark = pytest.mark.django_db(transaction=True)

OFFSITE = re.compile(r"^https?://(?!localhost|127\.0\.0\.1)")


@pytest.fixture
def content(db):
    """The fixtures and a round open now, so the open-round banner and round pages are walked too."""
    load_first_content()
    return make_open_round()


def walk_pages():
    """Every HTML page of the walk that answers 200."""
    return {
        url: r
        for url, r in crawl(Client()).items()
        if "text/html" in r.get("Content-Type", "") and r.status_code == 200
    }


def one_page_per_template(pages):
    """For each page template of the walk, its longest page: the most of the template's branches and
    of the editors' words. axe then takes about 20 pages rather than 110, most of which differ from
    another page of their template only in text (tests/site/test_walk.py checks every page's HTML)."""
    longest = {}
    for url, response in pages.items():
        template = response.templates[0].name if response.templates else url  # no template seen: itself
        if template not in longest or len(response.content) > len(pages[longest[template]].content):
            longest[template] = url
    return sorted(longest.values())


def test_axe_finds_no_violations_on_any_kind_of_page(live_server, page, content):
    pages = walk_pages()
    chosen = one_page_per_template(pages)
    page.route(OFFSITE, lambda route: route.abort())
    failures = {}
    for url in chosen:
        page.goto(live_server.url + url)
        violations = axe_violations(page)
        if violations:
            failures[url] = violations
    assert len(pages) > 50 and len(chosen) > 15
    assert failures == {}


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def test_without_javascript_home_to_a_mutual_by_sector(no_js_page, live_server, content):
    page = no_js_page
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Find a mutual").first.click()
    page.get_by_label("Libraries").check()
    page.get_by_role("button", name="Apply filters").click()
    assert "sector=libraries" in page.url
    count = int(page.locator("#result-count").get_attribute("data-count"))
    assert count >= 1 and page.locator(".psm-result").count() == count
    page.locator(".psm-result a").first.click()
    assert page.locator(".govuk-caption-l").inner_text() == "Public service mutual"
    assert "Libraries" in page.locator("main").inner_text()


def test_without_javascript_home_to_an_open_round(no_js_page, live_server, content):
    page = no_js_page
    page.goto(live_server.url + "/")
    banner = page.locator(".govuk-notification-banner")
    assert "Mutuals Growth Fund" in banner.inner_text()
    page.get_by_role("link", name="Get support").click()
    assert page.locator("h1").inner_text() == "What support is available?"
    page.get_by_role("link", name="Mutuals Growth Fund").first.click()
    main = page.locator("main").inner_text()
    assert "Open" in main and "How to apply" in main
