"""Status runs itself: computed from the dates and the clock, at every boundary, in UK time."""

from datetime import date, timedelta

import pytest
from django.utils.html import strip_tags

from support.models import Fund, FundRound
from support.status import Availability, closing_moment
from support.templatetags.support import round_when
from tests.support.factories import make_fund, make_programme, make_round, uk

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)
OPENS = uk(2026, 6, 1, 9)
CLOSES = uk(2026, 6, 29, 17)  # a Monday, in BST

BOUNDARIES = [
    (OPENS - SECOND, Availability.UPCOMING),
    (OPENS, Availability.OPEN),
    (OPENS + SECOND, Availability.OPEN),
    (CLOSES - timedelta(days=14) - SECOND, Availability.OPEN),
    (CLOSES - timedelta(days=14), Availability.CLOSING_SOON),
    (CLOSES - SECOND, Availability.CLOSING_SOON),
    (CLOSES, Availability.CLOSED),
    (CLOSES + SECOND, Availability.CLOSED),
]


def _status_words(fund_round):
    """What a round's page says of its status now, without the <time> markup."""
    return strip_tags(round_when(fund_round))


def _only_in(status, fund_round, now):
    """The QuerySet agrees with the property: the round is in `status` and in no other."""
    for each in Availability:
        found = FundRound.objects.with_status(each, now).filter(pk=fund_round.pk).exists()
        assert found == (each == status), f"{each} at {now}"


@pytest.mark.parametrize(("now", "expected"), BOUNDARIES)
def test_round_status_at_every_boundary(frozen, now, expected):
    fund_round = make_round(opens_at=OPENS, closes_at=CLOSES)
    frozen(now)
    assert fund_round.availability == expected
    _only_in(expected, fund_round, now)
    is_open = expected in (Availability.OPEN, Availability.CLOSING_SOON)
    assert FundRound.objects.open(now).filter(pk=fund_round.pk).exists() == is_open


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # The last Sunday of March 2026: clocks go forward at 1am, so 5pm UK is 16:00 UTC.
        (uk(2026, 3, 29, 16, 59, 59), Availability.CLOSING_SOON),
        (uk(2026, 3, 29, 17), Availability.CLOSED),
        # Fourteen UK calendar days before is 5pm GMT on 15 March, 17:00 UTC.
        (uk(2026, 3, 15, 16, 59, 59), Availability.OPEN),
        (uk(2026, 3, 15, 17), Availability.CLOSING_SOON),
    ],
)
def test_deadline_on_the_day_the_clocks_go_forward(frozen, now, expected):
    fund_round = make_round(opens_at=uk(2026, 3, 1), closes_at=uk(2026, 3, 29, 17))
    assert fund_round.closes_at.utcoffset() == timedelta(hours=1)
    frozen(now)
    assert fund_round.availability == expected
    _only_in(expected, fund_round, now)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # The last Sunday of October 2026: clocks go back at 2am, so 5pm UK is 17:00 UTC.
        (uk(2026, 10, 25, 16, 59, 59), Availability.CLOSING_SOON),
        (uk(2026, 10, 25, 17), Availability.CLOSED),
        # Fourteen UK calendar days before is 5pm BST on 11 October, 16:00 UTC.
        (uk(2026, 10, 11, 16, 59, 59), Availability.OPEN),
        (uk(2026, 10, 11, 17), Availability.CLOSING_SOON),
    ],
)
def test_deadline_on_the_day_the_clocks_go_back(frozen, now, expected):
    fund_round = make_round(opens_at=uk(2026, 10, 1), closes_at=uk(2026, 10, 25, 17))
    frozen(now)
    assert fund_round.availability == expected
    _only_in(expected, fund_round, now)


def test_utc_instants_of_the_dst_deadlines():
    spring = make_round(opens_at=uk(2026, 3, 1), closes_at=uk(2026, 3, 29, 17))
    autumn = make_round(opens_at=uk(2026, 10, 1), closes_at=uk(2026, 10, 25, 17))
    spring.refresh_from_db()
    autumn.refresh_from_db()
    assert spring.closes_at.isoformat() == "2026-03-29T16:00:00+00:00"
    assert autumn.closes_at.isoformat() == "2026-10-25T17:00:00+00:00"


