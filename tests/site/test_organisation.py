"""One publishing organisation, named once in settings, used everywhere it is named."""

import json
import re

import feedparser
import pytest
from django.urls import reverse

from tests.factories import make_guide, make_publication
from tests.support.factories import make_fund

pytestmark = pytest.mark.django_db

RENAMED = {
    "name": "Department for Test and Example",
    "abbreviation": "DTE",
    "url": "https://www.gov.uk/government/organisations/test",
    "email": "team@example.gov.uk",
}


def _json_ld(html):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    ]


def test_the_default_is_the_departments_current_name(client):
    html = client.get(make_guide().get_absolute_url()).text
    assert "From:</dt> <dd>Department for Culture, Media and Sport</dd>" in html
    assert _json_ld(html)[0]["name"] == "Department for Culture, Media and Sport"


def test_every_place_follows_the_setting(client, settings):
    settings.ORGANISATION = RENAMED
    guide, fund = make_guide(), make_fund()
    page = client.get(guide.get_absolute_url()).text
    site_org, article = _json_ld(page)
    assert site_org["name"] == RENAMED["name"] and site_org["alternateName"] == "DTE"
    assert article["publisher"]["name"] == RENAMED["name"]
    assert f"From:</dt> <dd>{RENAMED['name']}</dd>" in page
    assert f"From:</dt> <dd>{RENAMED['name']}</dd>" in client.get(fund.get_absolute_url()).text
    assert "Contact the DTE Mutuals Team" in page
    assert feedparser.parse(client.get(reverse("updates-feed")).content).feed.author == RENAMED["name"]
    assert client.get(reverse("mutuals:mutuals-json")).json()["publisher"] == RENAMED["name"]
    about = client.get(reverse("mutuals:about-data")).text
    assert _json_ld(about)[1]["creator"]["name"] == RENAMED["name"]
    assert f"Public service mutuals registry, {RENAMED['name']}" in about


def test_a_publication_may_name_its_own_publisher(client):
    publication = make_publication(organisation="Social Enterprise UK, commissioned by DCMS")
    assert (
        "From:</dt> <dd>Social Enterprise UK, commissioned by DCMS</dd>"
        in client.get(publication.get_absolute_url()).text
    )


def test_no_template_names_the_department_itself():
    """Templates take the organisation from settings (ORGANISATION, CONTACT_TEAM), so a rename or
    machinery-of-government change is one setting."""
    from pathlib import Path

    from django.conf import settings

    typed = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*")
        if path.is_file() and re.search(r"\bDCMS\b|Department for", path.read_text(errors="ignore"))
    ]
    assert not typed


def test_error_pages_name_the_contact_team_from_settings(settings):
    from psm_site.errors import error_page

    settings.CONTACT_TEAM = "DTE Mutuals Team"
    html = error_page("500.html", 500).content.decode()
    assert "email the DTE Mutuals Team at" in html and "Contact the DTE Mutuals Team" in html
