"""HTTP caching and the page cache: headers per page type, 304s, and that every kind of change shows at once."""

import csv
import gzip
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from mutuals.models import Mutual
from psm_site import cache as page_cache
from psm_site.models import ContentVersion
from psm_site.publishing import publish, unpublish
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


def test_a_change_retires_cached_pages_again_when_it_commits(client, django_capture_on_commit_callbacks):
    """Once inside the change's transaction (its own requests see it) and once at commit: a page
    another worker rendered meanwhile, from the data before the commit, is never served after it."""
    with django_capture_on_commit_callbacks() as callbacks:
        page_cache.bump()
    during = page_cache.generation()
    assert callbacks, "the commit replaces the generation"
    for callback in callbacks:
        callback()
    assert page_cache.generation() != during


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
def test_a_cached_page_gets_a_fresh_csp_nonce(client, encoding):
    make_guide(title="Nonce guide", slug="nonce-guide")
    first, second = (client.get("/nonce-guide", headers={"accept-encoding": encoding}) for _ in range(2))
    assert all(r.get("Content-Encoding") == ("gzip" if encoding else None) for r in (first, second))
    nonces = [r["Content-Security-Policy"].split("'nonce-")[1].split("'")[0] for r in (first, second)]
    assert nonces[0] != nonces[1]
    text = gzip.decompress(second.content).decode() if encoding else second.text
    assert f'nonce="{nonces[1]}"' in text and nonces[0] not in text


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


def test_the_content_version_is_one_row_moved_in_the_same_transaction():
    from django.db import transaction

    start = ContentVersion.objects.get().number
    with pytest.raises(RuntimeError), transaction.atomic():
        make_mutual(name="Rolled Back")
        assert ContentVersion.objects.get().number > start
        raise RuntimeError
    assert ContentVersion.objects.get().number == start
    assert ContentVersion.objects.count() == 1


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

    call_command("load_initial_content", stdout=io.StringIO())
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
