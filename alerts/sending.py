"""Emails: built from templates, queued as rows, and sent by background tasks (django-tasks,
run by `manage.py db_worker`), never inside a request. Failures are retried with growing waits;
an address refused for good is marked and never sent to again.
"""

import logging
import smtplib
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from alerts import tokens
from alerts.models import Alert, Delivery, Email, Frequency, Subscriber, Subscription

log = logging.getLogger(__name__)
UK = ZoneInfo("Europe/London")

# Waits before each retry: 1, 5, 25 and 125 minutes; then the email is marked failed.
RETRY_WAITS = [timedelta(minutes=5**n) for n in range(4)]
CONFIRMATIONS_PER_DAY = 3


class PermanentFailure(Exception):
    """The provider refused this email for good (a bad address, a rejected request)."""

    def __init__(self, message, *, bounce=False):
        super().__init__(message)
        self.bounce = bounce


def absolute(path):
    return settings.SITE_URL + path


def manage_url(subscriber):
    return absolute(reverse("alerts:manage", args=[tokens.manage_token(subscriber)]))


# --- Building emails ------------------------------------------------------------------------------


# Signed links are never stored: an email is kept with these in their place (the admin shows them
# as they are), and each send signs new links for them (_with_links). Staff, superusers included,
# can read what was sent but cannot act as its subscriber.
LINK_REMOVED = {name: f"[link removed: {name}]" for name in ("confirm", "manage", "unsubscribe")}


def queue_email(subscriber, *, kind, subject, template, context, alerts=(), topic_ids=(), confirm=None):
    """Render an email for `subscriber`, store it (links removed) and queue it for the worker.

    `confirm` is (subscription, frequency) for a confirmation email; `topic_ids` the topics its
    unsubscribe link leaves.
    """
    links = {"manage": kind != Email.Kind.CONFIRM}
    if topic_ids:
        links["unsubscribe"] = sorted(topic_ids)
    if confirm:
        links["confirm"] = {"subscription": confirm[0].pk, "frequency": confirm[1]}
    context = {
        **context,
        "subject": subject,
        "service_name": settings.SERVICE_NAME,
        "site_url": settings.SITE_URL,
        **{f"{name}_url": LINK_REMOVED[name] if name in links and links[name] else "" for name in LINK_REMOVED},
    }
    email = Email.objects.create(
        subscriber=subscriber,
        kind=kind,
        subject=subject,
        text=render_to_string(f"alerts/email/{template}.txt", context).strip() + "\n",
        html=render_to_string(f"alerts/email/{template}.html", context),
        links=links,
    )
    if alerts:
        email.alerts.set(alerts)
    transaction.on_commit(lambda: send_email.enqueue(email.pk))
    return email


def signed_links(email, subscriber):
    """The links this email carries, signed now for `subscriber`: {name: url}. A confirmation for
    a subscription that has gone raises PermanentFailure."""
    links = {}
    if email.links.get("manage"):
        links["manage"] = manage_url(subscriber)
    if email.links.get("unsubscribe"):
        token = tokens.unsubscribe_token(subscriber, email.links["unsubscribe"])
        links["unsubscribe"] = absolute(reverse("alerts:unsubscribe", args=[token]))
    if confirm := email.links.get("confirm"):
        subscription = Subscription.objects.filter(subscriber=subscriber, pk=confirm["subscription"]).first()
        if subscription is None:
            raise PermanentFailure("The subscription to confirm has gone")
        token = tokens.confirm_token(subscription, confirm["frequency"])
        links["confirm"] = absolute(reverse("alerts:confirm", args=[token]))
    return links


def _with_links(body, links):
    for name, url in links.items():
        body = body.replace(LINK_REMOVED[name], url)
    return body


def confirmations_today(subscriber, now=None):
    now = now or timezone.now()
    return subscriber.emails.filter(kind=Email.Kind.CONFIRM, created_at__gt=now - timedelta(days=1)).count()


def queue_confirmation(subscription, frequency):
    """The double opt-in email. At most CONFIRMATIONS_PER_DAY per address; returns None past that."""
    subscriber = subscription.subscriber
    if confirmations_today(subscriber) >= CONFIRMATIONS_PER_DAY:
        log.info("Confirmation not sent: the daily limit for this address is reached")
        return None
    return queue_email(
        subscriber,
        kind=Email.Kind.CONFIRM,
        subject=f"Confirm that you want emails about ‘{subscription.topic.title}’",
        template="confirm",
        context={
            "topic": subscription.topic,
            "topic_url": absolute(subscription.topic.url),
            "frequency": Frequency(frequency).label.lower(),
            "days": tokens.CONFIRM_DAYS,
        },
        confirm=(subscription, frequency),
    )


def queue_manage_link(subscriber):
    return queue_email(
        subscriber,
        kind=Email.Kind.MANAGE,
        subject="Manage your Public Service Mutuals email subscriptions",
        template="manage",
        context={"days": tokens.MANAGE_DAYS},
    )


def _topic_ids(subscriber, alerts):
    return sorted(
        Subscription.objects.filter(subscriber=subscriber, topic__alerts__in=alerts)
        .values_list("topic_id", flat=True)
        .distinct()
    )


def _alert_context(alert):
    return {"title": alert.title, "note": alert.note, "url": absolute(alert.url), "when": alert.happened_at}


