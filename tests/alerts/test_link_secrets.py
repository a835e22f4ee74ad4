"""A subscriber's signed links are theirs alone: never stored, never shown to staff, and a
confirmation link works once."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from alerts.models import Alert, Email, Subscriber, Subscription, Topic
from psm_site.publishing import add_change_note
from tests.alerts.helpers import link_to, subscribe
from tests.factories import make_guide

pytestmark = pytest.mark.django_db
SIGNED_LINK = re.compile(r"/email-alerts/(confirm|manage|unsubscribe)/[^/\s\"'<>]+/")


@pytest.fixture
def every_kind_of_email(client, smtp, work):
    """A confirmation, an alert with its manage and unsubscribe links, and a manage-link email."""
    from alerts.topics import page_key

    guide = make_guide(title="Spinning out")
    work(lambda: subscribe(client, page_key(guide), "reader@example.org"))
    client.get(link_to(smtp.text(smtp.to("reader@example.org")[0]), "confirm"))
    work(lambda: add_change_note(guide, note="Added a section on pensions."))
    work(lambda: client.post(reverse("alerts:manage-request"), {"address": "reader@example.org"}))
    assert set(Email.objects.values_list("kind", flat=True)) == {"confirm", "alert", "manage"}
    assert len(smtp.to("reader@example.org")) == 3
    return guide


def _admin_pages():
    pages = [reverse("admin:index"), reverse("admin:app_list", args=["alerts"])]
    for model in [Topic, Alert, Email, Subscriber, Subscription]:
        name = model._meta.model_name
        if name == "subscription":
            continue  # shown inline on the subscriber's page
        pages.append(reverse(f"admin:alerts_{name}_changelist"))
        for pk in model.objects.values_list("pk", flat=True):
            pages += [
                reverse(f"admin:alerts_{name}_change", args=[pk]),
                reverse(f"admin:alerts_{name}_history", args=[pk]),
            ]
    return pages


@pytest.mark.parametrize("who", ["editor", "superuser"])
def test_no_signed_link_on_any_alerts_admin_page_or_stored_email(client, every_kind_of_email, editor, who):
    user = editor if who == "editor" else User.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client.force_login(user)
    for url in _admin_pages():
        response = client.get(url)
        assert response.status_code in (200, 403), url
        assert not SIGNED_LINK.search(response.text), url
    email = Email.objects.get(kind="alert")
    if who == "superuser":
        assert "[link removed: unsubscribe]" in client.get(reverse("admin:alerts_email_change", args=[email.pk])).text
    for email in Email.objects.all():
        assert not SIGNED_LINK.search(email.text + email.html + str(email.links)), email.kind
        assert "[link removed:" in email.text


def test_what_was_sent_carries_working_links(client, smtp, every_kind_of_email):
    alert, manage = smtp.to("reader@example.org")[1:]
    assert SIGNED_LINK.search(smtp.text(alert)) and SIGNED_LINK.search(smtp.html(alert))
    assert "link removed" not in smtp.text(alert) + smtp.html(alert)
    assert SIGNED_LINK.search(str(alert["List-Unsubscribe"]))
    assert client.get(link_to(smtp.text(manage), "manage")).status_code == 200


def test_a_confirmation_link_works_once_even_after_another_frequency_is_chosen(client, smtp, work):
    from alerts.topics import page_key

    topic = page_key(make_guide(title="Spinning out"))
    work(lambda: subscribe(client, topic, "twice@example.org", frequency="daily"))
    work(lambda: subscribe(client, topic, "twice@example.org", frequency="weekly"))
    daily, weekly = (link_to(smtp.text(m), "confirm") for m in smtp.to("twice@example.org"))
    assert daily != weekly
    assert client.get(daily).status_code == 200
    assert client.get(daily).status_code == 410  # used
    assert client.get(weekly).status_code == 410  # made before the daily link was used: it names that state
    assert Subscription.objects.get(subscriber__address="twice@example.org").frequency == "daily"
    assert Subscriber.objects.count() == 1
