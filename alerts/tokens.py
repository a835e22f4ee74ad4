"""Signed links in emails: no account, no password, and nothing to guess.

Every token carries the subscriber's random secret, so a link stops working once the address is
deleted, even if the same address subscribes again later.
"""

from django.core import signing

from alerts.models import Subscriber, Subscription

CONFIRM_DAYS = 7
MANAGE_DAYS = 7
DAY = 24 * 60 * 60


class BadToken(Exception):
    """The link was altered, or names something that is gone."""


class ExpiredToken(BadToken):
    pass


def _load(token, salt, max_age):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise ExpiredToken from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise BadToken from None


def _subscriber(data):
    if not isinstance(data, dict):
        raise BadToken
    subscriber = Subscriber.objects.filter(pk=data.get("a") if isinstance(data.get("a"), int) else None).first()
    if subscriber is None or subscriber.secret != data.get("k"):
        raise BadToken
    return subscriber


def _confirmed_stamp(subscription):
    return subscription.confirmed_at.isoformat() if subscription.confirmed_at else None


def confirm_token(subscription, frequency):
    """A confirmation link that works once: it names the subscription's confirmation as it stood
    (none yet, or the last one), and each use confirms again, so a used link names an older one."""
    subscriber = subscription.subscriber
    return signing.dumps(
        {
            "a": subscriber.pk,
            "k": subscriber.secret,
            "s": subscription.pk,
            "f": frequency,
            "c": _confirmed_stamp(subscription),
        },
        salt="alerts.confirm",
    )


class UsedToken(BadToken):
    """A confirmation link already used; carries the subscription it confirmed."""

    def __init__(self, subscription):
        super().__init__()
        self.subscription = subscription


def read_confirm_token(token):
    """(subscription, frequency) for a confirmation link made within CONFIRM_DAYS and not yet used."""
    data = _load(token, "alerts.confirm", CONFIRM_DAYS * DAY)
    subscriber = _subscriber(data)
    subscription = Subscription.objects.filter(subscriber=subscriber, pk=data.get("s")).first()
    if subscription is None:
        raise BadToken
    if data.get("c") != _confirmed_stamp(subscription):
        raise UsedToken(subscription)
    return subscription, data.get("f")


def manage_token(subscriber):
    return signing.dumps({"a": subscriber.pk, "k": subscriber.secret}, salt="alerts.manage")


def read_manage_token(token):
    return _subscriber(_load(token, "alerts.manage", MANAGE_DAYS * DAY))


def unsubscribe_token(subscriber, topic_ids):
    """One-click unsubscribe from these topics. It does not expire: mail clients keep the header."""
    return signing.dumps({"a": subscriber.pk, "k": subscriber.secret, "t": sorted(topic_ids)}, salt="alerts.unsub")


def read_unsubscribe_token(token):
    """(subscriber or None if already gone, topic ids). Forged links raise BadToken."""
    data = _load(token, "alerts.unsub", None)
    if not isinstance(data, dict) or not isinstance(data.get("t"), list):
        raise BadToken
    try:
        return _subscriber(data), data["t"]
    except BadToken:
        return None, data["t"]
