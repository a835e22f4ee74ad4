"""The alerts clock: what runs every few minutes, whatever anyone saves.

`manage.py alerts_clock` runs it once (for cron); `manage.py alerts_clock --every 120` keeps
running it (how `make prod` runs it, beside `manage.py db_worker`). Each part is safe to run
twice at once or after a gap: events and digests are keyed so they happen exactly once.
"""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from alerts import events, sending
from alerts.models import UNCONFIRMED_KEPT, ClockRun, Frequency, Subscriber, Subscription


def tick(now=None):
    now = now or timezone.now()
    alerts = events.clock(now)
    digests = [frequency.value for frequency in (Frequency.DAILY, Frequency.WEEKLY) if queue_digest(frequency, now)]
    requeued = sending.requeue_stuck(now)
    forgotten = forget_unconfirmed(now)
    return {"alerts": len(alerts), "digests": digests, "requeued": requeued, "forgotten": forgotten}


HEARTBEAT = "heartbeat"
LATE_AFTER_PERIODS = 3


def beat(now=None, *, every: int | None = None) -> None:
    """Record that the clock ran, and how often it means to, for /healthz."""
    ClockRun.objects.update_or_create(
        name=HEARTBEAT, defaults={"ran_at": now or timezone.now(), "every_seconds": every or None}
    )


def clock_health(now=None) -> str:
    """'ok', 'late' (no run for three of its periods) or 'unknown' (it has never run, or the
    database cannot say). Cron runs have no period of their own: ALERTS_CLOCK_SECONDS is used."""
    try:
        run = ClockRun.objects.filter(name=HEARTBEAT).first()
    except DatabaseError:
        return "unknown"
    if run is None:
        return "unknown"
    period = run.every_seconds or settings.ALERTS_CLOCK_SECONDS
    late = (now or timezone.now()) - run.ran_at > timedelta(seconds=LATE_AFTER_PERIODS * period)
    return "late" if late else "ok"


def queue_digest(frequency, now):
    """Queue the digest due at or before `now` unless it has gone already. True if queued."""
    due = sending.digest_due(frequency, now)
    try:
        with transaction.atomic():
            ClockRun.objects.create(name=f"{frequency}:{due:%Y-%m-%d}", ran_at=now)
    except IntegrityError:
        return False
    transaction.on_commit(lambda: sending.send_digests.enqueue(frequency, due.isoformat()))
    return True


def forget_unconfirmed(now):
    """Unconfirmed subscriptions go when their link expires; so do addresses left with nothing."""
    Subscription.objects.filter(confirmed_at__isnull=True, created_at__lt=now - UNCONFIRMED_KEPT).delete()
    orphans = Subscriber.objects.filter(subscriptions__isnull=True, created_at__lt=now - UNCONFIRMED_KEPT)
    return orphans.delete()[0]
