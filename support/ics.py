"""Fund round deadlines as iCalendar files that calendar apps import in UK time."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from icalendar import Calendar, Event

from support import uktime
from support.status import UK

CONTENT_TYPE = "text/calendar; charset=utf-8"


def deadline_event(fund_round, *, base_url, stamp):
    """The round's deadline: a zero-length event at the moment, in Europe/London with its VTIMEZONE,
    or an all-day event on the closing day when no closing time was announced."""
    fund_name = fund_round.fund.display_name
    page = base_url + fund_round.get_absolute_url()
    event = Event()
    event.add("uid", f"fund-round-{fund_round.pk}@{slugify(settings.SERVICE_NAME)}")
    event.add("dtstamp", stamp)
    if fund_round.closing_time_recorded:
        event.start = timezone.localtime(fund_round.closes_at, UK)
        when = f"{uktime.deadline(fund_round.closes_at)} (UK time)."
    else:
        day = fund_round.closing_day
        event.start = day
        event.end = day + timedelta(days=1)
        when = f"{uktime.day_and_date(day)} (UK time). The source gives the day only, not a time."
    which = f"round {fund_round.number} of the {fund_name}" if fund_round.number else f"the {fund_name}"
    event.add("summary", f"Deadline: {fund_name}" + (f", round {fund_round.number}" if fund_round.number else ""))
    event.add("description", f"Deadline for applications to {which}: {when}\n\nHow to apply: {page}")
    event.add("url", page)
    event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: it does not make you busy
    return event


def calendar_response(rounds, *, name, request, filename=None):
    """A VCALENDAR of the rounds' deadlines, as an HTTP response."""
    rounds = list(rounds)
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.ORGANISATION['abbreviation']}//{settings.SERVICE_NAME}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    base_url = f"{request.scheme}://{request.get_host()}"
    stamp = timezone.now()
    for fund_round in rounds:
        calendar.add_component(deadline_event(fund_round, base_url=base_url, stamp=stamp))
    timed = [r for r in rounds if r.closing_time_recorded]
    if timed:
        days = [timezone.localtime(r.closes_at, UK).date() for r in timed]
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
