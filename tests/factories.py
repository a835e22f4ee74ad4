"""Small builders for test data: each test makes what it needs."""

import itertools

from django.utils import timezone
from model_bakery import baker

from mutuals.models import Guide, Publication
from psm_site.publishing import publish

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
