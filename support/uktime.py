"""UK times written the GOV.UK way: '5pm', '9:30am', 'midday', 'midnight'.

Every moment is shown in UK time (Europe/London), whatever TIME_ZONE says.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.dateformat import format as date_format

from support.status import UK, Availability, deadline_day


def uk_local(moment):
    return timezone.localtime(moment, UK)


def clock_time(moment):
    """'5pm', '9:30am', 'midday' or 'midnight' (seconds are not shown)."""
    local = uk_local(moment)
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def day_and_date(day):
    """'Friday 29 June 2018'."""
    return date_format(day, "l j F Y")


def deadline(moment, time_recorded=True):
    """'5pm on Friday 29 June 2018', or 'the end of Friday 29 September 2017' when only the day was
    announced (the stored moment is then midnight at the end of that day).

    A deadline of 00:00 is written as the end of the day before, which is what people mean and
    cannot be read as a day late: 'midnight at the end of Thursday 28 June 2018'.
    """
    if not time_recorded:
        return f"the end of {day_and_date(deadline_day(moment, time_recorded=False))}"
    local = uk_local(moment)
    if (local.hour, local.minute) == (0, 0):
        return f"midnight at the end of {day_and_date(local.date() - timedelta(days=1))}"
    return f"{clock_time(local)} on {day_and_date(local.date())}"


def opening(moment):
    """'29 June 2018' for an opening at the start of the day, else '9:30am on 29 June 2018'."""
    local = uk_local(moment)
    day = date_format(local.date(), "j F Y")
    if (local.hour, local.minute) == (0, 0):
        return day
    return f"{clock_time(local)} on {day}"


def status_phrase(status, *, opens_at, closes_at, time_recorded=True):
    """The words for a round's status and the moment they name, kept apart so a page can wrap
    the moment in <time>: ('Open until {}', closes_at, '5pm on Friday 29 June 2018').

    A deadline announced as a day only reads 'Closes on Friday 29 September 2017' and
    'Deadline was …': no time is named. A closed round's words do not say 'Closed' again: pages
    show them after the status tag, which does.
    """
    if status == Availability.UPCOMING:
        return "Opens {}", opens_at, opening(opens_at)
    if not time_recorded:
        words = day_and_date(deadline_day(closes_at, time_recorded=False))
        return ("Deadline was {}" if status == Availability.CLOSED else "Closes on {}"), closes_at, words
    if status == Availability.CLOSED:
        return "Deadline was {}", closes_at, deadline(closes_at)
    return "Open until {}", closes_at, deadline(closes_at)


def machine_readable(moment, time_recorded=True):
    """The moment for <time datetime="…">, in UK time with its offset: '2018-06-29T17:00+01:00';
    for a day-only deadline, the day: '2017-09-29'."""
    if not time_recorded:
        return deadline_day(moment, time_recorded=False).isoformat()
    return uk_local(moment).isoformat(timespec="minutes")
