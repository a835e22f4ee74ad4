"""Small builders for test data: each test makes what it needs."""

import itertools

from django.utils import timezone
from model_bakery import baker

from mutuals.models import Guide, Publication
from psm_site.publishing.actions import publish

_numbers = itertools.count(1)


def make_guide(*, published=True, **fields):
    fields.setdefault("title", "A guide")
    fields.setdefault("slug", f"guide-{next(_numbers)}")
    guide = baker.make(Guide, **fields)
    if published:
        publish(guide, when=fields.get("first_published_at") or timezone.now())
    return guide


def make_publication(*, published=True, **fields):
    fields.setdefault("title", "A report")
    fields.setdefault("slug", f"report-{next(_numbers)}")
    fields.setdefault("summary", "What the report found.")
    publication = baker.make(Publication, **fields)
    if published:
        publish(publication)
    return publication


def make_mutual(*, published=True, sectors=("health",), region="london", **fields):
    from decimal import Decimal

    from mutuals.models import Mutual, Region, Sector

    number = next(_numbers)
    fields.setdefault("name", f"Mutual {number}")
    fields.setdefault("slug", f"mutual-{number}")
    fields.setdefault("summary", "Delivers public services.")
    fields.setdefault("town", "Leeds")
    fields.setdefault("latitude", Decimal("53.79970"))
    fields.setdefault("longitude", Decimal("-1.54920"))
    mutual = Mutual.objects.create(region=Region.objects.get(slug=region), **fields)
    mutual.sectors.set(Sector.objects.filter(slug__in=sectors))
    if published:
        publish(mutual)
    return mutual


def make_many_mutuals(count, *, prefix="bulk"):
    """Many published mutuals fast (bulk inserts), for query-count tests at scale."""
    from decimal import Decimal

    from mutuals.models import Mutual, Region, Sector

    regions = list(Region.objects.all())
    sectors = list(Sector.objects.all())
    mutuals = Mutual.objects.bulk_create(
        Mutual(
            name=f"{prefix} {i:05d}",
            slug=f"{prefix}-{i:05d}",
            summary="Synthetic.",
            town="Town",
            region=regions[i % len(regions)],
            latitude=Decimal("52.5") + Decimal(i % 100) / 100,
            longitude=Decimal("-1.5") + Decimal(i % 50) / 100,
            spun_out_year=2000 + i % 20,
            status="published",
            first_published_at=timezone.now(),
        )
        for i in range(count)
    )
    Through = Mutual.sectors.through
    Through.objects.bulk_create(
        Through(mutual_id=m.pk, sector_id=sectors[i % len(sectors)].pk) for i, m in enumerate(mutuals)
    )
    return mutuals


def make_open_round():
    """A published fund round open now (opened 3 days ago, closing in 30 days)."""
    from datetime import timedelta

    from tests.support.factories import make_fund, make_round

    fund = make_fund(name="Mutuals Growth Fund", slug="mutuals-growth-fund", summary="Grants for young mutuals.")
    now = timezone.now()
    return make_round(fund, opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=30), number=1)
