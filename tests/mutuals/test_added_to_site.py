"""A registry record's 'first published' is the day it was imported, which no page may show as its
publication: 'Added to this site' appears only once the site has a live date (SITE_LIVE_ON)."""

from datetime import date, datetime

import pytest
from django.urls import reverse

from mutuals.models import Mutual
from support.status import UK
from tests.factories import make_mutual

pytestmark = pytest.mark.django_db

IMPORTED = datetime(2026, 11, 26, 10, 0, tzinfo=UK)


@pytest.fixture
def mutual():
    made = make_mutual(name="Imported Mutual")
    Mutual.objects.filter(pk=made.pk).update(first_published_at=IMPORTED)
    made.change_notes.all().delete()  # as in the fixtures: the import's 'First published.' notes left out
    made.refresh_from_db()
    return made


def _sitemap_entry(client, mutual):
    xml = client.get(reverse("sitemap")).text
    return xml.split(f"{mutual.get_absolute_url()}</loc>")[1].split("</url>")[0]


def test_before_go_live_no_page_or_sitemap_gives_the_import_day(client, mutual, settings):
    settings.SITE_LIVE_ON = None
    html = " ".join(client.get(mutual.get_absolute_url()).text.split())
    assert "26 November 2026" not in html and "2026-11-26" not in html
    assert "Published" not in html.split("<main")[1] and "Added to this site" not in html
    assert "<lastmod>" not in _sitemap_entry(client, mutual)


def test_after_go_live_the_page_says_added_to_this_site_from_the_live_date(client, mutual, settings):
    settings.SITE_LIVE_ON = date(2027, 1, 4)
    html = " ".join(client.get(mutual.get_absolute_url()).text.split())
    assert 'Added to this site: <time datetime="2027-01-04">4 January 2027</time>' in html
    assert "26 November 2026" not in html
    assert "<lastmod>2027-01-04</lastmod>" in _sitemap_entry(client, mutual)


def test_a_record_added_after_go_live_shows_its_own_day(client, mutual, settings):
    settings.SITE_LIVE_ON = date(2026, 1, 5)
    html = " ".join(client.get(mutual.get_absolute_url()).text.split())
    assert 'Added to this site: <time datetime="2026-11-26">26 November 2026</time>' in html
