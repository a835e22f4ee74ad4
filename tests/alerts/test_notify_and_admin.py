"""GOV.UK Notify through its own client against a local stub of its API; what staff see in the admin."""

import jwt
import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Email, Subscriber, Subscription, Topic
from alerts.sending import queue_email
from alerts.topics import describe
from tests.alerts.helpers import subscribe

pytestmark = pytest.mark.django_db


def test_notify_gets_subject_body_and_one_click_unsubscribe(client, notify, work, settings):
    work(lambda: subscribe(client, "funding", "notify@example.org"))
    [call] = notify
    assert call["path"] == "/v2/notifications/email"
    token = call["auth"].removeprefix("Bearer ")
    claims = jwt.decode(token, "3d844edf-8d35-48ac-975b-e847b4f122b0", algorithms=["HS256"])
    assert claims["iss"] == "26785a09-ab16-4eb0-8407-a37497a57506"
    body = call["body"]
    assert body["email_address"] == "notify@example.org"
    assert body["template_id"] == settings.NOTIFY_TEMPLATE_ID
    assert body["personalisation"]["subject"].startswith("Confirm that you want emails about")
    assert "/email-alerts/confirm/" in body["personalisation"]["body"]
    assert "one_click_unsubscribe_url" not in body  # a confirmation has nothing to unsubscribe from
    email = Email.objects.get()
    assert (email.state, email.provider_id) == (Email.State.SENT, "740e5834-3a29-46b4-9a6f-16142fde533a")

    subscriber = Subscriber.objects.get()
    Subscription.objects.update(confirmed_at=timezone.now())
    work(
        lambda: queue_email(
            subscriber,
            kind=Email.Kind.ALERT,
            subject="Round 4 is now open",
            template="alert",
            context={"alert": {"title": "Round 4 is now open", "note": "Open.", "url": "http://x/"}},
            topic_ids=[Topic.objects.get().pk],
        )
    )
    assert "/email-alerts/unsubscribe/" in notify[-1]["body"]["one_click_unsubscribe_url"]


def test_notify_refusing_an_address_marks_a_bounce(client, notify, work):
    work(lambda: subscribe(client, "funding", "not-an-address@example.org"))
    assert Email.objects.get().state == Email.State.BOUNCED
    assert Subscriber.objects.get().bounced_at is not None


def test_notify_server_errors_are_retried(client, notify, work):
    work(lambda: subscribe(client, "funding", "busy@example.org"))
    email = Email.objects.get()
    assert email.state == Email.State.RETRYING and "500" in email.last_error


@pytest.fixture
def some_subscribers():
    spec = describe("funding")
    topic = Topic.objects.create(key="funding", title=spec.title, url=spec.url)
    for n, frequency in enumerate(["immediately", "daily", "daily"]):
        subscriber = Subscriber.objects.create(address=f"secret{n}@example.org")
        Subscription.objects.create(
            subscriber=subscriber, topic=topic, frequency=frequency, confirmed_at=timezone.now()
        )
        Email.objects.create(subscriber=subscriber, kind=Email.Kind.ALERT, subject=f"Alert {n}", text="t", html="h")
    Subscription.objects.create(subscriber=Subscriber.objects.create(address="pending@example.org"), topic=topic)
    return topic


def test_staff_see_counts_and_what_was_sent_but_no_addresses(
    editor_client, some_subscribers, django_assert_num_queries
):
    with django_assert_num_queries(7):
        topics = editor_client.get(reverse("admin:alerts_topic_changelist"))
    page = topics.content.decode()
    assert topics.status_code == 200 and "Support and funding" in page
    assert '<td class="field-confirmed_count">3</td>' in page
    assert '<td class="field-daily">2</td>' in page and '<td class="field-pending_count">1</td>' in page
    emails = editor_client.get(reverse("admin:alerts_email_changelist")).content.decode()
    assert "Alert 1" in emails and "@example.org" not in emails
    email = Email.objects.first()
    detail = editor_client.get(reverse("admin:alerts_email_change", args=[email.pk])).content.decode()
    assert "@example.org" not in detail
    assert editor_client.get(reverse("admin:alerts_subscriber_changelist")).status_code == 403
    assert "@example.org" not in editor_client.get(reverse("admin:index")).content.decode()
    assert (
        editor_client.get(reverse("admin:alerts_email_changelist") + "?q=secret1").content.decode().count("Alert 1")
        == 0
    )


def test_superusers_see_addresses(client, some_subscribers):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.org", "a-long-test-password"))
    assert "secret1@example.org" in client.get(reverse("admin:alerts_email_changelist")).content.decode()
    assert "secret1@example.org" in client.get(reverse("admin:alerts_subscriber_changelist")).content.decode()
