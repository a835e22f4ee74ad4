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
