"""Find a mutual near a postcode: order, distances, the same rows in open data, other nations,
unknown postcodes, and nothing of the postcode kept by the page cache."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import make_many_mutuals, make_mutual
from tests.helpers import body as raw_body
from tests.helpers import settle_content_version

pytestmark = pytest.mark.usefixtures("postcodes")
LIST = reverse("mutuals:mutual-list")
CSV = reverse("mutuals:mutuals-csv")


@pytest.fixture
def around_leeds():
    """Mutuals at known distances from LS1 4DY (53.7951, -1.5467)."""
    return [
        make_mutual(name="Bradford", town="Bradford", region="yorkshire-and-the-humber",
                    latitude=Decimal("53.79500"), longitude=Decimal("-1.75940")),  # about 8.7 miles
        make_mutual(name="Leeds Centre", town="Leeds", region="yorkshire-and-the-humber",
                    latitude=Decimal("53.79970"), longitude=Decimal("-1.54920")),  # about 0.3 miles
        make_mutual(name="York", town="York", region="yorkshire-and-the-humber",
                    latitude=Decimal("53.95990"), longitude=Decimal("-1.08730")),  # about 21.9 miles
        make_mutual(name="Sheffield", town="Sheffield", region="yorkshire-and-the-humber",
                    latitude=Decimal("53.38110"), longitude=Decimal("-1.47010")),  # about 28.8 miles
        make_mutual(name="London", town="London", region="london",
                    latitude=Decimal("51.50740"), longitude=Decimal("-0.12780")),  # about 170 miles
    ]  # fmt: skip


def body(response):
    return raw_body(response).decode()


def names(response):
    return [row["name"] for row in response.context["rows"]]


@pytest.mark.parametrize("typed", ["LS1 4DY", "ls14dy", "Ls1  4dY"])
def test_within_25_miles_lists_the_nearest_first_with_distances(client, around_leeds, typed):
    response = client.get(LIST, {"postcode": typed, "distance": "25"})
    assert response.status_code == 200
    assert names(response) == ["Leeds Centre", "Bradford", "York"]
    text = body(response)
    assert "0.3 miles away" in text and "8.7 miles away" in text
    assert "3 mutuals within 25 miles of LS1 4DY" in text
    assert "Office for National Statistics" in text  # the data is credited where it is used
    assert response.context["query"] == "postcode=LS1+4DY&distance=25"


def test_any_distance_orders_every_mutual_by_distance(client, around_leeds):
    response = client.get(LIST, {"postcode": "LS1 4DY"})
    assert names(response) == ["Leeds Centre", "Bradford", "York", "Sheffield", "London"]
    assert "by distance from LS1 4DY" in body(response)


def test_another_sort_keeps_the_distance_filter(client, around_leeds):
    response = client.get(LIST, {"postcode": "LS1 4DY", "distance": "10", "sort": "name"})
    assert names(response) == ["Bradford", "Leeds Centre"]


def test_the_csv_of_the_same_address_has_the_same_rows_in_the_same_order_with_distances(client, around_leeds):
    query = {"postcode": "ls1 4dy", "distance": "25"}
    rows = list(csv.DictReader(io.StringIO(body(client.get(CSV, query)))))
    assert [row["name"] for row in rows] == names(client.get(LIST, query))
    assert [row["distance_miles"] for row in rows] == ["0.3", "8.7", "21.9"]
    data = json.loads(body(client.get(reverse("mutuals:mutuals-json"), query)))
    assert [row["distance_miles"] for row in data["mutuals"]] == ["0.3", "8.7", "21.9"]
    assert "Office for National Statistics" in data["postcode_data"]
    features = json.loads(body(client.get(reverse("mutuals:mutuals-geojson"), query)))["features"]
    assert [feature["properties"]["name"] for feature in features] == ["Leeds Centre", "Bradford", "York"]


def test_without_a_postcode_the_files_have_no_distance_column(client, around_leeds):
    assert "distance_miles" not in body(client.get(CSV)).splitlines()[0]


@pytest.mark.parametrize(("typed", "nation"), [("EH1 1YZ", "Scotland"), ("CF10 1EP", "Wales")])
def test_a_postcode_outside_england_names_its_nation_and_is_not_an_error(client, around_leeds, typed, nation):
    response = client.get(LIST, {"postcode": typed, "distance": "50"})
    assert response.status_code == 200
    assert f"{typed} is in {nation}. This registry lists public service mutuals in England" in body(response)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("LS99 9ZZ", "We cannot find the postcode LS99 9ZZ"),
        ("not a postcode", "Enter a full UK postcode, like LS1 4DY"),
        ("x" * 40, "Enter a full UK postcode, like LS1 4DY"),
    ],
)
def test_a_postcode_that_does_not_exist_is_a_govuk_error(client, around_leeds, typed, message):
    response = client.get(LIST, {"postcode": typed})
    assert response.status_code == 400
    text = body(response)
    assert "govuk-error-summary" in text and message in text
    assert client.get(CSV, {"postcode": typed}).status_code == 400


def test_a_bad_distance_is_an_error_and_a_distance_alone_is_ignored(client, around_leeds):
    assert client.get(LIST, {"postcode": "LS1 4DY", "distance": "7"}).status_code == 400
    assert len(names(client.get(LIST, {"distance": "5"}))) == 5


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        reverse("mutuals:mutual-results"),
        reverse("mutuals:mutual-points"),
        CSV,
        reverse("mutuals:mutuals-json"),
        reverse("mutuals:mutuals-geojson"),
    ],
)
def test_nothing_is_cached_under_a_postcode(client, settings, around_leeds, url):
    settings.PAGE_CACHE = True
    settle_content_version()
    cache.clear()
    settle_content_version()
    before = set(_keys())
    response = client.get(url, {"postcode": "LS1 4DY", "distance": "25"})
    body(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "ETag" not in response
    assert set(_keys()) == before


def _keys():
    """Every key the cache holds (the local-memory cache in tests, or Redis in CI)."""
    store = cache._cache
    if isinstance(store, dict):  # LocMemCache
        return list(store)
    return [key.decode() for key in store.get_client().keys("*")]  # RedisCache


def test_the_map_gets_the_postcode_centre_and_circle_without_the_points_being_cached(client, around_leeds):
    text = body(client.get(LIST, {"postcode": "LS1 4DY", "distance": "25"}))
    assert 'id="mutual-near" data-lat="53.795' in text and 'data-miles="25"' in text
    assert "points.json?postcode=LS1+4DY&amp;distance=25" in text


@pytest.mark.parametrize("size", [100, 5000])
def test_query_counts_near_a_postcode_are_flat(client, django_assert_num_queries, around_leeds, size):
    make_many_mutuals(size)  # none of them within 25 miles of Leeds; three of around_leeds are
    settle_content_version()
    client.get(LIST)  # warm content types, the version and the filters' choices
    with django_assert_num_queries(4):  # the lookup, the results in order, the page's rows, their sectors
        response = client.get(LIST, {"postcode": "LS1 4DY", "distance": "25"})
    assert response.status_code == 200 and response.text.count("miles away") == 3
    with django_assert_num_queries(2):  # the lookup and the file's one query
        body(client.get(CSV, {"postcode": "LS1 4DY", "distance": "25"}))
