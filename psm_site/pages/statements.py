"""Facts the statutory pages state about the site itself, worked out from settings and data so
the privacy notice, cookies page and accessibility statement cannot drift from what the site does.

Apps register what only they know (the mutuals app: hosted PDF documents), as they do for search.
"""

from urllib.parse import urlsplit

from django.conf import settings

from psm_site import personal_data

_document_sources = []
_privacy_sections = []


def register_privacy_section(template_name):
    """An app that keeps personal data of its own adds a section (a template) to the privacy notice."""
    if template_name not in _privacy_sections:
        _privacy_sections.append(template_name)


def register_documents(source):
    """`source()` returns (title, url) for every hosted document that may not meet WCAG 2.2 AA."""
    _document_sources.append(source)


def non_compliant_documents():
    return [document for source in _document_sources for document in source()]


duration = personal_data.duration


def tile_host():
    """The host the map's tiles come from, or None when the map uses no tile server."""
    url = getattr(settings, "MAP_TILES_URL", "")
    if not url:
        return None
    host = urlsplit(url).hostname or url
    return host.removeprefix("{s}.")


def privacy_facts():
    """The privacy notice's facts: the register of personal data (psm_site/personal_data.py) and settings."""
    return {
        "controller": settings.DATA_CONTROLLER,
        "dpo_email": settings.DATA_PROTECTION_OFFICER_EMAIL,
        "contact_email": settings.CONTACT_EMAIL,
        "records": [record.row() for record in personal_data.records()],
        "missing": personal_data.missing_facts(),
        "tile_host": tile_host(),
        "sections": list(_privacy_sections),
    }


def cookie_facts():
    """Every cookie the site can set, from the register, with its lifetime as the settings make it."""
    return {
        "public": [cookie.row() for cookie in personal_data.cookies("public")],
        "staff": [cookie.row() for cookie in personal_data.cookies("staff")],
        "tile_host": tile_host(),
    }


# What the accessibility statement may claim: each claim names the tests in the suite that check it
# on every change (tests/site/test_statutory_pages.py fails if one of them is gone). Anything else
# is listed as not yet tested.
TESTED = [
    (
        "Every kind of public page passes the automated accessibility checks of axe-core in Chromium: the "
        "fullest page of each page template",
        ["tests/browser/test_walk.py::test_axe_finds_no_violations_on_any_kind_of_page"],
    ),
    (
        "Every public page can be read at 320 CSS pixels wide, as when a 1280-pixel screen is zoomed to 400%, "
        "without scrolling sideways. Wide data tables scroll inside their own box, which you can reach with "
        "the keyboard",
        ["tests/browser/test_reflow.py::test_no_page_scrolls_sideways_at_320_css_pixels"],
    ),
    (
        "Without JavaScript, you can find a mutual by sector, filter the registry and its map by region, and "
        "reach an open funding round and past rounds",
        [
            "tests/browser/test_walk.py::test_without_javascript_home_to_a_mutual_by_sector",
            "tests/browser/test_walk.py::test_without_javascript_home_to_an_open_round",
            "tests/browser/test_registry.py::test_filters_work_without_javascript",
            "tests/browser/test_maps.py::test_without_javascript_the_region_select_filters",
            "tests/browser/test_support.py::test_past_rounds_are_reachable_without_javascript",
        ],
    ),
    (
        "With a keyboard alone, you can open ‘Show all updates’ and past funding rounds, choose a region on a "
        "map, and open the map's markers and groups of markers; staff can import, review and publish",
        [
            "tests/browser/test_explainer.py::test_show_all_updates_opens_with_the_keyboard",
            "tests/browser/test_support.py::test_past_rounds_open_with_the_keyboard",
            "tests/browser/test_maps.py::test_the_keyboard_reaches_a_region_and_enter_chooses_it",
            "tests/browser/test_registry.py::test_enter_on_a_focused_marker_opens_its_popup_with_a_link",
            "tests/browser/test_registry.py::test_clusters_are_buttons_and_enter_zooms_in",
            "tests/browser/test_admin_editor.py::test_editor_submits_for_review_and_publisher_approves",
        ],
    ),
]
NOT_YET_TESTED = [
    "using the site with a screen reader, such as JAWS, NVDA or VoiceOver",
    "using the site with speech recognition software",
    "changing colours, contrast levels and fonts with browser or device settings",
    "changing the spacing of text (WCAG 2.2 success criterion 1.4.12)",
    "resizing text to 200% without zooming the page",
    "whether the text is as simple as possible to understand",
    "a full check against WCAG 2.2 AA by a person",
]


def accessibility_facts(page):
    return {
        "documents": non_compliant_documents(),
        "tested_on": page.last_reviewed,
        "tested": [{"claim": claim, "tests": tests} for claim, tests in TESTED],
        "not_yet_tested": NOT_YET_TESTED,
    }


FACTS = {
    "privacy": lambda page: privacy_facts(),
    "cookies": lambda page: cookie_facts(),
    "accessibility": accessibility_facts,
}


def facts_for(page):
    """The facts a page shows after its text, or None."""
    build = FACTS.get(page.facts)
    return build(page) if build else None
