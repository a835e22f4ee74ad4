"""What only a browser shows on the support pages: axe-core findings and keyboard use."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import axe_violations
from tests.support.factories import make_fund, make_programme, make_round

pytestmark = pytest.mark.django_db(transaction=True)

MISF = reverse("support:fund-detail", kwargs={"slug": "mutuals-interim-support-fund"})
MSP = reverse("support:programme-detail", kwargs={"slug": "mutuals-support-programme"})


@pytest.fixture
def content(db):
    """The support fixtures only: they stand alone, and the other fixture files have their own tests."""
    call_command("loaddata", str(Path(settings.BASE_DIR) / "fixtures" / "support.json"), stdout=io.StringIO())


@pytest.fixture
def live_rounds(content):
    """Rounds open, closing soon and upcoming now, so every tag and the banner are on show."""
    now = timezone.now()
    fund = make_fund(name="Open fund", max_grant=25_000, how_to_apply="Email the team.")
    make_round(fund, opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=30), budget=1_000_000)
    make_round(make_fund(name="Soon fund"), opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=3))
    make_round(make_fund(name="Later fund"), opens_at=now + timedelta(days=10), closes_at=now + timedelta(days=40))
    make_programme(name="Running programme", opens_on=(now - timedelta(days=30)).date())
    return fund


@pytest.mark.parametrize("path", [reverse("support:index"), MSP, MISF])
def test_axe_finds_no_violations_on_fixture_pages(live_server, page, problems, content, path):
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    assert problems == []


def test_axe_finds_no_violations_with_open_rounds_and_the_banner(live_server, page, problems, live_rounds):
    for path in [reverse("support:index"), live_rounds.get_absolute_url(), reverse("home")]:
        page.goto(live_server.url + path)
        assert axe_violations(page) == [], path
    assert page.locator(".govuk-notification-banner").count() == 1
    assert problems == []


def test_past_rounds_open_with_the_keyboard(live_server, page, content):
    page.goto(live_server.url + reverse("support:index"))
    details = page.locator("details#past-support")
    table = page.locator("details#past-support table")
    assert not details.evaluate("d => d.open")
    assert not table.is_visible()
    details.locator("summary").focus()
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open")
    assert table.is_visible()
    assert "Friday 29 September 2017" in table.inner_text() and "5pm on Friday 29 June 2018" in table.inner_text()


def test_past_rounds_are_reachable_without_javascript(live_server, browser, content):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + reverse("support:index"))
    page.locator("details#past-support summary").click()
    assert page.locator("details#past-support table").is_visible()
    context.close()
