"""The whole email journey in a browser: subscribe without JavaScript, confirm from the email,
an editor publishes a major change in the admin, the worker sends the alert, and the mail
client's one-click unsubscribe removes the address."""

import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from alerts.models import Email, Subscriber
from tests.alerts.helpers import keep, link_to
from tests.alerts.servers import _fresh_limits, smtp  # noqa: F401 - fixtures
from tests.browser.conftest import axe_violations
from tests.factories import make_guide

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_subscribe_confirm_alert_and_unsubscribe(live_server, browser, smtp, publisher, settings):  # noqa: F811
    settings.SITE_URL = live_server.url
    guide = make_guide(title="Becoming a mutual", summary="How to spin out.")

    reader = browser.new_context(java_script_enabled=False)
    page = reader.new_page()
    page.goto(live_server.url + guide.get_absolute_url())
    page.get_by_role("link", name="Get emails about this page").click()
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_title(re.compile("^Error: "))  # waits for the answer to load
    assert page.locator(".govuk-error-summary").inner_text().count("Select how often") == 1
    page.get_by_label("As soon as something changes").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("What’s your email address?").fill("not an address")
    page.get_by_role("button", name="Subscribe").click()
    assert "Enter an email address in the correct format" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("What’s your email address?").fill("reader@example.org")
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    page.screenshot(path="/tmp/i14-check-email.png", full_page=True)
    assert not smtp.messages  # sent by the worker, not the request

    run_worker()
    [confirmation] = smtp.messages
    page.goto(live_server.url + link_to(smtp.text(confirmation), "confirm"))
    assert "You’ve subscribed" in page.get_by_role("heading", level=1).inner_text()

    # An editor makes a major change in the admin.
    staff = Client()
    staff.force_login(publisher)
    editor = browser.new_context()
    editor.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": staff.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    admin = editor.new_page()
    admin.goto(live_server.url + reverse("admin:mutuals_guide_change", args=[guide.pk]))
    admin.get_by_label("Summary").fill("How to spin out, with the new pension rules.")
    admin.locator("#id_change_type_0").check()
    admin.locator("#id_change_note").fill("Added the 2027 pension rules.")
    admin.locator("input[name=_save]").click()
    assert "was changed successfully" in admin.locator(".messagelist").inner_text()
    assert len(smtp.messages) == 1  # the editor's request sent nothing

    run_worker()
    alert = smtp.messages[-1]
    keep(alert, "2-alert-page-update-browser")
    assert str(alert["Subject"]).strip() == "Becoming a mutual has been updated"
    assert "Added the 2027 pension rules." in smtp.text(alert)
    page.goto(live_server.url + link_to(smtp.text(alert), "manage"))
    page.screenshot(path="/tmp/i14-manage.png", full_page=True)
    assert "Becoming a mutual" in page.locator("#subscriptions").inner_text()

    # The mail client's one-click unsubscribe (RFC 8058): a POST with no cookie.
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    answer = browser.new_context().request.post(
        str(alert["List-Unsubscribe"]).strip().strip("<>"),
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 200
    assert not Subscriber.objects.exists()
    assert Email.objects.filter(subscriber__isnull=True).count() == 2  # the record of what was sent stays
    reader.close()
    editor.close()


def test_axe_finds_no_violations_on_the_email_pages(live_server, page, problems):
    from django.utils import timezone

    from alerts.models import Subscription, Topic
    from alerts.tokens import manage_token

    subscribe = live_server.url + reverse("alerts:subscribe")
    page.goto(subscribe + "?topic=funding&answered=1")
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    page.goto(subscribe + "?topic=funding&frequency=daily")
    page.get_by_label("What’s your email address?").fill("x@")
    page.get_by_role("button", name="Subscribe").click()
    assert axe_violations(page) == []
    topic = Topic.objects.create(key="funding", title="Support and funding", url=reverse("support:index"))
    subscriber = Subscriber.objects.create(address="axe@example.org")
    Subscription.objects.create(subscriber=subscriber, topic=topic, confirmed_at=timezone.now())
    page.goto(live_server.url + reverse("alerts:manage", args=[manage_token(subscriber)]))
    assert axe_violations(page) == []
    page.goto(live_server.url + reverse("alerts:manage-request"))
    assert axe_violations(page) == []
    assert problems == []
