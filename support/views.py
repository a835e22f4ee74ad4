from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils import timezone

from psm_site.blocks import per_generation
from psm_site.permissions import staff_may
from psm_site.publishing.actions import get_for_request, preview_aware
from psm_site.web.cache import dated, public_page
from support.ics import calendar_response
from support.models import Fund, FundRound, Programme
from support.status import Availability


def _index_rows():
    """Every public round (with its fund), the programmes, and the closed funds that the index
    shows: the same for every visitor until the content generation moves, which every save and
    every round's or publication's boundary does (psm_site/blocks.py)."""
    return (
        list(FundRound.objects.for_index()),
        list(Programme.objects.for_index()),
        list(Fund.objects.for_index().with_status(Availability.CLOSED, timezone.now())),
    )


@public_page
def index(request):
    now = timezone.now()
    public_rounds, programmes, closed_funds = per_generation("support index", _index_rows)
    # Every public round sorted into open, upcoming and past by the one rule (support/status.py).
    rounds = {status: [] for status in Availability}
    for fund_round in public_rounds:
        rounds[fund_round.availability_at(now)].append(fund_round)
    context = {
        "open_rounds": sorted(
            rounds[Availability.OPEN] + rounds[Availability.CLOSING_SOON], key=lambda r: (r.closes_at, r.fund.name)
        ),
        "upcoming_rounds": sorted(rounds[Availability.UPCOMING], key=lambda r: (r.opens_at, r.fund.name)),
        "programmes": [p for p in programmes if p.availability_at(now) != Availability.CLOSED],
        "past_programmes": [p for p in programmes if p.availability_at(now) == Availability.CLOSED],
        "closed_funds": closed_funds,
        "past_rounds": sorted(rounds[Availability.CLOSED], key=lambda r: (-r.closes_at.timestamp(), r.fund.name)),
    }
    return render(request, "support/index.html", context)


@public_page
def programme_detail(request, slug):
    programme, is_preview = get_for_request(request, Programme.objects.for_page(), kept_as="programme page", slug=slug)
    response = render(request, "support/programme_detail.html", {"programme": programme, "is_preview": is_preview})
    return preview_aware(dated(response, programme.last_updated_at or programme.first_published_at), is_preview)


@public_page
def fund_detail(request, slug):
    draft_rounds = staff_may(request, "support.view_fundround")
    fund, is_preview = get_for_request(
        request,
        Fund.objects.for_page(draft_rounds=draft_rounds),
        kept_as=None if draft_rounds else "fund page",  # draft rounds are only ever read, never kept
        slug=slug,
    )
    if fund.is_programme_funding:
        return HttpResponsePermanentRedirect(fund.get_absolute_url())
    response = render(request, "support/fund_detail.html", {"fund": fund, "is_preview": is_preview})
    response = dated(response, fund.last_updated_at or fund.first_published_at)
    return preview_aware(response, is_preview or fund.has_draft_rounds)


@public_page
def round_calendar(request, slug, key):
    rounds = [r for r in FundRound.objects.for_feed().filter(fund__slug=slug) if r.key == key]
    if not rounds:
        raise Http404("No fund round found.")
    fund_round = rounds[0]
    return calendar_response(
        [fund_round],
        name=f"{fund_round.fund.display_name}, {fund_round.title_in_sentence}",
        request=request,
        filename=f"{fund_round.fund.slug}-round-{fund_round.key}.ics",
    )


@public_page
def rounds_calendar(request):
    return calendar_response(
        FundRound.objects.for_feed(), name="Public Service Mutuals: funding deadlines", request=request
    )