def test_status_and_wording_stay_in_uk_time_when_time_zone_is_utc(frozen, settings):
    settings.TIME_ZONE = "UTC"
    fund_round = make_round(opens_at=uk(2026, 6, 1, 9, 30), closes_at=uk(2026, 6, 29, 17))
    frozen(uk(2026, 6, 29, 16, 59, 59))
    fund_round.refresh_from_db()
    assert fund_round.availability == Availability.CLOSING_SOON
    assert _status_words(fund_round) == "Open until 5pm on Monday 29 June 2026"
    frozen(uk(2026, 6, 29, 17))
    assert fund_round.availability == Availability.CLOSED
    frozen(uk(2026, 5, 31))
    assert _status_words(fund_round) == "Opens 9:30am on 1 June 2026"


def test_closing_soon_follows_the_setting(frozen, settings):
    settings.CLOSING_SOON_DAYS = 3
    fund_round = make_round(opens_at=OPENS, closes_at=CLOSES)
    frozen(CLOSES - timedelta(days=4))
    assert fund_round.availability == Availability.OPEN
    frozen(CLOSES - timedelta(days=3))
    assert fund_round.availability == Availability.CLOSING_SOON
    _only_in(Availability.CLOSING_SOON, fund_round, CLOSES - timedelta(days=3))


def test_an_unrecorded_opening_counts_as_already_open(frozen):
    fund_round = make_round(opens_at=None, closes_at=uk(2017, 9, 29, 17))
    frozen(uk(2017, 9, 1))
    assert fund_round.availability == Availability.OPEN
    _only_in(Availability.OPEN, fund_round, uk(2017, 9, 1))
    frozen(uk(2026, 1, 1))
    assert fund_round.availability == Availability.CLOSED


@pytest.mark.parametrize(
    ("now", "text"),
    [
        (uk(2018, 5, 1), "Opens 29 May 2018"),
        (uk(2018, 6, 1), "Open until 5pm on Friday 29 June 2018"),
        (uk(2018, 7, 1), "Deadline was 5pm on Friday 29 June 2018"),
    ],
)
def test_status_words(frozen, now, text):
    fund_round = make_round(opens_at=uk(2018, 5, 29), closes_at=uk(2018, 6, 29, 17))
    frozen(now)
    assert _status_words(fund_round) == text


# --- Funds ------------------------------------------------------------------------------------


def test_fund_status_follows_its_published_rounds(frozen):
    frozen(uk(2026, 6, 1, 12))
    fund = make_fund()
    assert fund.availability == Availability.CLOSED  # no rounds at all
    make_round(fund, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17))
    assert make_fund().availability == Availability.CLOSED
    assert Fund.objects.get(pk=fund.pk).availability == Availability.CLOSED  # only a past round
    make_round(fund, opens_at=uk(2026, 7, 1), closes_at=uk(2026, 8, 1, 17), published=False)
    assert Fund.objects.get(pk=fund.pk).availability == Availability.CLOSED  # a draft round does not count
    make_round(fund, opens_at=uk(2026, 9, 1), closes_at=uk(2026, 10, 1, 17))
    assert Fund.objects.get(pk=fund.pk).availability == Availability.UPCOMING
    make_round(fund, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 6, 10, 17))
    assert Fund.objects.get(pk=fund.pk).availability == Availability.CLOSING_SOON


def test_fund_closed_for_good_is_closed_with_its_reason(frozen):
    frozen(uk(2026, 6, 1, 12))
    fund = make_fund(closed_for_good=True, closed_reason="No further rounds.")
    assert fund.availability == Availability.CLOSED
    assert fund.closed_note == "Closed: no further rounds."


@pytest.mark.parametrize("status", list(Availability))
def test_fund_status_filter_agrees_with_the_property(frozen, status):
    frozen(uk(2026, 6, 1, 12))
    funds = {
        Availability.OPEN: make_fund(),
        Availability.CLOSING_SOON: make_fund(),
        Availability.UPCOMING: make_fund(),
        Availability.CLOSED: make_fund(),
    }
    make_round(funds[Availability.OPEN], opens_at=uk(2026, 5, 1), closes_at=uk(2026, 7, 1, 17))
    make_round(funds[Availability.CLOSING_SOON], opens_at=uk(2026, 5, 1), closes_at=uk(2026, 6, 5, 17))
    make_round(funds[Availability.UPCOMING], opens_at=uk(2026, 7, 1), closes_at=uk(2026, 8, 1, 17))
    make_round(funds[Availability.CLOSED], opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17))
    shut = make_fund(closed_for_good=True)
    make_round(shut, opens_at=uk(2025, 1, 1), closes_at=uk(2025, 2, 1, 17))
    expected = {funds[status].pk} | ({shut.pk} if status == Availability.CLOSED else set())
    assert set(Fund.objects.with_status(status).values_list("pk", flat=True)) == expected
    for fund in Fund.objects.filter(pk__in=expected):
        assert fund.availability == status


