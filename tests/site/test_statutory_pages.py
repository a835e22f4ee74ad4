"""The privacy notice, cookies page and accessibility statement say what the code and settings do."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfWriter

from mutuals.models import Attachment
from psm_site.models import Page
from tests.conftest import load_first_content
from tests.factories import make_publication

pytestmark = pytest.mark.django_db

PRIVACY = reverse("page", kwargs={"slug": "privacy-notice"})
COOKIES = reverse("page", kwargs={"slug": "cookies"})
ACCESSIBILITY = reverse("page", kwargs={"slug": "accessibility-statement"})


@pytest.fixture
def pages(db):
    load_first_content()


def _text(client, url):
    return " ".join(client.get(url).text.split())


def test_privacy_notice_names_the_basis_the_controller_and_each_kind_of_data(client, pages, settings):
    settings.DATA_PROTECTION_OFFICER_EMAIL = ""
    html = _text(client, PRIVACY)
    assert "The data controller for this website is the Department for Culture, Media and Sport." in html
    assert "1 minute from your first search, then" in html and "searche," not in html
    assert "public task" in html and "Article 6(1)(e)" in html
    assert "Data protection officer: contact details not yet recorded on this site." in html
    for row in ["keep-feedback", "keep-ip-address-feedback", "keep-server-logs", "keep-staff-accounts"]:
        assert f'id="{row}"' in html
    assert "1 hour from your first answer, then deleted automatically" in html
    assert "Not yet set" in html  # feedback and server-log periods are not set by default: never guessed
    assert "30 days" not in html
    assert "https://ico.org.uk/make-a-complaint/" in html
    settings.DATA_PROTECTION_OFFICER_EMAIL = "dpo@example.gov.uk"
    settings.FEEDBACK_RETENTION_DAYS = 365
    settings.SERVER_LOG_RETENTION_DAYS = 30
    html = _text(client, PRIVACY)
    settings.STAFF_ACCOUNT_RETENTION_DAYS = 90
    html = _text(client, PRIVACY)
    assert 'href="mailto:dpo@example.gov.uk"' in html and "Not yet set" not in html and 'id="missing-facts"' not in html
    assert "365 days, then deleted" in html and "30 days, then deleted" in html


def test_the_rate_limit_window_on_the_page_follows_the_setting(client, pages, settings):
    settings.FEEDBACK_RATE_LIMIT_WINDOW = 1800
    settings.FEEDBACK_RATE_LIMIT = 5
    html = _text(client, PRIVACY)
    assert "more than 5 answers in 30 minutes" in html and "30 minutes from your first answer" in html
    assert "1 hour from your first answer" not in html


@pytest.mark.parametrize("url", [PRIVACY, COOKIES])
def test_the_tile_server_is_named_only_when_one_is_configured(client, pages, settings, url):
    settings.MAP_TILES_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    assert "tiles.example.org" in _text(client, url)
    settings.MAP_TILES_URL = ""
    html = _text(client, url)
    assert "tiles.example.org" not in html and "openstreetmap" not in html.lower()
    if url == COOKIES:
        assert "The maps are drawn from files on this site." in html
    else:
        assert 'id="map-tiles"' not in html


def test_cookie_lifetimes_come_from_the_settings(client, pages, settings):
    settings.ADMIN_IDLE_MINUTES = 30
    html = _text(client, COOKIES)
    assert "<code>csrftoken</code>" in html and "<code>sessionid</code>" in html
    # a staff session cookie has no expiry of its own (psm_site/web/signin.py) and ends when idle
    assert "When you close your browser, after 30 minutes without using the site, or when you sign out" in html
    assert "2 weeks" not in html
    settings.ADMIN_IDLE_MINUTES = 60
    settings.CSRF_COOKIE_NAME = "psm_csrf"
    html = _text(client, COOKIES)
    assert "When you close your browser, after 1 hour without using the site, or when you sign out" in html
    assert "<code>psm_csrf</code>" in html


def _pdf():
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    return SimpleUploadedFile("report.pdf", out.getvalue(), content_type="application/pdf")


def test_accessibility_statement_lists_pdfs_only_when_the_site_hosts_any(client, pages):
    html = _text(client, ACCESSIBILITY)
    assert "Non-accessible content" not in html and "PDF research reports" not in html
    assert "Last tested: not yet tested." in html and "26 November 2026" not in html
    publication = make_publication(title="State of the Sector")
    Attachment.objects.create(publication=publication, title="State of the Sector (PDF)", file=_pdf())
    html = _text(client, ACCESSIBILITY)
    assert "Non-accessible content" in html and "State of the Sector (PDF)" in html
    statement = Page.objects.get(slug="accessibility-statement")
    statement.last_reviewed = "2027-01-15"
    statement.save()  # a save (not a queryset update) moves the page cache's content version
    html = _text(client, ACCESSIBILITY)
    assert "last tested on" in html and "15 January 2027" in html and "partially compliant" in html


def test_feedback_is_deleted_after_the_stated_period(settings, time_machine):
    from datetime import UTC, datetime

    from psm_site.models import Feedback

    time_machine.move_to(datetime(2027, 1, 31, 12, tzinfo=UTC), tick=False)
    old = Feedback.objects.create(path="/", useful=True, created_at=datetime(2026, 12, 31, 11, tzinfo=UTC))
    kept = Feedback.objects.create(path="/", useful=True, created_at=datetime(2027, 1, 1, 13, tzinfo=UTC))
    settings.FEEDBACK_RETENTION_DAYS = None
    call_command("delete_old_feedback", stdout=io.StringIO())
    assert Feedback.objects.count() == 2  # no period set: nothing is deleted
    settings.FEEDBACK_RETENTION_DAYS = 30
    call_command("delete_old_feedback", stdout=io.StringIO())
    assert list(Feedback.objects.all()) == [kept] and not Feedback.objects.filter(pk=old.pk).exists()


def test_the_accessibility_statement_claims_only_what_a_test_checks(client, pages, settings):
    """Each claim under 'What we test' names tests that exist; the rest is 'Not yet tested'."""
    import re
    from pathlib import Path

    from psm_site.pages.statements import NOT_YET_TESTED, TESTED

    for _claim, tests in TESTED:
        for test in tests:
            path, name = test.split("::")
            source = (Path(settings.BASE_DIR) / path).read_text(encoding="utf-8")
            assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"{test} is named on the statement but gone"
    html = _text(client, ACCESSIBILITY)
    tested = html.split('id="what-we-test"')[1].split('id="not-yet-tested"')[0]
    assert "test_reflow.py::test_no_page_scrolls_sideways_at_320_css_pixels" in tested
    not_tested = html.split('id="not-yet-tested"')[1]
    for claim in ["screen reader", "speech recognition", "as simple as possible"]:
        assert claim not in tested and claim in not_tested
    assert all(item in html for item in NOT_YET_TESTED)
    assert "you should be able to" not in html.lower()