@task()
def send_alert(alert_id):
    """One email per subscriber who wants this alert immediately."""
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        return 0
    count = 0
    pending = Delivery.objects.filter(alert=alert, frequency=Frequency.IMMEDIATELY, email__isnull=True).still_wanted()
    for delivery in pending.select_related("subscriber"):
        with transaction.atomic():
            email = queue_email(
                delivery.subscriber,
                kind=Email.Kind.ALERT,
                subject=alert.title,
                template="alert",
                context={"alert": _alert_context(alert)},
                alerts=[alert],
                topic_ids=_topic_ids(delivery.subscriber, [alert]),
            )
            Delivery.objects.filter(pk=delivery.pk, email__isnull=True).update(email=email)
        count += 1
    return count


@task()
def send_digests(frequency, until):
    """Daily or weekly: one email per subscriber listing every alert they have waiting."""
    until = timezone.datetime.fromisoformat(until)
    kind = Email.Kind.DAILY if frequency == Frequency.DAILY else Email.Kind.WEEKLY
    waiting = Delivery.objects.filter(frequency=frequency, email__isnull=True, alert__happened_at__lte=until)
    count = 0
    for subscriber in Subscriber.objects.filter(pk__in=waiting.values("subscriber_id"), bounced_at__isnull=True):
        with transaction.atomic():
            wanted = waiting.filter(subscriber=subscriber).still_wanted().values("pk")
            deliveries = list(
                Delivery.objects.filter(pk__in=wanted).select_related("alert").order_by("alert__happened_at")
            )
            if not deliveries:
                continue
            alerts = [d.alert for d in deliveries]
            period = "today" if frequency == Frequency.DAILY else "this week"
            email = queue_email(
                subscriber,
                kind=kind,
                subject=f"{'Daily' if kind == Email.Kind.DAILY else 'Weekly'} update from Public Service Mutuals: "
                f"{len(alerts)} change{'s' if len(alerts) != 1 else ''}",
                template="digest",
                context={"alerts": [_alert_context(a) for a in alerts], "period": period},
                alerts=alerts,
                topic_ids=_topic_ids(subscriber, alerts),
            )
            Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(email=email)
        count += 1
    return count


# --- Sending ----------------------------------------------------------------------------------------


@task()
def send_email(email_id):
    return deliver(email_id)


def deliver(email_id, now=None):
    """Send one queued email. Returns its new state."""
    now = now or timezone.now()
    with transaction.atomic():
        email = (
            Email.objects.select_for_update(of=("self",))
            .select_related("subscriber")
            .filter(pk=email_id, state__in=[Email.State.QUEUED, Email.State.RETRYING])
            .first()
        )
        if email is None:
            return None  # already sent, or given up
        subscriber = email.subscriber
        if subscriber is None:
            return _finish(email, Email.State.CANCELLED)
        if subscriber.bounced_at:
            return _finish(email, Email.State.BOUNCED)
        email.attempts += 1
        try:
            provider_id = _send(email, subscriber.address)
        except PermanentFailure as failure:
            email.last_error = str(failure)[:300]
            if failure.bounce:
                subscriber.bounced_at = now
                subscriber.save(update_fields=["bounced_at"])
                return _finish(email, Email.State.BOUNCED)
            return _finish(email, Email.State.FAILED)
        except Exception as error:  # noqa: BLE001 - any other failure is worth another try
            email.last_error = f"{type(error).__name__}: {error}"[:300]
            if email.attempts > len(RETRY_WAITS):
                log.warning("Email %s failed after %d attempts: %s", email.pk, email.attempts, email.last_error)
                return _finish(email, Email.State.FAILED)
            wait = RETRY_WAITS[email.attempts - 1]
            log.info("Email %s failed (%s); retrying in %s", email.pk, email.last_error, wait)
            transaction.on_commit(lambda: send_email.using(run_after=now + wait).enqueue(email.pk))
            return _finish(email, Email.State.RETRYING)
        email.provider_id = provider_id or ""
        email.sent_at = now
        return _finish(email, Email.State.SENT)


def _finish(email, state):
    email.state = state
    email.save(update_fields=["state", "attempts", "last_error", "provider_id", "sent_at"])
    return state


def _send(email, address):
    links = signed_links(email, email.subscriber)
    headers = {}
    if "unsubscribe" in links:
        headers["List-Unsubscribe"] = f"<{links['unsubscribe']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(email.subject, _with_links(email.text, links), to=[address], headers=headers)
    message.attach_alternative(_with_links(email.html, links), "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _ in refused.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentFailure(f"Address refused ({codes[0]})", bounce=True) from None
        raise
    return getattr(message, "provider_id", "")


def requeue_stuck(now=None):
    """Safety net for the clock: queue again emails whose task was lost (e.g. a crash before it was queued)."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=15)
    stuck = Email.objects.filter(
        Q(state=Email.State.QUEUED, created_at__lt=stale)
        | Q(state=Email.State.RETRYING, created_at__lt=stale - sum(RETRY_WAITS, timedelta()))
    ).values_list("pk", flat=True)[:500]
    for pk in stuck:
        send_email.enqueue(pk)
    return len(stuck)


def digest_due(frequency, now):
    """The latest moment at or before `now` when this frequency's digest is due, in UK time.

    Daily at settings.ALERTS_DIGEST_TIME; weekly at that time on settings.ALERTS_WEEKLY_DAY. The
    UK wall clock is kept across a change of the clocks (09:30 stays 09:30).
    """
    hour, minute = (int(part) for part in settings.ALERTS_DIGEST_TIME.split(":"))
    local = timezone.localtime(now, UK)
    due = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if frequency == Frequency.WEEKLY:
        due -= timedelta(days=(local.weekday() - settings.ALERTS_WEEKLY_DAY) % 7)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    if due > local:
        due -= step
    return due
