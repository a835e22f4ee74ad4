"""Deadlines as iCalendar files: parsed with a real parser, at the right UTC instant."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from tests.helpers import settle_content_version
from tests.support.factories import make_fund, make_round, uk

pytestmark = pytest.mark.django_db


def _calendar(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


@pytest.mark.parametrize(
    ("closes_at", "utc"),
    [
        (uk(2018, 6, 29, 17), datetime(2018, 6, 29, 16, tzinfo=UTC)),  # BST
        (uk(2017, 12, 1, 17), datetime(2017, 12, 1, 17, tzinfo=UTC)),  # GMT
        (uk(2026, 3, 29, 17), datetime(2026, 3, 29, 16, tzinfo=UTC)),  # the day the clocks go forward
        (uk(2026, 10, 25, 17), datetime(2026, 10, 25, 17, tzinfo=UTC)),  # the day they go back
    ],
)
def test_round_calendar_is_a_deadline_at_the_right_instant(client, closes_at, utc):
    fund = make_fund(name="Mutuals Interim Support Fund", slug="misf")
    fund_round = make_round(fund, number=3, opens_at=None, closes_at=closes_at)
    response = client.get(fund_round.get_calendar_url())
    assert fund_round.get_calendar_url() == "/support/funds/misf/rounds/3.ics"
    assert response["Content-Disposition"] == 'attachment; filename="misf-round-3.ics"'
    calendar = _calendar(response)
    [event] = calendar.events
    assert event.start.astimezone(UTC) == utc
    assert str(event.start.tzinfo) == "Europe/London"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert "DTEND" not in event  # a deadline is a moment
    assert event["SUMMARY"] == "Deadline: Mutuals Interim Support Fund, round 3"
    assert "(UK time)" in event["DESCRIPTION"]
    assert event["URL"] == "http://testserver/support/funds/misf/#round-3"
    [zone] = calendar.timezones
    assert zone.tz_name == "Europe/London"
    assert {component.name for component in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_the_wall_clock_time_is_written_with_its_zone(client):
    fund_round = make_round(opens_at=None, closes_at=uk(2018, 6, 29, 17))
    ics = client.get(fund_round.get_calendar_url()).content.decode()
    assert "DTSTART;TZID=Europe/London:20180629T170000" in ics
    assert "BEGIN:VTIMEZONE" in ics and "TZOFFSETTO:+0100" in ics


def test_feed_holds_every_published_round_only(client):
    fund = make_fund(name="Live")
    make_round(fund, opens_at=uk(2017, 6, 1), closes_at=uk(2017, 7, 31, 17))
    make_round(fund, opens_at=uk(2017, 8, 21), closes_at=uk(2017, 9, 29, 17))
    make_round(fund, opens_at=uk(2026, 8, 21), closes_at=uk(2026, 9, 29, 17), published=False)
    make_round(make_fund(published=False), opens_at=uk(2026, 8, 21), closes_at=uk(2026, 9, 29, 17))
    calendar = _calendar(client.get(reverse("support:rounds-calendar")))
    assert [event.start.astimezone(UTC).date().isoformat() for event in calendar.events] == ["2017-07-31", "2017-09-29"]
    assert len({event["UID"] for event in calendar.events}) == 2
    assert calendar["X-WR-CALNAME"] == "Public Service Mutuals: funding deadlines"


def test_empty_feed_is_still_a_calendar(client):
    calendar = _calendar(client.get(reverse("support:rounds-calendar")))
    assert calendar.events == []


def test_feed_query_count_is_fixed(client, django_assert_num_queries):
    for index in range(10):
        make_round(opens_at=uk(2020, 1, 1 + index), closes_at=uk(2020, 1, 1 + index, 17))
    settle_content_version()
    with django_assert_num_queries(1):
        client.get(reverse("support:rounds-calendar"))


def test_a_round_without_a_closing_time_is_an_all_day_event(client):
    fund = make_fund(name="Mutuals Interim Support Fund", slug="misf")
    fund_round = make_round(fund, number=None, opens_at=None, closes_at=uk(2017, 9, 30), closing_time_recorded=False)
    assert fund_round.get_calendar_url() == "/support/funds/misf/rounds/closing-2017-09-29.ics"
    response = client.get(fund_round.get_calendar_url())
    assert response["Content-Disposition"] == 'attachment; filename="misf-round-closing-2017-09-29.ics"'
    ics = response.content.decode()
    assert "DTSTART;VALUE=DATE:20170929" in ics and "DTEND;VALUE=DATE:20170930" in ics
    assert "T170000" not in ics and "BEGIN:VTIMEZONE" not in ics  # no time named anywhere
    [event] = _calendar(response).events
    assert event["SUMMARY"] == "Deadline: Mutuals Interim Support Fund"
    assert event["DESCRIPTION"].startswith(
        "Deadline for applications to the Mutuals Interim Support Fund: Friday 29 September 2017 (UK time). "
        "The source gives the day only, not a time."
    )  # one sentence, each fact once, and no claim that a time was never announced
    assert event["URL"] == "http://testserver/support/funds/misf/#round-closing-2017-09-29"
