"""What a subscriber's actions change: the views call these, and only these write subscriptions."""

from django.db import transaction
from django.utils import timezone

from alerts import sending
from alerts.models import Subscriber, Subscription, Topic


@transaction.atomic
def ask_to_subscribe(spec, address, frequency):
    """Record the wish to follow `spec` (a topic) and queue the confirmation email. Nothing is
    sent to the address until its owner confirms."""
    topic, _ = Topic.objects.update_or_create(key=spec.key, defaults={"title": spec.title, "url": spec.url})
    subscriber, _ = Subscriber.objects.get_or_create(address=address)
    subscription, _ = Subscription.objects.get_or_create(
        subscriber=subscriber, topic=topic, defaults={"frequency": frequency}
    )
    sending.queue_confirmation(subscription, frequency)
    return subscription


def confirm(subscription, frequency):
    """Confirming (again, with a new frequency) moves the date, so every earlier link stops working."""
    subscription.confirmed_at = timezone.now()
    subscription.frequency = frequency
    subscription.save(update_fields=["confirmed_at", "frequency"])


@transaction.atomic
def remove(subscriber, subscriptions):
    """Remove subscriptions; an address left with none is deleted. True when it was."""
    subscriptions.delete()
    if not subscriber.subscriptions.exists():
        subscriber.delete()
        return True
    return False


def forget(subscriber):
    """'Unsubscribe from everything': the address and all it followed."""
    subscriber.delete()


def change_frequency(subscription, frequency):
    subscription.frequency = frequency
    subscription.save(update_fields=["frequency"])


def confirmed_subscriber(address):
    return Subscriber.objects.filter(address=address, subscriptions__confirmed_at__isnull=False).first()


@transaction.atomic
def send_manage_link(subscriber):
    sending.queue_manage_link(subscriber)
