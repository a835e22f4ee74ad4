"""HTTP caching and the page cache: headers per page type, 304s, and that every kind of change shows at once."""

import csv
import gzip
import io
import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from mutuals.models import Mutual
from psm_site.models import ContentVersion
from psm_site.publishing.actions import publish, unpublish
from psm_site.web import cache as page_cache
from tests.conftest import load_first_content
from tests.factories import make_guide, make_many_mutuals, make_mutual
from tests.helpers import body, settle_content_version
from tests.support.factories import make_round, uk

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(time_machine):
    """Stop the clock at a moment (as tests/support/conftest.py does)."""

    def move(moment):
        time_machine.move_to(moment, tick=False)
        return moment

    return move


LIST = reverse("mutuals:mutual-list")
CSV = reverse("mutuals:mutuals-csv")


def _names(client, url=LIST):
    return body(client.get(url)).decode()


# --- Headers per page type -------------------------------------------------------------------------


def test_public_page_headers(client, settings):
    settings.HTTP_CACHE_MAX_AGE, settings.HTTP_CACHE_S_MAXAGE = 120, 900
    mutual = make_mutual(name="Header Mutual")
    response = client.get(mutual.get_absolute_url())
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert control == {"public", "max-age=120", "s-maxage=900"}
    assert response["ETag"].startswith('"') and "Cookie" in response["Vary"]
    assert response.has_header("Last-Modified")  # the page shows a date
    assert not response.cookies
    assert not client.get(LIST).has_header("Last-Modified")  # a list has no date of its own


@pytest.mark.parametrize("url_name", ["feedback-problem", "feedback-thanks"])
def test_forms_are_private(client, url_name):
    response = client.get(reverse(url_name), {"path": "/"})
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_staff_and_previews_are_private_and_never_touch_the_cache(client, editor_client):
    draft = make_mutual(name="Draft Preview", published=False)
    preview = editor_client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "no-store" in preview["Cache-Control"]
    live = make_mutual(name="Seen By Staff")
    staff_view = editor_client.get(live.get_absolute_url())
    assert "private" in staff_view["Cache-Control"] and "no-store" in staff_view["Cache-Control"]
    assert not staff_view.has_header("ETag")
    # A change that moves no version (a queryset update sends no signal) shows whoever fills the cache next:
    Mutual.objects.filter(pk=live.pk).update(summary="Changed quietly.")
    assert "Changed quietly." in Client().get(live.get_absolute_url()).text  # staff filled nothing
    Mutual.objects.filter(pk=live.pk).update(summary="Changed again.")
    assert "Changed quietly." in Client().get(live.get_absolute_url()).text  # the visitor's copy is cached
    assert "Changed again." in editor_client.get(live.get_absolute_url()).text  # staff never read it


def test_a_cookie_that_is_not_a_signed_in_staff_session_does_not_skip_the_cache(client):
    make_mutual(name="Cookie Mutual")
    client.get(LIST)
    stranger = Client(headers={"cookie": "sessionid=made-up; psm_staff=forged"})
    assert stranger.get(LIST)["X-Cache"] == "hit"


def test_sign_in_sets_the_staff_marker_and_sign_out_clears_it(client, editor, settings):
    settings.ADMIN_TWO_FACTOR = False
    make_mutual(name="Marker Mutual")
    client.get(LIST)  # cached for visitors
    signed_in = client.post(reverse("admin:login"), {"username": "editor", "password": "a-long-test-password"})
    assert signed_in.status_code == 302 and signed_in.cookies[page_cache.STAFF_MARKER_COOKIE].value
    staff_view = client.get(LIST)
    assert "X-Cache" not in staff_view and "no-store" in staff_view["Cache-Control"]
    signed_out = client.post(reverse("admin:logout"))
    assert signed_out.cookies[page_cache.STAFF_MARKER_COOKIE].value == ""  # deleted
    assert client.get(LIST)["X-Cache"] == "hit"


