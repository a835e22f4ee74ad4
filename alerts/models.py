"""Email alerts: who asked for emails about what, what happened, and what was sent.

A Topic is something people can follow ('support and funding', one guide's updates, new mutuals
in a region). An Alert is one thing that happened, built when it happens; a Delivery puts it in
a subscriber's queue, and an Email is what was (or will be) sent: one alert, a digest of several,
a confirmation or a manage link.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from psm_site import personal_data


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", "As soon as something changes"
    DAILY = "daily", "Once a day"
    WEEKLY = "weekly", "Once a week"


class Topic(models.Model):
    """Something to get emails about. `key` says exactly what (see alerts.topics)."""

    key = models.CharField(max_length=300, unique=True)
    title = models.CharField(max_length=300, help_text="Shown to subscribers, e.g. 'Support and funding'.")
    url = models.CharField("page", max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


def new_secret():
    return secrets.token_urlsafe(16)


class Subscriber(models.Model):
    """An email address. Deleted (with its subscriptions) when the person removes everything."""

    address = models.EmailField(max_length=254, unique=True)
    # Part of every token for this address: a deleted and re-added address gets new links.
    secret = models.CharField(max_length=32, default=new_secret, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    bounced_at = models.DateTimeField(
        "hard bounce", null=True, blank=True, help_text="Set when mail to this address was refused for good."
    )

    class Meta:
        ordering = ["address"]

    def __str__(self):
        return self.address

    @property
    def address_hash(self):
        return hashlib.sha256(self.address.encode()).hexdigest()[:16]


# An address that never confirms is deleted after this (alerts/schedule.py tidies up each day).
UNCONFIRMED_KEPT = timedelta(days=7)


def _subscriber_how_long():
    return (
        f"While you are subscribed. If you do not confirm within {personal_data.duration(int(UNCONFIRMED_KEPT.total_seconds()))}"
        ", we delete your address. When you unsubscribe from everything, or from your last subscription, we delete "
        "it at once; our record of emails sent then keeps only their subject and date"
    )


def email_receivers():
    """Who, besides the site, receives a subscriber's address: whoever sends the emails."""
    if settings.NOTIFY_API_KEY:
        return "A few administrators of the site, and GOV.UK Notify, which sends the emails"
    if settings.EMAIL_HOST:
        return f"A few administrators of the site, and the email server that sends the emails ({settings.EMAIL_HOST})"
    return "A few administrators of the site"


personal_data.register(
    personal_data.Record(
        key="email-alerts",
        what="If you ask for emails: your email address, what you asked for and how often, and a record of the "
        "emails we sent you",
        why="Only to send you those emails. Every email has a link to unsubscribe",
        how_long=_subscriber_how_long,
        receivers=email_receivers,
        source="alerts/models.py Subscriber, Subscription, Email; alerts/schedule.py forget_unconfirmed",
        fields=("alerts.Subscriber.address",),
        order=40,
    )
)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        """Only confirmed subscriptions of addresses that have not bounced are ever sent to."""
        return self.filter(confirmed_at__isnull=False, subscriber__bounced_at__isnull=True)


class Subscription(models.Model):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="subscriptions")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    frequency = models.CharField(max_length=12, choices=Frequency, default=Frequency.IMMEDIATELY)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "topic"], name="one_subscription_per_topic"),
        ]

    def __str__(self):
        return f"{self.topic} ({self.get_frequency_display().lower()})"


class Alert(models.Model):
    """One thing that happened, for the topics it concerns. `event` makes each happen once."""

    class Kind(models.TextChoices):
        UPDATE = "update", "Page updated"
        NEW_ROUND = "new_round", "New fund round"
        ROUND_OPEN = "round_open", "Round opened"
        ROUND_CLOSING = "round_closing", "Round closes in 7 days"
        DEADLINE = "deadline", "Deadline changed"
        NEW_MUTUAL = "new_mutual", "New mutual"

    event = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    title = models.CharField(max_length=300)
    note = models.TextField("change note")
    url = models.CharField("page", max_length=300)
    happened_at = models.DateTimeField(default=timezone.now, db_index=True)
    topics = models.ManyToManyField(Topic, related_name="alerts")

    class Meta:
        ordering = ["-happened_at", "-id"]

    def __str__(self):
        return self.title


class Email(models.Model):
    """An email queued or sent. The address lives only on the subscriber (gone once they leave)."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", "Confirm subscription"
        ALERT = "alert", "Alert"
        DAILY = "daily", "Daily digest"
        WEEKLY = "weekly", "Weekly digest"
        MANAGE = "manage", "Manage link"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Waiting to retry"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced (address refused)"
        CANCELLED = "cancelled", "Not sent (unsubscribed)"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.SET_NULL, null=True, related_name="emails")
    kind = models.CharField(max_length=10, choices=Kind)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField()
    links = models.JSONField(
        default=dict,
        blank=True,
        help_text="Which signed links the email carries (topics to unsubscribe from, a subscription to "
        "confirm). The links themselves are never stored: each send signs new ones.",
    )
    alerts = models.ManyToManyField(Alert, blank=True, related_name="emails")
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField("Notify id", max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.subject


class DeliveryQuerySet(models.QuerySet):
    def still_wanted(self):
        """Deliveries whose subscriber still follows one of the alert's topics (and has not bounced)."""
        return self.filter(
            alert__topics__subscriptions__subscriber=models.F("subscriber"),
            alert__topics__subscriptions__confirmed_at__isnull=False,
            subscriber__bounced_at__isnull=True,
        ).distinct()


class Delivery(models.Model):
    """An alert waiting for (or included in) one subscriber's email."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    frequency = models.CharField(max_length=12, choices=Frequency)
    email = models.ForeignKey(Email, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries")

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["alert"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["subscriber", "alert"], name="one_delivery_per_alert")]

    def __str__(self):
        return f"{self.alert} ({self.frequency})"


class ClockRun(models.Model):
    """When the alerts clock last looked, and which digests have gone: each runs exactly once."""

    name = models.CharField(max_length=40, unique=True)
    ran_at = models.DateTimeField()
    every_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="For the clock's heartbeat: how often it runs (empty when run from cron)."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} at {self.ran_at:%Y-%m-%d %H:%M}"


personal_data.not_personal("alerts.Delivery.email", "a link to the Email sent, not an email address")
