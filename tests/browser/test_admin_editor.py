"""An editor and a publisher in the admin, by keyboard only: import with errors, fix and re-import;
submit for review; approve; schedule and see the item appear at its time."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutuals.models import Guide, Mutual
from psm_site.models import ReviewRequest
from tests.browser.conftest import axe_violations
from tests.browser.keyboard import tab_to
from tests.factories import make_guide
from tests.mutuals.test_import import GOOD, HEADER

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, user):
    """A signed-in session without the login form (issue 8 adds two-factor sign-in to it)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def import_file(page, live_server, tmp_path, name, lines):
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode("cp1252"))  # as Excel saves 'CSV'
    page.goto(live_server.url + reverse("admin:mutuals_mutual_import"))
    tab_to(page, "input[name=import_file]")
    page.locator("input[name=import_file]").set_input_files(str(path))  # the file dialog's part
    tab_to(page, "input[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_editor_imports_reads_the_problems_fixes_and_reimports(live_server, page, editor, tmp_path):
    sign_in(page, live_server, editor)
    bad = GOOD.replace(",London,", ",Londres,").replace("Runs services.", "Runs the café.")
    import_file(page, live_server, tmp_path, "registry.csv", [HEADER, bad])
    problems = page.locator("#import-problems")
    assert problems.get_attribute("role") == "alert"
    text = problems.inner_text()
    assert "Row 2, column ‘region’: Unknown region ‘Londres’. Use one of:" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert axe_violations(page) == []
    assert not Mutual.objects.exists()

    import_file(page, live_server, tmp_path, "registry-fixed.csv", [HEADER, bad.replace("Londres", "London")])
    assert "New (arrives as a draft)" in page.locator("table").last.inner_text()
    tab_to(page, "input[name=confirm]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    mutual = Mutual.objects.get()
    assert mutual.summary == "Runs the café." and mutual.status == "draft"
    assert mutual.history.latest().history_change_reason == "Imported from registry-fixed.csv"


def test_editor_submits_for_review_and_publisher_approves(live_server, page, editor, publisher):
    guide = make_guide(published=False, title="A guide to review")
    sign_in(page, live_server, editor)
    page.goto(live_server.url + reverse("admin:mutuals_guide_change", args=[guide.pk]))
    tab_to(page, "a[href$='/review/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "textarea[name=message]")
    page.keyboard.type("Ready for publishing.")
    tab_to(page, "input[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Submitted for review" in page.locator(".messagelist").inner_text()
    assert ReviewRequest.objects.waiting().count() == 1

    sign_in(page, live_server, publisher)
    page.goto(live_server.url + reverse("admin:index"))
    assert "waiting for review (1)" in page.locator("#waiting-for-review").inner_text().lower()
    tab_to(page, "#waiting-for-review a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Ready for publishing." in page.locator("#content-main").inner_text()
    tab_to(page, "input[value=approve]")
    page.keyboard.press("Space")
    tab_to(page, "input[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    guide.refresh_from_db()
    assert guide.is_published


def test_publisher_schedules_and_the_item_appears_at_its_time(live_server, page, publisher, browser):
    guide = make_guide(published=False, title="Goes live soon")
    sign_in(page, live_server, publisher)
    page.goto(live_server.url + reverse("admin:mutuals_guide_change", args=[guide.pk]))
    # Far enough ahead for the keyboard steps below on a busy machine (6 s was seen to pass first).
    go_live = timezone.localtime(timezone.now() + timedelta(seconds=12)).replace(microsecond=0)
    tab_to(page, "select[name=status]")
    page.keyboard.press("ArrowDown")  # from Draft to Published
    tab_to(page, "input[name=publish_at_0]")
    page.keyboard.type(go_live.strftime("%Y-%m-%d"))
    tab_to(page, "input[name=publish_at_1]")
    page.keyboard.type(go_live.strftime("%H:%M:%S"))
    tab_to(page, "input[name=_save]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    guide.refresh_from_db()
    assert guide.publish_at == go_live and guide.status == "published"
    page.goto(live_server.url + reverse("admin:index"))
    assert "Goes live soon" in page.locator("#scheduled").inner_text()

    public = browser.new_context().new_page()
    assert timezone.now() < go_live, "the steps took longer than the schedule's lead: nothing was shown"
    assert public.goto(live_server.url + guide.get_absolute_url()).status == 404
    wait = (go_live - timezone.now()).total_seconds() + 0.5
    public.wait_for_timeout(max(wait, 0) * 1000)
    assert public.goto(live_server.url + guide.get_absolute_url()).status == 200
    assert Guide.objects.published().filter(pk=guide.pk).exists()


def test_a_guide_form_fits_1280_pixels_with_its_inlines(live_server, page, publisher):
    from mutuals.models import Benefit, Criterion

    guide = make_guide(title="Wide guide")
    Criterion.objects.create(guide=guide, text="delivers public services and has left the public sector " * 4)
    Benefit.objects.create(guide=guide, audience="employees", text="More say in how services are run. " * 10)
    sign_in(page, live_server, publisher)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + reverse("admin:mutuals_guide_change", args=[guide.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    criterion = page.locator("[name='criteria-0-text']")
    assert criterion.evaluate("el => el.tagName") == "TEXTAREA"  # long criteria wrap instead of being cut
    assert criterion.evaluate("el => el.clientWidth") >= 400