# --- Programmes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"opens_on": uk(2026, 7, 1).date()}, Availability.UPCOMING),
        ({"opens_on": uk(2026, 5, 1).date()}, Availability.OPEN),
        ({"closes_on": uk(2026, 6, 1).date()}, Availability.CLOSING_SOON),  # open to the end of today
        ({"closes_on": uk(2026, 5, 31).date()}, Availability.CLOSED),
        ({"closed_for_good": True, "closes_on": uk(2027, 1, 1).date()}, Availability.CLOSED),
        ({}, None),  # nothing known
    ],
)
def test_programme_status_from_its_dates(frozen, dates, expected):
    frozen(uk(2026, 6, 1, 23, 59, 59))
    assert make_programme(**dates).availability == expected


def test_programme_without_dates_follows_its_funds(frozen):
    frozen(uk(2026, 6, 1, 12))
    programme = make_programme()
    fund = make_fund(programme=programme)
    make_round(fund, opens_at=uk(2026, 7, 1), closes_at=uk(2026, 8, 1, 17))
    assert programme.availability == Availability.UPCOMING
    make_fund(programme=programme, published=False)
    frozen(uk(2026, 8, 2))
    assert programme.availability == Availability.CLOSED


def test_next_change_is_exactly_where_the_status_changes():
    """next_change() walks the same boundaries as status_at(), second by second around each."""
    from datetime import timedelta

    from support.status import next_change, status_at

    opens_at, closes_at = uk(2026, 3, 1, 10), uk(2026, 3, 29, 17)  # the clocks go forward on 29 March
    moment = uk(2026, 2, 1)
    seen = []
    while (boundary := next_change(moment, opens_at=opens_at, closes_at=closes_at)) is not None:
        before = status_at(boundary - timedelta(seconds=1), opens_at=opens_at, closes_at=closes_at)
        assert status_at(moment, opens_at=opens_at, closes_at=closes_at) == before
        assert status_at(boundary, opens_at=opens_at, closes_at=closes_at) != before
        seen.append(status_at(boundary, opens_at=opens_at, closes_at=closes_at))
        moment = boundary
    assert [s.value for s in seen] == ["open", "closing_soon", "closed"]


# --- A deadline given as a day, with no time --------------------------------------------------


def _day_only_round(day, **fields):
    fund_round = make_round(opens_at=None, closes_at=closing_moment(day), closing_time_recorded=False, **fields)
    fund_round.refresh_from_db()
    return fund_round


@pytest.mark.parametrize(
    ("day", "now", "expected"),
    [
        # Friday 29 September 2017, in British Summer Time: closes at 23:00 UTC.
        (date(2017, 9, 29), uk(2017, 9, 29, 23, 59, 59), Availability.CLOSING_SOON),
        (date(2017, 9, 29), uk(2017, 9, 30, 0, 0, 0), Availability.CLOSED),
        # Friday 1 December 2017, in Greenwich Mean Time: closes at midnight UTC.
        (date(2017, 12, 1), uk(2017, 12, 1, 23, 59, 59), Availability.CLOSING_SOON),
        (date(2017, 12, 1), uk(2017, 12, 2, 0, 0, 0), Availability.CLOSED),
    ],
)
def test_a_day_only_deadline_closes_at_the_end_of_that_uk_day(frozen, day, now, expected):
    fund_round = _day_only_round(day)
    frozen(now)
    assert fund_round.availability == expected
    _only_in(expected, fund_round, now)  # the QuerySet filter agrees with the property
    assert fund_round.closing_day == day


def test_the_utc_instants_of_day_only_deadlines():
    assert _day_only_round(date(2017, 9, 29)).closes_at.isoformat() == "2017-09-29T23:00:00+00:00"
    assert _day_only_round(date(2017, 12, 1)).closes_at.isoformat() == "2017-12-02T00:00:00+00:00"
    # The day the clocks go back is 25 hours long; it still ends at midnight UK time.
    assert _day_only_round(date(2026, 10, 25)).closes_at.isoformat() == "2026-10-26T00:00:00+00:00"


@pytest.mark.parametrize(
    ("now", "text"),
    [
        (uk(2017, 9, 1), "Closes on Friday 29 September 2017"),
        (uk(2017, 9, 30), "Deadline was Friday 29 September 2017"),
    ],
)
def test_a_day_only_deadline_names_no_time(frozen, now, text):
    fund_round = _day_only_round(date(2017, 9, 29))
    frozen(now)
    assert _status_words(fund_round) == text
    assert fund_round.deadline_text == "the end of Friday 29 September 2017"
