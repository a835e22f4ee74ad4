"""Alerts are built when things happen: a major change note, a new round or mutual, a deadline
moving (signals from the content apps, which never import this app), and a round opening or
nearing its deadline (the clock, which looks every few minutes at what changed since it last
looked). Each alert has an event key, so however often something is seen it alerts once.
"""

import logging
from datetime import UTC, timedelta

from django.db import IntegrityError, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from alerts import topics
from alerts.models import Alert, ClockRun, Delivery, Frequency, Subscription, Topic
from mutuals.models import Mutual
from psm_site.models import ChangeNote
from psm_site.publishing import change_noted
from support import uktime
from support.models import Fund, FundRound

log = logging.getLogger(__name__)

REMINDER_DAYS = 7
# The first time the clock runs it looks back this far, not to the beginning of time.
FIRST_LOOK_BACK = timedelta(hours=1)
SOONEST = {Frequency.IMMEDIATELY: 0, Frequency.DAILY: 1, Frequency.WEEKLY: 2}


def build_alert(*, event, kind, title, note, url, topic_keys, happened_at=None):
    """Record an alert and queue it for every confirmed subscriber of its topics, once per event.

    Returns the new Alert, or None if this event already alerted.
    """
    from alerts.sending import send_alert  # the task module imports this one

    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                event=event, kind=kind, title=title, note=note, url=url, happened_at=happened_at or timezone.now()
            )
    except IntegrityError:
        return None
    matched = list(Topic.objects.filter(key__in=topic_keys))
    alert.topics.set(matched)
    soonest = {}
    for subscriber_id, frequency in (
        Subscription.objects.confirmed().filter(topic__in=matched).values_list("subscriber_id", "frequency")
    ):
        if subscriber_id not in soonest or SOONEST[frequency] < SOONEST[soonest[subscriber_id]]:
            soonest[subscriber_id] = frequency
    Delivery.objects.bulk_create(
        [Delivery(subscriber_id=pk, alert=alert, frequency=frequency) for pk, frequency in soonest.items()]
    )
    if Frequency.IMMEDIATELY in soonest.values():
        transaction.on_commit(lambda: send_alert.enqueue(alert.pk))
    log.info("Alert %s for %d subscriber(s)", event, len(soonest))
    return alert


# --- Things editors do ---------------------------------------------------------------------------


def _noted(sender, note, first, **kwargs):
    alert_for_note(note.pk)


def alert_for_note(note_id):
    note = ChangeNote.objects.filter(pk=note_id).select_related("content_type").first()
    if note is None:
        return None
    model = note.content_type.model_class()
    item = model.objects.public().filter(pk=note.object_id).first() if model else None
    if item is None:
        return None
    first = note.first_publication
    if isinstance(item, FundRound) and first:
        return alert_for_new_round(item)
    if isinstance(item, Fund) and first:
        # Rounds published while their fund was still a draft were not public then: announce them now.
        rounds = (
            FundRound.objects.public().select_related("fund__programme").filter(fund=item, closes_at__gt=timezone.now())
        )
        announced = [alert_for_new_round(fund_round) for fund_round in rounds]
        return next((alert for alert in announced if alert), None)
    if isinstance(item, Mutual) and first:
        keys = [
            t.key for t in Topic.objects.filter(key__startswith=topics.MUTUALS) if topics.matches_mutual(t.key, item)
        ]
        return build_alert(
            event=f"new-mutual:{item.pk}",
            kind=Alert.Kind.NEW_MUTUAL,
            title=f"New mutual: {item.name}",
            note=item.summary,
            url=item.get_absolute_url(),
            topic_keys=keys,
        )
    if topics.key_for(item) and not first:
        return build_alert(
            event=f"note:{note.pk}",
            kind=Alert.Kind.UPDATE,
            title=f"{item} has been updated",
            note=note.note,
            url=item.get_absolute_url(),
            topic_keys=[topics.page_key(item)],
            happened_at=note.changed_at,
        )
    return None


def alert_for_new_round(fund_round):
    """'Round N announced', once per round, when it first becomes public (it or its fund published)."""
    return build_alert(
        event=f"new-round:{fund_round.pk}",
        kind=Alert.Kind.NEW_ROUND,
        title=f"{fund_round.fund.display_name}: {fund_round.title_in_sentence} announced",
        note=_round_dates(fund_round),
        url=fund_round.get_absolute_url(),
        topic_keys=topics.round_topic_keys(fund_round),
    )


def _round_dates(fund_round, now=None):
    """'Opens …' only for a round still to open: one already open says so."""
    now = now or timezone.now()
    if fund_round.opens_at and fund_round.opens_at > now:
        opens = f"Opens {fund_round.opening_text}. "
    elif fund_round.closes_at > now:
        opens = "Open for applications now. "
    else:
        opens = ""
    return f"{opens}Closes at {fund_round.deadline_text}."


