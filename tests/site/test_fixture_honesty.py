"""Fixture honesty: no value listed as never-shown in fixtures/README.md reaches a public page.

The fixtures are loaded, the public site is walked from the home page as a visitor would, and every
feed, calendar and open-data file is fetched too. A value once invented for the fixtures (a time of
day, a round number, a fund name, the department's former name…) must appear in none of them.
"""

import html
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from psm_site.models import ChangeNote
from support.models import FundRound
from tests.walk import crawl

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "fixtures" / "README.md"
ENTRY = re.compile(r"^- `(?P<value>[^`]+)`(?: on `(?P<path>[^`]+)`)?")


def never_shown():
    """[(value, path or None)] from the README's never-shown list."""
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- never-shown:start -->")[1].split("<!-- never-shown:end -->")[0]
    entries = [ENTRY.match(line) for line in block.splitlines() if line.startswith("- ")]
    assert all(entries), "every line of the never-shown list is '- `value`' or '- `value` on `/path`'"
    return [(m["value"], m["path"]) for m in entries]


def public_documents(client):
    """{url: text} of every public page, feed, calendar and data file: raw and as visible text."""
    responses = crawl(client)
    extra = [
        reverse("updates-feed"),
        reverse("support-updates-feed"),
        reverse("support:rounds-calendar"),
        reverse("mutuals:mutual-list") + "?status=all",
        reverse("mutuals:mutuals-csv") + "?status=all",
        reverse("mutuals:mutuals-json") + "?status=all",
        reverse("mutuals:mutuals-geojson") + "?status=all",
        *[fund_round.get_calendar_url() for fund_round in FundRound.objects.published()],
    ]
    for url in extra:
        responses.setdefault(url, client.get(url))
    documents = {}
    for url, response in responses.items():
        if response.status_code != 200 or not hasattr(response, "content"):
            continue
        raw = response.content.decode("utf-8", errors="replace")
        visible = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())
        documents[url] = raw + "\n" + visible
    return documents


def findings(documents, entries):
    found = []
    for value, path in entries:
        for url, text in documents.items():
            if (path is None or url.split("?")[0] == path) and value in text:
                found.append((value, url))
    return found


@pytest.fixture
def content(db):
    call_command("load_initial_content", stdout=io.StringIO())


def test_the_list_is_read(content):
    entries = never_shown()
    assert ("Mutuals Support Programme fund", None) in entries
    assert ("26 November 2026", "/help/accessibility-statement") in entries


def test_no_never_shown_value_reaches_a_public_page(client, content):
    documents = public_documents(client)
    assert len(documents) > 60  # the walk really reached the site
    for path in {path for _, path in never_shown() if path}:
        assert path in documents, f"{path} is listed in fixtures/README.md but no longer public"
    assert findings(documents, never_shown()) == []


def test_the_check_would_catch_an_invented_value(client, content):
    """The guard can fail: put back one invented time and it is found."""
    ChangeNote.objects.filter(note__startswith="Updated map").update(note="Updated map at 9:30am")
    documents = public_documents(client)
    assert ("9:30am", "/introduction-to-public-service-mutuals") in findings(documents, never_shown())