def test_unknown_parameters_neither_make_entries_nor_change_the_page(client):
    make_mutual(name="Parameter Mutual")
    first = client.get(LIST + "?sector=health&status=all")
    other = client.get(LIST + "?utm_source=1&status=all&sector=health")
    assert other["X-Cache"] == "hit" and other["ETag"] == first["ETag"]
    without_nonce = re.compile(rb'nonce="[^"]*"')
    assert without_nonce.sub(b"", other.content) == without_nonce.sub(b"", first.content)
    geojson = reverse("mutuals:mutuals-geojson")
    client.get(geojson)
    for number in range(3):
        extra = client.get(f"{geojson}?x={number}")
        assert extra["X-Cache"] == "hit"
    search = client.get(reverse("search"), {"q": "parameter", "utm_campaign": "<b>x</b>"})
    assert "utm_campaign" not in search.text


def test_admin_is_private(editor_client):
    response = editor_client.get(reverse("admin:index"))
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


# --- Conditional requests -------------------------------------------------------------------------


def test_matching_if_none_match_gets_304_until_content_changes(client):
    mutual = make_mutual(name="Conditional Mutual")
    first = client.get(mutual.get_absolute_url())
    again = client.get(mutual.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and "public" in again["Cache-Control"]
    other = client.get(mutual.get_absolute_url(), headers={"if-none-match": '"something-else"'})
    assert other.status_code == 200
    mutual.summary = "Now different."
    mutual.save()
    changed = client.get(mutual.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and "Now different." in changed.text


def test_if_modified_since_gets_304_on_a_dated_page(client):
    mutual = make_mutual(name="Dated Mutual")
    first = client.get(mutual.get_absolute_url())
    again = client.get(mutual.get_absolute_url(), headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304


def test_data_files_have_an_etag_per_filter(client):
    make_mutual(name="Data Mutual")
    everything, filtered = client.get(CSV), client.get(CSV + "?status=all")
    assert everything["ETag"] != filtered["ETag"]
    assert client.get(CSV, headers={"if-none-match": everything["ETag"]}).status_code == 304


# --- Every kind of change shows on the next anonymous request ------------------------------------------


def test_save_publish_unpublish_and_delete_show_at_once(client):
    mutual = make_mutual(name="Changing Mutual")
    assert "Changing Mutual" in _names(client)
    mutual.name = "Renamed Mutual"
    mutual.save()
    assert "Renamed Mutual" in _names(client) and "Changing Mutual" not in _names(client)
    unpublish(mutual)
    assert "Renamed Mutual" not in _names(client)
    publish(mutual)
    assert "Renamed Mutual" in _names(client)
    mutual.sectors.clear()  # a many-to-many change
    assert "Renamed Mutual" not in _names(client, LIST + "?sector=health")
    mutual.delete()
    assert "Renamed Mutual" not in _names(client) and "Renamed Mutual" not in _names(client, CSV)


def test_an_import_shows_at_once(client):
    from mutuals.resources import import_mutuals
    from tests.mutuals.test_import import GOOD, dataset

    assert "Good Mutual" not in _names(client, CSV)
    _, imported = import_mutuals(dataset=dataset(GOOD), publish_rows=True)
    assert imported and "Good Mutual" in _names(client, CSV)


def test_a_round_opening_by_the_clock_shows_at_once(client, frozen, settings):
    settings.HTTP_CACHE_MAX_AGE = 86400
    frozen(uk(2030, 3, 1, 9))
    fund_round = make_round(opens_at=uk(2030, 3, 1, 10), closes_at=uk(2030, 6, 1, 17))
    support = reverse("support:index")
    before = client.get(support)
    assert "Upcoming" in before.text
    assert int(before["Cache-Control"].split("max-age=")[1].split(",")[0]) == 3600  # lifetime ends at the opening
    frozen(uk(2030, 3, 1, 9, 59, 59))
    assert client.get(support, headers={"if-none-match": before["ETag"]}).status_code == 304
    frozen(uk(2030, 3, 1, 10))
    after = client.get(support, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and fund_round.fund.name in after.text
    assert "Open until" in after.text or "Closes" in after.text or "open" in after.text.lower()
    assert after["ETag"] != before["ETag"]


def test_a_scheduled_publication_shows_at_its_time(client, frozen):
    start = frozen(uk(2031, 5, 1, 9))
    make_mutual(name="Scheduled Mutual", publish_at=start + timedelta(hours=1))
    assert "Scheduled Mutual" not in _names(client)
    frozen(start + timedelta(minutes=59, seconds=59))
    assert "Scheduled Mutual" not in _names(client)
    frozen(start + timedelta(hours=1))
    assert "Scheduled Mutual" in _names(client)


def test_a_scheduled_boundary_moves_the_version(client, frozen, monkeypatch):
    """The hook scheduled publishing uses: a registered source's moment moves the version when it passes."""
    start = frozen(uk(2031, 1, 1, 12))
    monkeypatch.setattr(page_cache, "BOUNDARY_SOURCES", [lambda now: start + timedelta(minutes=5)])
    page_cache.bump()
    first = page_cache.current_version()
    assert first.next_boundary == start + timedelta(minutes=5)
    frozen(start + timedelta(minutes=4))
    assert page_cache.current_version().number == first.number
    frozen(start + timedelta(minutes=5))
    assert page_cache.current_version().number == first.number + 1


def test_a_transaction_moves_the_version_once_at_commit(client, django_capture_on_commit_callbacks):
    """Many rows in one transaction: one callback; the version row and the shared generation stay
    put until the commit (no row lock held through an import), then move once."""
    from django.db import transaction

    start, shared = ContentVersion.objects.get().number, cache.get(page_cache.GENERATION_KEY)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for number in range(5):
            make_mutual(name=f"Batch Mutual {number}")
        assert ContentVersion.objects.get().number == start
        assert cache.get(page_cache.GENERATION_KEY) == shared
    assert len([c for c in callbacks if isinstance(c, page_cache._Commit)]) == 1
    for callback in callbacks:
        callback()
    assert ContentVersion.objects.get().number == start + 1
    assert cache.get(page_cache.GENERATION_KEY) != shared


def test_the_changers_own_requests_see_the_change_before_its_commit(client):
    """The test's transaction never commits: its client stands for the changer's own requests."""
    mutual = make_mutual(name="Before Commit")
    first = client.get(LIST)
    assert "Before Commit" in first.text
    mutual.name = "Renamed Before Commit"
    mutual.save()
    again = client.get(LIST, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and "Renamed Before Commit" in again.text


def test_a_rolled_back_transaction_changes_nothing():
    from django.db import transaction

    page_cache.version_now()
    start, shared = ContentVersion.objects.get().number, cache.get(page_cache.GENERATION_KEY)
    outside = page_cache.generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_mutual(name="Rolled Back")
        assert page_cache.generation() != outside  # its own requests would see the change
        raise RuntimeError
    assert ContentVersion.objects.get().number == start
    assert ContentVersion.objects.count() == 1
    assert cache.get(page_cache.GENERATION_KEY) == shared
    assert page_cache.generation() == outside


def test_a_cached_pages_feedback_journey_still_works(client):
    make_guide(title="Cached guide", slug="cached-guide")
    client.get("/cached-guide")
    page = client.get("/cached-guide")  # from the cache
    assert 'action="/feedback/"' in page.text and "csrfmiddlewaretoken" not in page.text
    strict = Client(enforce_csrf_checks=True)
    form = strict.get(reverse("feedback-useful"), {"path": "/cached-guide", "useful": "no"})
    token = form.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    sent = strict.post(
        reverse("feedback-useful"), {"path": "/cached-guide", "useful": "no", "csrfmiddlewaretoken": token}
    )
    assert sent.status_code == 302 and sent["Location"].startswith(reverse("feedback-problem"))


@pytest.mark.parametrize("encoding", ["", "gzip, deflate, br"])
def test_a_cached_page_is_the_same_bytes_and_policy_for_every_visitor(client, encoding):
    make_guide(title="Same guide", slug="same-guide")
    first, second = (client.get("/same-guide", headers={"accept-encoding": encoding}) for _ in range(2))
    assert all(r.get("Content-Encoding") == ("gzip" if encoding else None) for r in (first, second))
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    assert "nonce" not in second["Content-Security-Policy"]
    first_text, text = (gzip.decompress(r.content).decode() if encoding else r.text for r in (first, second))
    assert text == first_text and "Same guide" in text and "nonce" not in text


def test_data_files_are_kept_compressed_for_clients_that_take_gzip(client, django_assert_num_queries):
    make_many_mutuals(40)
    settle_content_version()
    takes_gzip = {"accept-encoding": "gzip, deflate, br"}
    for url in [CSV, reverse("mutuals:mutuals-geojson"), reverse("mutuals:mutual-points"), reverse("sitemap")]:
        plain = client.get(url)
        plain_bytes = body(plain)
        assert gzip.decompress(body(client.get(url, headers=takes_gzip))) == plain_bytes  # compressed on the way out
        with django_assert_num_queries(0):
            hit = client.get(url, headers=takes_gzip)  # kept compressed
        assert hit["Content-Encoding"] == "gzip" and gzip.decompress(hit.content) == plain_bytes
        assert int(hit["Content-Length"]) == len(hit.content) < len(plain_bytes) / 2
        assert {"Accept-Encoding", "Cookie"} <= {part.strip() for part in hit["Vary"].split(",")}
        # Another representation, so another entity tag; weak, as GZipMiddleware makes it.
        assert hit["ETag"].startswith('W/"') and hit["ETag"][2:] != plain["ETag"]
        assert client.get(url, headers={**takes_gzip, "if-none-match": hit["ETag"]}).status_code == 304
        assert "Content-Encoding" not in client.get(url) and body(client.get(url)) == plain_bytes


def test_page_cache_off_still_sends_http_caching(client, settings):
    settings.PAGE_CACHE = False
    mutual = make_mutual(name="Uncached")
    client.get(LIST)
    Mutual.objects.filter(pk=mutual.pk).update(name="Renamed quietly")  # moves no content version
    response = client.get(LIST)
    assert "public" in response["Cache-Control"] and response.has_header("ETag")
    assert "Renamed quietly" in response.content.decode()  # rendered again, not kept (any cache backend)


# --- Query counts of the cached paths, at two registry sizes ------------------------------------------


@pytest.mark.parametrize("size", [100, 5000])
def test_cache_hits_and_304s_touch_no_database(client, django_assert_num_queries, size):
    make_many_mutuals(size)
    settle_content_version()
    for url in [LIST, CSV, reverse("mutuals:mutuals-geojson"), reverse("sitemap")]:
        first = client.get(url)
        body(first)  # a streamed CSV is cached once it has been read to the end
        etag = first["ETag"]
        with django_assert_num_queries(0):  # the generation and the version are in the cache too
            assert body(client.get(url))
        with django_assert_num_queries(0):
            assert client.get(url, headers={"if-none-match": etag}).status_code == 304


# --- Open data bytes are those of the per-object code this replaced --------------------------------


def _reference_row(mutual, request_base):
    """The open-data record as the previous code built it, from model instances."""
    return {
        "name": mutual.name,
        "slug": mutual.slug,
        "url": request_base + mutual.get_absolute_url(),
        "summary": mutual.summary,
        "sectors": "; ".join(mutual.sector_names()),
        "region": mutual.region.name,
        "region_code": mutual.region.ons_code,
        "local_authority_code": mutual.local_authority.code,
        "local_authority_name": mutual.local_authority.name,
        "upper_tier_code": mutual.local_authority.upper_tier_code,
        "upper_tier_name": mutual.local_authority.upper_tier_name,
        "town": mutual.town,
        "postcode": mutual.postcode,
        "latitude": str(mutual.latitude),
        "longitude": str(mutual.longitude),
        "website": mutual.website,
        "email": mutual.email,
        "spun_out_year": mutual.spun_out_year or "",
        "parent_body": mutual.parent_body,
        "legal_form": mutual.get_legal_form_display(),
        "ownership": mutual.ownership,
        "status": mutual.trading_status,
        "companies_house_number": mutual.companies_house_number,
        "mutuals_register_number": mutual.mutuals_register_number,
        "charity_number": mutual.charity_number,
        "last_verified": mutual.verified_on.isoformat() if mutual.verified_on else "",
        "source_url": mutual.source_url,
    }


def test_open_data_matches_the_previous_code_at_37_rows(client):
    from mutuals.registry import COLUMNS

    load_first_content()
    assert Mutual.objects.count() == 37
    mutuals = Mutual.objects.published().order_by("name").select_related("region").prefetch_related("sectors")
    rows = [_reference_row(m, "http://testserver") for m in mutuals]
    expected = io.StringIO(newline="")
    writer = csv.DictWriter(expected, fieldnames=[name for name, _ in COLUMNS], quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    writer.writerows(rows)
    assert body(client.get(CSV + "?status=all")) == expected.getvalue().encode()
    as_json = client.get(reverse("mutuals:mutuals-json") + "?status=all").json()
    assert as_json["mutuals"] == json.loads(json.dumps(rows)) and as_json["count"] == 37
    geo = json.loads(client.get(reverse("mutuals:mutuals-geojson") + "?status=all").content)
    assert [f["properties"] for f in geo["features"]] == [
        {k: v for k, v in row.items() if k not in ("latitude", "longitude")} for row in json.loads(json.dumps(rows))
    ]
    assert [f["geometry"]["coordinates"] for f in geo["features"]] == [
        [float(r["longitude"]), float(r["latitude"])] for r in rows
    ]
    compact = client.get(reverse("mutuals:mutuals-geojson")).content
    assert b'", "' not in compact and b"\n" not in compact


# --- One cache truth for every process, and every date that changes a page's words ---------------


def test_without_a_shared_cache_another_process_change_shows_at_the_next_request(client, settings):
    """`make run` with `make worker`: local memory per process, so the generation comes from the
    version row. Here the other process's commit is what it leaves in the database: the row moved,
    this process's cache untouched."""
    from django.db.models import F

    settings.PAGE_CACHE_SHARED = False
    mutual = make_mutual(name="Worker Mutual")
    client.get(LIST)
    assert client.get(LIST)["X-Cache"] == "hit"
    Mutual.objects.filter(pk=mutual.pk).update(name="Imported By The Worker")
    ContentVersion.objects.filter(pk=1).update(number=F("number") + 1, boundary_known=False)
    page = client.get(LIST)
    assert page["X-Cache"] == "miss" and "Imported By The Worker" in page.text


def test_a_government_leaving_office_shows_the_history_banner_at_once(client, frozen):
    """Given an end date of yesterday (a save moves the version), or of tomorrow (a clock boundary)."""
    from datetime import date

    from psm_site.models import Government

    frozen(uk(2031, 6, 10, 12))
    banner = "This was published under the"
    government = Government.objects.create(name="Outgoing government", started_on=date(2030, 1, 1))
    guide = make_guide(title="Guide under a government", government=government)
    settle_content_version()
    assert banner not in client.get(guide.get_absolute_url()).text
    government.ended_on = date(2031, 6, 9)  # yesterday
    government.save()
    assert banner in client.get(guide.get_absolute_url()).text

    other = Government.objects.create(name="Next government", started_on=date(2031, 6, 9))
    later = make_guide(title="Guide under the next government", slug="next-guide", government=other)
    other.ended_on = date(2031, 6, 11)  # tomorrow
    other.save()
    settle_content_version()
    assert banner not in client.get(later.get_absolute_url()).text
    frozen(uk(2031, 6, 11, 0, 0, 1))
    assert banner in client.get(later.get_absolute_url()).text


# Date fields of public content that the pages only print: passing them changes no word. Every
# other date field must be read by a registered clock boundary (register_boundaries' fields).
PRINTED_ONLY = {
    "*.first_published_at": "'Published …': set when published, which moves the version",
    "psm_site.ChangeNote.changed_at": "the change note's date, printed",
    "psm_site.ChangeNote.recorded_at": "when the note was entered; feeds print it",
    "psm_site.Government.started_on": "printed in the admin; in_office reads only ended_on",
    "psm_site.Page.last_reviewed": "'Last reviewed …', printed",
    "mutuals.Publication.published_on": "the publication's date, printed",
    "mutuals.Mutual.status_changed_on": "the day its status changed, printed",
    "mutuals.Mutual.verified_on": "'Last verified …', printed",
    "mutuals.ImportedChange.imported_at": "an import's record, printed in the admin",
    "mutuals.ImportBatch.imported_at": "an import batch's record, printed in the admin",
    "mutuals.ImportBatch.withdrawn_at": "when a batch was withdrawn, printed in the admin",
    "support.Fund.closed_on": "the day a fund closed for good (closed_for_good says it is), printed",
    "support.Programme.closed_on": "the day a programme closed for good, printed",
    "support.Programme.launched_on": "'Launched …', printed",
}


def test_every_date_that_changes_a_pages_words_is_a_registered_clock_boundary():
    from django.apps import apps
    from django.db import models

    def listed(label, names):
        return label in names or "*." + label.rsplit(".", 1)[1] in names

    unclassified = []
    for model in apps.get_models():
        if not page_cache._is_content(model):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.DateField):  # DateTimeField too
                label = f"{model._meta.label}.{field.name}"
                if not (listed(label, page_cache.BOUNDARY_FIELDS) or listed(label, PRINTED_ONLY)):
                    unclassified.append(label)
    assert not unclassified, (
        "Date fields of public content that are neither read by a registered clock boundary "
        f"(register_boundaries(..., fields=...)) nor listed in PRINTED_ONLY: {unclassified}"
    )


def test_servers_with_different_names_ports_and_hosts_share_the_release():
    """The fingerprint in every key and ETag, worked out by two processes as two app servers start:
    benchmarks/servers.py runs two gunicorns on one Redis (one renders, the other hits)."""
    import os
    import subprocess
    import sys

    script = "import django; django.setup(); from psm_site.web.cache import release; print(release())"
    fingerprints = set()
    for number in (1, 2):
        env = {**os.environ, "APP_PORT": f"800{number}", "APP_SERVER_NAME": f"app-{number}", "HOSTNAME": f"h{number}"}
        env["DJANGO_SETTINGS_MODULE"] = "psm_site.settings"
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        fingerprints.add(out.stdout.strip().splitlines()[-1])
    assert len(fingerprints) == 1


@pytest.mark.django_db(transaction=True)  # committed content: no change pending in this connection
def test_a_page_asks_the_cache_for_the_generation_once(client, monkeypatch):
    """The generation public_page looked up serves every value the page keeps per generation (the
    home page's updates, the live count, the open-round banner): one round trip to the cache."""
    from psm_site.web import cache_outage

    load_first_content()
    settle_content_version()
    asked = []
    real_call = cache_outage.call
    monkeypatch.setattr(
        cache_outage, "call", lambda method, *a, **k: asked.append(method) or real_call(method, *a, **k)
    )
    assert client.get("/").status_code == 200
    assert asked.count("get_many") == 1
