"""Small builders for support data: each test makes what it needs."""

import itertools
from datetime import datetime

from psm_site.publishing.actions import publish
from support.models import Fund, FundRound, Programme
from support.status import UK

_numbers = itertools.count(1)


def uk(*args):
    """An aware moment given in UK wall-clock time: uk(2018, 6, 29, 17)."""
    return datetime(*args, tzinfo=UK)


def make_programme(*, published=True, **fields):
    number = next(_numbers)
    fields.setdefault("name", f"Programme {number}")
    fields.setdefault("slug", f"programme-{number}")
    fields.setdefault("summary", "Help for mutuals.")
    programme = Programme.objects.create(**fields)
    if published:
        publish(programme)
    return programme


def make_fund(*, published=True, **fields):
    number = next(_numbers)
    fields.setdefault("name", f"Fund {number}")
    fields.setdefault("slug", f"fund-{number}")
    fields.setdefault("summary", "Grants for mutuals.")
    fund = Fund.objects.create(**fields)
    if published:
        publish(fund)
    return fund


def make_round(fund=None, *, published=True, opens_at, closes_at, **fields):
    fund = fund or make_fund()
    fields.setdefault("number", (fund.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1)
    fund_round = FundRound.objects.create(fund=fund, opens_at=opens_at, closes_at=closes_at, **fields)
    if published:
        publish(fund_round)
    return fund_round
