from django import template
from django.utils.html import format_html

from support import uktime
from support.models import FundRound

register = template.Library()


def _time(moment, words, time_recorded=True):
    return format_html('<time datetime="{}">{}</time>', uktime.machine_readable(moment, time_recorded), words)


@register.inclusion_tag("support/includes/open_round_banner.html")
def open_round_banner():
    """A GOV.UK notification banner while any round is open; nothing otherwise. One query."""
    return {"rounds": list(FundRound.objects.for_banner())}


@register.simple_tag
def round_when(fund_round, status=None):
    """'Open until <time>5pm on Friday 29 June 2018</time>' and the like, for the round's status now."""
    status = status or fund_round.availability
    pattern, moment, words = fund_round.status_phrase(status)
    time_recorded = fund_round.closing_time_recorded or moment != fund_round.closes_at
    return format_html(pattern, _time(moment, words, time_recorded))


@register.simple_tag
def deadline(fund_round):
    """'<time …>5pm on Friday 29 June 2018</time>', or 'the end of <time …>Friday 29 September 2017</time>'
    for a round whose closing time was not announced."""
    if not fund_round.closes_at:
        return ""
    if fund_round.closing_time_recorded:
        return _time(fund_round.closes_at, fund_round.deadline_text)
    words = uktime.day_and_date(fund_round.closing_day)
    return format_html("the end of {}", _time(fund_round.closes_at, words, False))


@register.simple_tag
def closed_when(fund_round):
    """For a 'Closed' column: '<time …>5pm on Friday 29 June 2018</time>', or just the day,
    '<time datetime="2017-09-29">Friday 29 September 2017</time>', when no time was announced."""
    if fund_round.closing_time_recorded:
        return deadline(fund_round)
    return _time(fund_round.closes_at, uktime.day_and_date(fund_round.closing_day), False)


@register.simple_tag
def opening(moment):
    """'<time …>9:30am on 29 June 2018</time>', or just the date for an opening at midnight."""
    return _time(moment, uktime.opening(moment)) if moment else ""


@register.filter
def pounds(value):
    """GOV.UK money: '£25,000', '£1.7 million', '£1 million'."""
    if value is None or value == "":
        return ""
    value = int(value)
    if value >= 1_000_000 and value % 100_000 == 0:
        return f"£{value / 1_000_000:g} million"
    return f"£{value:,}"
