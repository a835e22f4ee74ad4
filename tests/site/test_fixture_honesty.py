"""Fixture honesty: no value listed as never-shown in fixtures/README.md reaches a public page.

The fixtures are loaded, the public site is walked from the home page as a visitor would, and every
feed, calendar and open-data file is fetched too. A value once invented for the fixtures (a time of
day, a round number, a fund name, the department's former name…) must appear in none of them.
"""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from psm_site.models import ChangeNote
from support.models import FundRound
from tests.conftest import load_first_content
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
        *[fund_round.get_calendar_url() for fund_round in FundRound.objects.public()],
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
    load_first_content()


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


# --- GOV.UK style (the A to Z): lapses a fact-check found, kept from coming back ------------------------

REGIONS = "North East|North West|East Midlands|West Midlands|East of England|South East|South West"
# 'Public Service Mutuals' is a proper noun only as the site's name and in published titles.
PROPER_USES = [
    "Introduction to Public Service Mutuals",
    "Public Service Mutuals Sector",
    "Public Service Mutuals:",
    "Public Service Mutuals website",
    "from Public Service Mutuals",
    "for Public Service Mutuals",
]
STYLE_RULES = {
    "a status word repeated ('Closed Closed')": re.compile(
        r"\b(Open|Closed|Closing soon|Upcoming|Draft|Live)\s+\1\b", re.IGNORECASE
    ),
    "'Public Service Mutuals' capitalised mid-sentence": re.compile(r"[a-z,] Public Service Mutuals\b"),
    "a region without 'the' ('in North East')": re.compile(rf"\b(in|of|for) ({REGIONS})\b(?! [A-Z])"),
    "a file size with a space ('953 KB', GOV.UK writes 953KB)": re.compile(r"\b\d+(\.\d+)? (KB|MB|GB)\b"),
    "a closed programme in the present tense": re.compile(r"Closed\b.{0,2000}\bWho delivers it\b"),
}


def main_text(document):
    """The visible text of a page's <main> (the header and footer carry the service's name)."""
    raw = document.rsplit("\n", 1)[0]
    main = raw.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main.split(">", 1)[-1])).split())


def style_lapses(documents):
    """[(rule, url, excerpt)] on every HTML page's visible text."""
    found = []
    for url, document in documents.items():
        if not document.lstrip().lower().startswith("<!doctype html"):
            continue
        text = main_text(document)
        checked = text
        for phrase in PROPER_USES:
            checked = checked.replace(phrase, "")
        for rule, pattern in STYLE_RULES.items():
            for match in pattern.finditer(checked):
                found.append((rule, url, checked[max(0, match.start() - 40) : match.end() + 20]))
        spelt_out, short = text.find(settings.ORGANISATION["name"]), text.find("DCMS")
        if short >= 0 and (spelt_out < 0 or short < spelt_out):
            found.append(("'DCMS' before it is spelt out", url, text[max(0, short - 40) : short + 20]))
    return found


def test_public_pages_keep_govuk_style(client, content):
    found = style_lapses(public_documents(client))
    assert found == [], "\n".join(map(str, found))


def test_the_style_check_would_catch_a_lapse(client, content):
    from support.models import Programme

    Programme.objects.filter(slug="mutuals-support-programme").update(closed_reason="Closed for applications.")
    found = {(rule, url) for rule, url, _ in style_lapses(public_documents(client))}
    assert ("a status word repeated ('Closed Closed')", "/support/programmes/mutuals-support-programme/") in found
    page = "<!DOCTYPE html><main>Mutuals in North East. Creating Public Service Mutuals, DCMS and PDF, 953 KB.</main>"
    fake = {"/x": page + "\nvisible"}
    rules = {rule for rule, _, _ in style_lapses(fake)}
    assert len(rules) == 4


def test_updates_keep_the_seeds_order_and_no_2017_note_is_dated_later(client, content):
    order = [
        "The third round of the Mutuals Interim Support Fund is now open",
        "Updated map of live public service mutuals",
        "Update to support available.",
        "First published.",
    ]
    for url in [reverse("home"), reverse("updates")]:
        text = client.get(url).text
        places = [text.index(note) for note in order]
        assert places == sorted(places), url
    import feedparser

    feed = feedparser.parse(client.get(reverse("updates-feed")).content)
    explainer = [entry for entry in feed.entries if entry.title.startswith("Introduction to Public Service Mutuals")]
    assert [next(n for n in order if n in entry.title) for entry in explainer] == order
    assert all(entry.updated_parsed.tm_year == 2017 for entry in explainer)
