"""UK times and money written the GOV.UK way."""

import pytest

from support import uktime
from support.templatetags.support import pounds
from tests.support.factories import uk


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (uk(2018, 6, 29, 17), "5pm"),
        (uk(2018, 6, 29, 9, 30), "9:30am"),
        (uk(2018, 6, 29, 12), "midday"),
        (uk(2018, 6, 29, 12, 30), "12:30pm"),
        (uk(2018, 6, 29, 0), "midnight"),
        (uk(2018, 6, 29, 0, 15), "12:15am"),
        (uk(2018, 6, 29, 23, 59, 59), "11:59pm"),
    ],
)
def test_clock_time(moment, words):
    assert uktime.clock_time(moment) == words


def test_deadline_and_opening():
    assert uktime.deadline(uk(2018, 6, 29, 17)) == "5pm on Friday 29 June 2018"
    assert uktime.deadline(uk(2018, 6, 29, 12)) == "midday on Friday 29 June 2018"
    # 00:00 on the 29th is the end of the 28th, which is how people read a midnight deadline
    assert uktime.deadline(uk(2018, 6, 29, 0)) == "midnight at the end of Thursday 28 June 2018"
    assert uktime.opening(uk(2018, 6, 29, 0)) == "29 June 2018"
    assert uktime.opening(uk(2018, 6, 29, 9)) == "9am on 29 June 2018"


def test_utc_moments_are_written_in_uk_time():
    from datetime import UTC, datetime

    assert uktime.deadline(datetime(2018, 6, 29, 16, tzinfo=UTC)) == "5pm on Friday 29 June 2018"
    assert uktime.deadline(datetime(2018, 12, 3, 17, tzinfo=UTC)) == "5pm on Monday 3 December 2018"
    assert uktime.machine_readable(datetime(2018, 6, 29, 16, tzinfo=UTC)) == "2018-06-29T17:00+01:00"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (25_000, "£25,000"),
        (572_000, "£572,000"),
        (500_000, "£500,000"),
        (1_000_000, "£1 million"),
        (1_700_000, "£1.7 million"),
        (1_234_567, "£1,234,567"),
        (0, "£0"),
        (None, ""),
    ],
)
def test_pounds(value, words):
    assert pounds(value) == words
