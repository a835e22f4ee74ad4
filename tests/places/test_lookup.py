import time

import pytest

from places.lookup import find, km, local_authority_at, nearest_sector
from places.models import LocalAuthority, PostcodeData

pytestmark = pytest.mark.usefixtures("postcodes")


@pytest.mark.parametrize("typed", ["SW1A 2AA", "sw1a2aa", " Sw1a  2Aa "])
def test_a_postcode_is_found_in_any_case_with_or_without_its_space(typed):
    place = find(typed)
    assert place.postcode == "SW1A 2AA"
    assert place.local_authority_code == "E09000033"
    assert place.nation == "England" and place.in_england
    assert km(51.5035, -0.1276, place.latitude, place.longitude) < 0.05
    assert LocalAuthority.objects.get(pk="E09000033").name == "Westminster"


@pytest.mark.parametrize(("typed", "nation"), [("EH1 1YZ", "Scotland"), ("CF10 1EP", "Wales")])
def test_the_nation_comes_from_the_local_authority_code(typed, nation):
    place = find(typed)
    assert place.nation == nation
    assert not place.in_england


@pytest.mark.parametrize("typed", ["LS99 9ZZ", "not a postcode", "", "LS1", "SW1A 2AAA"])
def test_a_postcode_that_does_not_exist_is_not_found(typed):
    assert find(typed) is None


def test_a_pin_with_no_postcode_takes_the_nearest_sectors_local_authority():
    assert local_authority_at(latitude=53.7997, longitude=-1.5492).name == "Leeds"
    assert local_authority_at(postcode="SW1A 2AA", latitude=53.7997, longitude=-1.5492).name == "Westminster"
    assert nearest_sector(53.7997, -1.5492).sector.startswith("LS")


def test_lookups_answer_within_5_ms(django_assert_max_num_queries):
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        find("LS1 4DY")
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[len(timings) // 2] < 0.005


def test_the_build_records_its_package_version_and_is_skipped_when_current(db):
    record = PostcodeData.objects.get()
    assert record.postcodes_version == "2026.1.1"
    assert record.full_postcodes and record.only == "LS SW1A EH1 CF10"
    assert record.postcodes > 10_000


@pytest.mark.parametrize("miles_away", [5, 25, 50])
def test_the_box_around_a_circle_holds_every_point_of_the_circle(miles_away):
    """The rectangle is only a first cut before the distance: cutting into the circle would drop mutuals."""
    import math

    from places.lookup import KM_PER_MILE, box_around

    place = find("LS1 4DY")
    box = box_around(place, miles_away)
    (south, north), (west, east) = box["latitude__range"], box["longitude__range"]
    inside = outside = 0
    for step in range(3600):
        bearing = math.radians(step / 10)
        # Points on the circle, found by walking out along each bearing until `km` says we are there.
        low, high = 0.0, 2.0
        for _ in range(50):
            reach = (low + high) / 2
            point = (place.latitude + reach * math.cos(bearing), place.longitude + 2 * reach * math.sin(bearing))
            if km(place.latitude, place.longitude, *point) < miles_away * KM_PER_MILE:
                low = reach
            else:
                high = reach
        latitude, longitude = place.latitude + low * math.cos(bearing), place.longitude + 2 * low * math.sin(bearing)
        assert south <= latitude <= north and west <= longitude <= east
        inside += 1
        # Well beyond the circle, some points fall outside the box: it does cut.
        far = (place.latitude + 2 * low * math.cos(bearing), place.longitude + 4 * low * math.sin(bearing))
        outside += not (south <= far[0] <= north and west <= far[1] <= east)
    assert inside == 3600 and outside > 0


def test_englands_authorities_are_read_again_when_the_lookup_is_rebuilt():
    from django.utils import timezone

    from places.lookup import english_authorities

    assert english_authorities()["leeds"].name == "Leeds"
    assert "westminster" in english_authorities() and not any(slug == "cardiff" for slug in english_authorities())
    LocalAuthority.objects.filter(slug="leeds").update(name="Leeds (renamed)")
    assert english_authorities()["leeds"].name == "Leeds"  # kept: only a build writes the table
    PostcodeData.objects.update(built_at=timezone.now())  # what build_postcodes records
    assert english_authorities()["leeds"].name == "Leeds (renamed)"
