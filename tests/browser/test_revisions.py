"""Nothing goes live without a publisher, by keyboard only: an editor changes a published guide
section, a published fund round and a published mutual; the public site keeps the live versions;
the publisher sees the words that changed, sends the guide back, the editor is told (email and
admin home), fixes it, and the publisher approves it as a major change."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutuals.models import GuideSection
from psm_site.models import Revision
from tests.browser.keyboard import tab_to
from tests.browser.test_admin_editor import sign_in
from tests.factories import make_guide, make_mutual
from tests.support.factories import make_fund, make_round

pytestmark = pytest.mark.django_db(transaction=True)

LONG_MESSAGE = "Please check the ownership wording against the 2024 register " * 12 + "https://" + "x" * 300


def keyboard_save(page):
    tab_to(page, "input[name=_save]", limit=600)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def replace_text(page, selector, text):
    tab_to(page, selector, limit=600)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose_minor(page):
    tab_to(page, "input[name=change_type]", limit=600)  # the checked radio, or the group's first: major
    if page.evaluate("document.activeElement.value") == "major":
        page.keyboard.press("ArrowDown")  # moves to and chooses 'minor'


def submit_for_review(page, live_server, admin_name, pk, message):
    page.goto(live_server.url + reverse(f"admin:{admin_name}_review", args=[pk]))
    tab_to(page, "textarea[name=message]")
    page.keyboard.type(message)
    tab_to(page, "input[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def public_view(path):
    return Client().get(path).content.decode()


def test_editor_changes_wait_for_the_publisher(live_server, page, editor, publisher):
    editor.email = "demo-editor@example.com"
    editor.save()
    guide = make_guide(title="What a mutual is", summary="The basics of mutuals.")
    GuideSection.objects.create(guide=guide, heading="Ownership", body="Staff run it.")
    now = timezone.now()
    fund = make_fund(name="Growth Fund", slug="growth-fund")
    make_round(fund, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=20), notes="Old notes.")
    mutual = make_mutual(name="Locala", town="Kirklees", region="yorkshire-and-the-humber")
    feed_before, json_before = public_view("/updates.atom"), public_view("/mutuals.json")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The editor changes a guide section, a fund round and a mutual, by keyboard.
    sign_in(page, live_server, editor)
    page.goto(live_server.url + reverse("admin:mutuals_guide_change", args=[guide.pk]))
    replace_text(page, "textarea[name=sections-0-body]", "Staff own and run it.")
    replace_text(page, "textarea[name=summary]", "The basics of employee-owned mutuals.")
    choose_minor(page)
    keyboard_save(page)
    assert "Saved as a draft revision" in page.locator(".messagelist").inner_text()
    assert "You are looking at a draft revision" in page.locator("#draft-revision-notice").inner_text()

    page.goto(live_server.url + reverse("admin:support_fund_change", args=[fund.pk]))
    replace_text(page, "textarea[name=rounds-0-notes]", "New notes for applicants.")
    choose_minor(page)
    keyboard_save(page)
    page.goto(live_server.url + reverse("admin:mutuals_mutual_change", args=[mutual.pk]))
    replace_text(page, "input[name=town]", "Huddersfield")
    choose_minor(page)
    keyboard_save(page)
    assert Revision.objects.count() == 3

    # The public site keeps the live versions; the editor's preview shows the draft.
    assert "Staff run it." in public_view(guide.get_absolute_url())
    assert "Staff own and run it." not in public_view(guide.get_absolute_url())
    assert "Old notes." in public_view(fund.get_absolute_url())
    assert public_view("/updates.atom") == feed_before
    assert public_view("/mutuals.json") == json_before and "Huddersfield" not in json_before
    assert "What a mutual is" not in public_view(reverse("search") + "?q=employee-owned")
    page.goto(live_server.url + guide.get_absolute_url())
    assert "Staff own and run it." in page.locator("main").inner_text()
    assert "This shows a draft revision" in page.locator(".govuk-notification-banner").inner_text()

    submit_for_review(page, live_server, "mutuals_guide", guide.pk, LONG_MESSAGE)
    submit_for_review(page, live_server, "support_fund", fund.pk, "Round notes updated.")

    # The publisher sees the words that changed and sends the guide back.
    sign_in(page, live_server, publisher)
    page.goto(live_server.url + reverse("admin:index"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    item_cell = page.locator("#waiting-for-review tbody th").first
    assert (
        item_cell.evaluate("el => el.getBoundingClientRect().width") >= 200
    )  # long messages wrap beside it (it was 100 px)
    tab_to(page, "#waiting-for-review a[href*='guide']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    changed = page.locator("#what-changed")
    assert changed.locator("ins", has_text="own and").count() == 1
    assert "Changed: Guide section: Ownership" in changed.inner_text()
    tab_to(page, "input[name=decision]")  # 'approve' first
    page.keyboard.press("ArrowDown")  # 'send back'
    tab_to(page, "textarea[name=comment]")
    page.keyboard.type("Say that staff are members.")
    tab_to(page, "input[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert [m.to for m in mail.outbox if m.subject.startswith("Sent back")] == [["demo-editor@example.com"]]

    # The editor is told on the admin home, fixes the section and submits again.
    sign_in(page, live_server, editor)
    page.goto(live_server.url + reverse("admin:index"))
    assert "Say that staff are members." in page.locator("#sent-back-to-you").inner_text()
    tab_to(page, "#sent-back-to-you a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    replace_text(page, "textarea[name=sections-0-body]", "Staff own and run it as members.")
    choose_minor(page)
    keyboard_save(page)
    assert "Saved as a draft revision" in page.locator("#content-start").inner_text()[:3000], page.locator(
        ".errornote, .errorlist"
    ).all_inner_texts()
    submit_for_review(page, live_server, "mutuals_guide", guide.pk, "Fixed.")
    assert "Staff run it." in public_view(guide.get_absolute_url())

    # The publisher approves it as a major change with a public note.
    sign_in(page, live_server, publisher)
    page.goto(live_server.url + reverse("admin:mutuals_guide_review", args=[guide.pk]))
    tab_to(page, "input[name=decision]")
    page.keyboard.press("Space")  # approve
    tab_to(page, "input[name=change_type]")  # the editor suggested 'minor': it is chosen
    assert page.evaluate("document.activeElement.value") == "minor"
    page.keyboard.press("ArrowUp")  # major
    replace_text(page, "textarea[name=change_note]", "Explained who owns a mutual.")
    tab_to(page, "input[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Approved and published" in page.locator(".messagelist").inner_text()

    assert GuideSection.objects.get().body == "Staff own and run it as members."
    live = public_view(guide.get_absolute_url())
    assert "Staff own and run it as members." in live
    assert "Explained who owns a mutual." in live
    assert "Explained who owns a mutual." in public_view("/updates.atom")
    assert "What a mutual is" in public_view(reverse("search") + "?q=employee-owned")
    assert "Old notes." in public_view(fund.get_absolute_url())  # still waiting for its own decision
    assert [m.to for m in mail.outbox if m.subject.startswith("Approved")] == [["demo-editor@example.com"]]