def _remember_deadline(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._alerts_old_deadline = (
            FundRound.objects.filter(pk=instance.pk).values_list("closes_at", flat=True).first()
        )


def _round_saved(sender, instance, created, raw=False, **kwargs):
    old = getattr(instance, "_alerts_old_deadline", None)
    if created or raw or old is None or old == instance.closes_at:
        return
    pk, new = instance.pk, instance.closes_at
    transaction.on_commit(lambda: alert_for_deadline(pk, old, new))


def alert_for_deadline(round_id, old, new):
    fund_round = FundRound.objects.public().select_related("fund__programme").filter(pk=round_id, closes_at=new).first()
    if fund_round is None or new <= timezone.now():
        return None
    return build_alert(
        event=f"deadline:{round_id}:{old.isoformat()}:{new.isoformat()}",
        kind=Alert.Kind.DEADLINE,
        title=f"{fund_round.fund.display_name}: the deadline for {fund_round.title_in_sentence} has changed",
        note=f"{fund_round.title} now closes at {uktime.deadline(new)}. It was {uktime.deadline(old)}.",
        url=fund_round.get_absolute_url(),
        topic_keys=topics.round_topic_keys(fund_round),
    )


def connect():
    change_noted.connect(_noted, dispatch_uid="alerts-note")
    pre_save.connect(_remember_deadline, sender=FundRound, dispatch_uid="alerts-deadline-before")
    post_save.connect(_round_saved, sender=FundRound, dispatch_uid="alerts-deadline-after")


# --- Things the clock does -------------------------------------------------------------------------


def reminder_moment(closes_at):
    """7 days before the deadline on the UK clock: 5pm stays 5pm when the clocks change between."""
    return (uktime.uk_local(closes_at) - timedelta(days=REMINDER_DAYS)).astimezone(UTC)


def closing_event(fund_round):
    return f"closing:{fund_round.pk}:{fund_round.closes_at.isoformat()}"


def clock(now=None):
    """Alerts for rounds that opened, or reached 7 days before closing, and items that went live
    on their schedule, since the last look.

    Run every few minutes (`manage.py alerts_clock`). Returns the alerts it built.
    """
    now = now or timezone.now()
    built = []
    with transaction.atomic():
        run, _ = ClockRun.objects.select_for_update().get_or_create(
            name="rounds", defaults={"ran_at": now - FIRST_LOOK_BACK}
        )
        since = run.ran_at
        if now <= since:
            return built
        published = FundRound.objects.public().select_related("fund__programme")
        for fund_round in published.filter(opens_at__gt=since, opens_at__lte=now, closes_at__gt=now):
            built.append(
                build_alert(
                    event=f"open:{fund_round.pk}:{fund_round.opens_at.isoformat()}",
                    kind=Alert.Kind.ROUND_OPEN,
                    title=f"{fund_round.fund.display_name}: {fund_round.title_in_sentence} is now open",
                    note=f"{fund_round.title} is open for applications until {fund_round.deadline_text}.",
                    url=fund_round.get_absolute_url(),
                    topic_keys=topics.round_topic_keys(fund_round),
                    happened_at=fund_round.opens_at,
                )
            )
        window = published.filter(closes_at__gt=now, closes_at__lte=now + timedelta(days=REMINDER_DAYS + 1))
        for fund_round in window:
            remind_at = reminder_moment(fund_round.closes_at)
            if remind_at > now:
                continue
            on_time = since < remind_at and not (fund_round.opens_at and fund_round.opens_at > remind_at)
            if not on_time and Alert.objects.filter(event=closing_event(fund_round)).exists():
                continue
            # On time, 7 days before; a round announced (or opening) with less than 7 days left
            # gets its reminder at the clock's next run, saying when it closes.
            when = "closes in 7 days" if on_time else f"closes at {fund_round.deadline_text}"
            built.append(
                build_alert(
                    event=closing_event(fund_round),
                    kind=Alert.Kind.ROUND_CLOSING,
                    title=f"{fund_round.fund.display_name}: {fund_round.title_in_sentence} {when}",
                    note=f"{fund_round.title} closes at {fund_round.deadline_text}.",
                    url=fund_round.get_absolute_url(),
                    topic_keys=topics.round_topic_keys(fund_round),
                    happened_at=remind_at if on_time else now,
                )
            )
        # Notes dated to a moment now passed: an item scheduled to publish, which no save marks.
        # Notes already alerted on saving are skipped by their event keys.
        for note_id in ChangeNote.objects.filter(changed_at__gt=since, changed_at__lte=now).values_list(
            "pk", flat=True
        ):
            built.append(alert_for_note(note_id))
        run.ran_at = now
        run.save(update_fields=["ran_at"])
    return [alert for alert in built if alert]
