"""When is something open? The one place that turns dates and the current time into a status.

Rounds, funds and programmes all ask `status_at()`; the QuerySets ask `closing_soon_cutoff()` for
the same boundary, so a list filter and a page tag never disagree.

All reasoning is in UK time (Europe/London) whatever `TIME_ZONE` or the server clock says:
deadlines are set and read in UK time.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone

UK = ZoneInfo("Europe/London")
UK_TIME_HELP = "UK time (Europe/London), 24-hour clock"


class Availability(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    OPEN = "open", "Open"
    CLOSING_SOON = "closing_soon", "Closing soon"
    CLOSED = "closed", "Closed"

    @property
    def tag_class(self):
        """The GOV.UK tag for this status (upcoming keeps the default blue)."""
        return {
            Availability.UPCOMING: "govuk-tag",
            Availability.OPEN: "govuk-tag govuk-tag--green",
            Availability.CLOSING_SOON: "govuk-tag govuk-tag--orange",
            Availability.CLOSED: "govuk-tag govuk-tag--grey",
        }[self]


def closing_soon_cutoff(now):
    """A deadline at or before this moment is 'closing soon'.

    Counted in UK calendar days: from 5pm on 15 March a 5pm 29 March deadline is 14 days away,
    even though the clocks go forward in between.
    """
    return (timezone.localtime(now, UK) + timedelta(days=settings.CLOSING_SOON_DAYS)).astimezone(UTC)


def status_at(now, *, opens_at, closes_at):
    """Status at `now` of something open from `opens_at` until (not including) `closes_at`.

    An unknown opening (None) counts as already open; an unknown closing as open-ended.
    """
    now = now.astimezone(UTC)
    if opens_at is not None and now < opens_at.astimezone(UTC):
        return Availability.UPCOMING
    if closes_at is None:
        return Availability.OPEN
    closes_at = closes_at.astimezone(UTC)
    if now >= closes_at:
        return Availability.CLOSED
    if closes_at <= closing_soon_cutoff(now):
        return Availability.CLOSING_SOON
    return Availability.OPEN


def closing_soon_from(closes_at):
    """The first moment at which a deadline of `closes_at` counts as closing soon (see closing_soon_cutoff)."""
    return (timezone.localtime(closes_at, UK) - timedelta(days=settings.CLOSING_SOON_DAYS)).astimezone(UTC)


def next_change(now, *, opens_at, closes_at):
    """The first moment after `now` at which status_at() gives another answer, or None if it never will.

    Cache lifetimes end here (psm_site/web/cache.py), so a page never shows a status past its time.
    """
    moments = [opens_at, closes_at, closing_soon_from(closes_at) if closes_at is not None else None]
    return min((m.astimezone(UTC) for m in moments if m is not None and m > now), default=None)


def start_of_uk_day(day):
    """Midnight at the start of `day` in UK time, as an aware moment."""
    return datetime.combine(day, time(0), tzinfo=UK)


def end_of_uk_day(day):
    """The moment `day` ends in UK time (midnight at the start of the next day): a deadline given
    as a day with no time passes here."""
    return start_of_uk_day(day + timedelta(days=1))


def closing_moment(day, clock=None):
    """When a deadline passes: at `clock` UK time on `day`, or at the end of `day` when no time was
    announced. Rounds store this moment, so the QuerySet filters and `status_at()` agree."""
    return end_of_uk_day(day) if clock is None else datetime.combine(day, clock, tzinfo=UK)


def deadline_day(closes_at, *, time_recorded=True):
    """The UK day a deadline falls on (for a day-only deadline, the day that ends at `closes_at`)."""
    local = timezone.localtime(closes_at, UK)
    return local.date() if time_recorded else (local - timedelta(hours=12)).date()
