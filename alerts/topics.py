"""What can be followed, written as a topic key:

- ``funding``: support and funding (new rounds, a round opening, 7 days before a round closes,
  a deadline changing);
- ``page:<app>.<model>:<id>``: major change notes on one guide, publication, programme or fund;
- ``mutuals`` or ``mutuals:region=<slug>;sector=<slug>,<slug>``: new mutuals, optionally only in
  a region and in any of some sectors (the 'Find a mutual' filters).

A key names only published things; anything else is an unknown topic.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse

from mutuals.models import Mutual, Region, Sector
from support.models import FundRound

FUNDING = "funding"
MUTUALS = "mutuals"
# Models whose change notes can be followed: (app_label, model_name).
PAGE_MODELS = {("mutuals", "guide"), ("mutuals", "publication"), ("support", "programme"), ("support", "fund")}
MAX_KEY_LENGTH = 300


class UnknownTopic(Exception):
    pass


@dataclass(frozen=True)
class Spec:
    key: str
    title: str
    url: str


def page_key(item):
    return f"page:{item._meta.app_label}.{item._meta.model_name}:{item.pk}"


def mutuals_key(region=None, sectors=()):
    parts = []
    if region is not None:
        parts.append(f"region={region.slug}")
    slugs = sorted({sector.slug for sector in sectors})
    if slugs:
        parts.append("sector=" + ",".join(slugs))
    return MUTUALS + (":" + ";".join(parts) if parts else "")


def key_for(subject, *, region=None, sectors=()):
    """The key for a published item, 'funding', or 'mutuals' with filters; None if not followable."""
    if subject == FUNDING:
        return FUNDING
    if subject == MUTUALS:
        return mutuals_key(region, sectors)
    if (subject._meta.app_label, subject._meta.model_name) in PAGE_MODELS and subject.is_published:
        return page_key(subject)
    return None


def describe(key):
    """The Spec for a topic key, or UnknownTopic if it is malformed or names nothing published."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise UnknownTopic(key)
    if key == FUNDING:
        return Spec(key, "Support and funding: new fund rounds, openings and deadlines", reverse("support:index"))
    if key == MUTUALS or key.startswith(MUTUALS + ":"):
        region, sectors = _mutual_filters(key)
        if mutuals_key(region, sectors) != key:
            raise UnknownTopic(key)  # only the one spelling of each filter
        return Spec(key, _mutuals_title(region, sectors), _mutuals_url(region, sectors))
    if key.startswith("page:"):
        item = _page_item(key)
        return Spec(key, str(item), item.get_absolute_url())
    raise UnknownTopic(key)


def _page_item(key):
    try:
        _, label, pk = key.split(":")
        app_label, model_name = label.split(".")
        pk = int(pk)
    except ValueError:
        raise UnknownTopic(key) from None
    if (app_label, model_name) not in PAGE_MODELS:
        raise UnknownTopic(key)
    model = apps.get_model(app_label, model_name)
    item = model.objects.published().filter(pk=pk).first()
    if item is None:
        raise UnknownTopic(key)
    return item


def _mutual_filters(key):
    region, sectors = None, []
    rest = key[len(MUTUALS) + 1 :]
    for part in rest.split(";") if rest else []:
        name, _, value = part.partition("=")
        if name == "region" and region is None:
            region = Region.objects.filter(slug=value).first()
            if region is None:
                raise UnknownTopic(key)
        elif name == "sector" and not sectors:
            slugs = value.split(",")
            sectors = list(Sector.objects.filter(slug__in=slugs))
            if len(sectors) != len(set(slugs)):
                raise UnknownTopic(key)
        else:
            raise UnknownTopic(key)
    return region, sectors


def _mutuals_title(region, sectors):
    title = "New mutuals"
    if sectors:
        title += " in " + " or ".join(sorted(sector.name for sector in sectors))
    if region:
        title += f" in {region.in_sentence}"
    return title if region or sectors else "New mutuals in England"


def _mutuals_url(region, sectors):
    query = [f"region={region.slug}"] if region else []
    query += [f"sector={sector.slug}" for sector in sorted(sectors, key=lambda s: s.slug)]
    return reverse("mutuals:mutual-list") + ("?" + "&".join(query) if query else "")


def matches_mutual(key, mutual: Mutual):
    """Does a 'mutuals' topic key take in this mutual?"""
    try:
        region, sectors = _mutual_filters(key)
    except UnknownTopic:
        return False
    if region is not None and mutual.region_id != region.pk:
        return False
    return not sectors or bool({s.pk for s in sectors} & {s.pk for s in mutual.sectors.all()})


def round_topic_keys(fund_round: FundRound):
    """A round's news goes to 'support and funding' and to followers of its fund's page."""
    return [FUNDING, page_key(fund_round.fund)]
