"""Is an item live now? The one place that turns 'published', 'publish at' and 'unpublish at'
into an answer, for SQL (`live_q`) and for Python (`is_live_at`) alike.

Like a fund round's status (support/status.py), nothing flips at the scheduled second: being
live is worked out from the clock whenever it is read, so no worker needs to run on time.
"""

from django.db.models import Q

PUBLISHED = "published"


def live_q(now, prefix: str = "") -> Q:
    """Rows live at `now`. `prefix` reaches through a relation, e.g. 'fund__'."""
    return (
        Q(**{f"{prefix}status": PUBLISHED})
        & (Q(**{f"{prefix}publish_at__isnull": True}) | Q(**{f"{prefix}publish_at__lte": now}))
        & (Q(**{f"{prefix}unpublish_at__isnull": True}) | Q(**{f"{prefix}unpublish_at__gt": now}))
    )


def is_live_at(now, *, status, publish_at, unpublish_at) -> bool:
    """The same rule as `live_q`, for one item in Python."""
    return (
        status == PUBLISHED
        and (publish_at is None or publish_at <= now)
        and (unpublish_at is None or unpublish_at > now)
    )


def schedule_state(now, *, status, publish_at, unpublish_at) -> str:
    """'draft', 'scheduled' (to go live), 'live' or 'withdrawn' (unpublished by its schedule)."""
    if status != PUBLISHED:
        return "draft"
    if publish_at is not None and publish_at > now:
        return "scheduled"
    if unpublish_at is not None and unpublish_at <= now:
        return "withdrawn"
    return "live"
