"""Subscribe, confirm, get alerts, manage and unsubscribe, against a real SMTP server."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Email, Subscriber, Subscription, Topic
from alerts.topics import page_key
from psm_site.publishing.actions import add_change_note
from tests.alerts.helpers import keep, link_to, path_of, subscribe
from tests.factories import make_guide
from tests.support.factories import make_fund, make_round

pytestmark = pytest.mark.django_db


def confirm(client, smtp, address):
    message = smtp.to(address)[-1]
    return client.get(link_to(smtp.text(message), "confirm"))


def test_pages_offer_get_emails_links(client):
    guide = make_guide()
    fund = make_fund()
    assert "Get emails about this page" in client.get(guide.get_absolute_url()).content.decode()
    assert "Get emails about this page" in client.get(fund.get_absolute_url()).content.decode()
    assert "?topic=funding" in client.get(reverse("support:index")).content.decode()
    from tests.factories import make_mutual

    make_mutual(region="london", sectors=("health",))
    page = client.get(reverse("mutuals:mutual-list") + "?region=london&sector=health").content.decode()
    assert "topic=mutuals%3Aregion%3Dlondon%3Bsector%3Dhealth" in page


def test_drafts_offer_no_link(client, editor):
    guide = make_guide(published=False)
    client.force_login(editor)
    assert "Get emails about" not in client.get(guide.get_absolute_url()).content.decode()


def test_subscribe_confirm_alert_and_one_click_unsubscribe(client, smtp, work):
    guide = make_guide(title="Spinning out")
    topic = page_key(guide)
    start = client.get(reverse("alerts:subscribe"), {"topic": topic})
    assert "How often do you want to get emails?" in start.content.decode()
    step = client.get(reverse("alerts:subscribe"), {"topic": topic, "frequency": "immediately"})
    assert "What’s your email address?" in step.content.decode()

    answer = work(lambda: subscribe(client, topic, "reader@example.org"))
    assert "We’ve sent an email to" in answer.content.decode()
    [confirmation] = smtp.to("reader@example.org")
    keep(confirmation, "1-confirm")
    assert "Confirm that you want emails about ‘Spinning out’" == smtp.subject(confirmation)
    assert "List-Unsubscribe" not in confirmation
    assert "Yes, I want these emails" in smtp.html(confirmation)

    # Nothing is sent before confirmation.
    work(lambda: add_change_note(guide, note="Added a section on pensions."))
    assert len(smtp.to("reader@example.org")) == 1

    confirmed = confirm(client, smtp, "reader@example.org")
    assert confirmed.status_code == 200 and "You’ve subscribed" in confirmed.content.decode()

    work(lambda: add_change_note(guide, note="Updated the section on pensions."))
    alert = smtp.to("reader@example.org")[-1]
    keep(alert, "2-alert-page-update")
    assert smtp.subject(alert) == "Spinning out has been updated"
    text = smtp.text(alert)
    assert "Updated the section on pensions." in text and guide.get_absolute_url() in text
    assert "Added a section" not in text
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = alert["List-Unsubscribe"].strip("<>")

    # RFC 8058: the mail client POSTs, with no cookie and no CSRF token.
    from django.test import Client

    mail_client = Client(enforce_csrf_checks=True)
    done = mail_client.post(
        path_of(unsubscribe_url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert done.status_code == 200 and "You’ve unsubscribed" in done.content.decode()
    assert not Subscriber.objects.exists()  # the only subscription: the address is deleted

    work(lambda: add_change_note(guide, note="A third change."))
    assert len(smtp.to("reader@example.org")) == 2


def test_round_alerts_for_funding_followers(client, smtp, work, settings):
    fund = make_fund(name="Mutuals Support Fund")
    work(lambda: subscribe(client, "funding", "funding@example.org"))
    confirm(client, smtp, "funding@example.org")
    now = timezone.now()
    fund_round = work(lambda: make_round(fund, opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=40)))
    new_round = smtp.to("funding@example.org")[-1]
    keep(new_round, "3-alert-new-round")
    assert smtp.subject(new_round) == "Mutuals Support Fund: round 1 announced"

    fund_round.closes_at = now + timedelta(days=50)
    work(lambda: fund_round.save())
    moved = smtp.to("funding@example.org")[-1]
    keep(moved, "4-alert-deadline-changed")
    assert smtp.subject(moved) == "Mutuals Support Fund: the deadline for round 1 has changed"
    assert "now closes at" in smtp.text(moved)


def test_new_mutuals_for_region_and_sector(client, smtp, work):
    from tests.factories import make_mutual

    work(lambda: subscribe(client, "mutuals:region=london;sector=health", "commissioner@example.org"))
    confirm(client, smtp, "commissioner@example.org")
    work(lambda: make_mutual(name="Elsewhere Care", region="north-west", sectors=("health",)))
    work(lambda: make_mutual(name="London Health Mutual", region="london", sectors=("health",)))
    [_, alert] = smtp.to("commissioner@example.org")
    keep(alert, "5-alert-new-mutual")
    assert smtp.subject(alert) == "New mutual: London Health Mutual"


def test_confirmation_links_replayed_forged_and_expired(client, smtp, work, time_machine):
    guide = make_guide()
    work(lambda: subscribe(client, page_key(guide), "twice@example.org"))
    link = link_to(smtp.text(smtp.to("twice@example.org")[0]), "confirm")
    assert client.get(link).status_code == 200
    replay = client.get(link)
    assert replay.status_code == 410 and "already been used" in replay.content.decode()
    forged = client.get(link[:-3] + "abc/")
    assert forged.status_code == 400 and "This link does not work" in forged.content.decode()
    assert client.get(reverse("alerts:confirm", args=["x" * 3000])).status_code == 400

    other = make_guide()
    work(lambda: subscribe(client, page_key(other), "late@example.org"))
    late = link_to(smtp.text(smtp.to("late@example.org")[0]), "confirm")
    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1))
    expired = client.get(late)
    assert expired.status_code == 410 and "This link has expired" in expired.content.decode()
    assert not Subscription.objects.filter(subscriber__address="late@example.org", confirmed_at__isnull=False)


@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("", "Enter your email address"),
        ("not-an-address", "Enter an email address in the correct format, like name@example.com"),
        ("name@", "Enter an email address in the correct format, like name@example.com"),
        ("two@@example.org", "Enter an email address in the correct format, like name@example.com"),
        ("a@example.org\nBcc: b@example.org", "Enter an email address in the correct format, like name@example.com"),
        ("x" * 250 + "@example.org", "Email address must be 254 characters or fewer"),
        ("x" * 65 + "@example.org", "Enter an email address in the correct format, like name@example.com"),
    ],
)
def test_bad_addresses_get_govuk_errors(client, address, error):
    response = subscribe(client, "funding", address)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and error in page and 'class="govuk-error-message"' in page
    assert "<title>Error: " in page
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "topic",
    [
        "",
        "nonsense",
        "page:mutuals.guide:999999",
        "page:auth.user:1",
        "page:mutuals.guide:abc",
        "mutuals:region=atlantis",
        "mutuals:sector=health;region=london",  # not the one spelling
        "funding" * 100,
    ],
)
def test_unknown_topics_get_an_error_page(client, topic):
    for response in (
        client.get(reverse("alerts:subscribe"), {"topic": topic}),
        subscribe(client, topic, "someone@example.org"),
    ):
        assert response.status_code == 404
        assert "There are no emails about this" in response.content.decode()
    assert not Topic.objects.exists()


def test_draft_page_is_an_unknown_topic(client):
    guide = make_guide(published=False)
    response = client.get(reverse("alerts:subscribe"), {"topic": page_key(guide)})
    assert response.status_code == 404


def test_bad_frequency_shows_the_question_again(client):
    response = client.get(reverse("alerts:subscribe"), {"topic": "funding", "frequency": "hourly"})
    assert "Select how often you want to get emails" in response.content.decode()


def test_at_most_three_confirmations_a_day(client, smtp, work, settings):
    for _ in range(5):
        work(lambda: subscribe(client, "funding", "again@example.org"))
    assert len(smtp.to("again@example.org")) == 3


def test_subscribing_is_rate_limited_per_client(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.ALERTS_SUBSCRIBE_LIMIT = 3
    answers = [subscribe(client, "funding", f"person{n}@example.org") for n in range(5)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 3600
    cache.clear()


def test_manage_page_changes_frequency_removes_one_and_all(client, smtp, work):
    guide = make_guide(title="Guide one")
    for topic in ("funding", page_key(guide)):
        work(lambda topic=topic: subscribe(client, topic, "manager@example.org"))
        confirm(client, smtp, "manager@example.org")

    asked = work(lambda: client.post(reverse("alerts:manage-request"), {"address": "manager@example.org"}))
    assert "Check your email" in asked.content.decode()
    link_mail = smtp.to("manager@example.org")[-1]
    keep(link_mail, "9-manage-link")
    manage = link_to(smtp.text(link_mail), "manage")
    page = client.get(manage)
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex"
    funding = Subscription.objects.get(topic__key="funding")
    changed = client.post(manage, {"subscription": funding.pk, "action": "frequency", "frequency": "weekly"})
    assert "once a week" in changed.content.decode()
    funding.refresh_from_db()
    assert funding.frequency == "weekly"

    bad = client.post(manage, {"subscription": 999999, "action": "remove"})
    assert bad.status_code == 400 and "There is a problem" in bad.content.decode()

    client.post(manage, {"subscription": funding.pk, "action": "remove"})
    assert list(Subscription.objects.values_list("topic__key", flat=True)) == [page_key(guide)]
    gone = client.post(manage, {"action": "remove-all"})
    assert "deleted your email address" in gone.content.decode()
    assert not Subscriber.objects.exists()
    assert client.get(manage).status_code == 400  # the link died with the address


def test_manage_link_for_an_unknown_address_sends_nothing(client, smtp, work):
    answer = work(lambda: client.post(reverse("alerts:manage-request"), {"address": "stranger@example.org"}))
    assert "Check your email" in answer.content.decode()
    assert not smtp.messages


def test_manage_tokens_forged_and_expired(client, smtp, work, time_machine):
    from alerts.tokens import manage_token

    work(lambda: subscribe(client, "funding", "m@example.org"))
    confirm(client, smtp, "m@example.org")
    token = manage_token(Subscriber.objects.get())
    assert client.get(reverse("alerts:manage", args=[token[:-2] + "zz"])).status_code == 400
    time_machine.move_to(timezone.now() + timedelta(days=8))
    assert client.get(reverse("alerts:manage", args=[token])).status_code == 410
    assert client.get(reverse("alerts:unsubscribe", args=["nonsense"])).status_code == 400


def test_hard_bounce_is_marked_and_skipped(client, smtp, work):
    guide = make_guide()
    from alerts.models import Subscription as S

    work(lambda: subscribe(client, page_key(guide), "refuse@example.org"))
    subscriber = Subscriber.objects.get()
    assert subscriber.bounced_at is not None
    assert Email.objects.get().state == Email.State.BOUNCED
    S.objects.update(confirmed_at=timezone.now())  # even if it had been confirmed
    work(lambda: add_change_note(guide, note="Changed."))
    assert Email.objects.count() == 1 and not smtp.messages


def test_the_privacy_notice_covers_email_addresses(client):
    from psm_site.models import Page
    from psm_site.publishing.actions import publish

    page = Page.objects.filter(slug="privacy-notice").first()
    if page is None:
        page = Page.objects.create(title="Privacy notice", slug="privacy-notice", summary="How we use data.", body="")
    page.facts = "privacy"
    page.save()
    if not page.is_published:
        publish(page)
    text = client.get(page.get_absolute_url()).content.decode()
    assert "If you get emails from us" in text
    assert "When you unsubscribe from everything" in text
