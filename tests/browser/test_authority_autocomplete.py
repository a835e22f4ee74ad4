"""Find a mutual's local authority select, enhanced by GOV.UK's accessible-autocomplete: type part of
a name, choose it, and the list shows that authority's mutuals; axe finds nothing; without
JavaScript the plain select still filters."""

import pytest
from django.db.models import Count
from django.urls import reverse

from mutuals.models import Mutual
from places.models import LocalAuthority
from tests.browser.conftest import axe_violations
from tests.browser.test_registry import listed_names

pytestmark = pytest.mark.django_db(transaction=True)


def busiest_authority():
    """The English authority with the most live mutuals (the test postcodes are a slice of England,
    so the fixtures' mutuals fall in a few) and their names, sorted."""
    authority = (
        LocalAuthority.objects.filter(code__startswith="E")
        .annotate(count=Count("mutuals"))
        .order_by("-count", "name")
        .first()
    )
    names = sorted(Mutual.objects.published().live().in_local_authority(authority).values_list("name", flat=True))
    assert names, "no live mutual has a local authority"
    return authority, names


def test_typing_part_of_an_authority_name_and_choosing_it_filters_the_list(
    live_server, page, problems, postcodes, registry
):
    authority, names = busiest_authority()
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    field = page.locator("input#id_local_authority.autocomplete__input")
    assert page.locator("select#id_local_authority-select").is_hidden()
    assert page.locator("label[for=id_local_authority]").inner_text() == "Local authority"
    assert axe_violations(page) == []

    field.click()
    page.keyboard.type(authority.name[:4].lower())
    option = page.locator(".autocomplete__option", has_text=authority.name).first
    option.wait_for()
    assert axe_violations(page) == []  # with the suggestions open too
    option.click()
    page.wait_for_url(f"**local_authority={authority.slug}**")
    page.wait_for_function("() => !document.getElementById('mutual-results').hasAttribute('aria-busy')")
    assert field.input_value() == authority.name
    assert page.input_value("#id_local_authority-select") == authority.slug
    assert sorted(listed_names(page)) == names
    assert len(names) < Mutual.objects.published().live().count()

    # Emptied and left, the field goes back to any local authority.
    field.fill("")
    page.keyboard.press("Tab")
    page.wait_for_function("() => !location.search.includes('local_authority')")
    assert problems == []


def test_without_javascript_the_plain_select_filters(live_server, new_context, postcodes, registry):
    authority, names = busiest_authority()
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + reverse("mutuals:mutual-list"))
    assert page.locator("select#id_local_authority").is_visible()
    page.select_option("#id_local_authority", authority.slug)
    with page.expect_navigation():
        page.click("#mutual-filters button[type=submit]")
    assert sorted(listed_names(page)) == names
