"""The cookies page says what the browser really gets: its table (name, lifetime) is read from the
live page and checked against every cookie a real Chromium is sent, for an anonymous visitor, a
feedback sender and a signed-in member of staff."""

import pytest
from django.urls import reverse

from psm_site.models import Page
from tests.browser.test_registry import log_in

pytestmark = pytest.mark.django_db(transaction=True)

AT_BROWSER_CLOSE = "When you close your browser"


@pytest.fixture
def set_cookies(page):
    """Names of every cookie any response sets (Set-Cookie), including one deleted on the next page."""
    names = set()

    def record(response):
        for header in response.headers_array():
            if header["name"].lower() == "set-cookie":
                names.add(header["value"].split("=", 1)[0].strip())

    page.on("response", record)
    return names


def cookie_table(page, live_server):
    """{name: expires} from the cookies page, for public pages and for staff."""
    page.goto(live_server.url + reverse("page", kwargs={"slug": "cookies"}))
    rows = page.locator("table tbody tr")
    table = {}
    for index in range(rows.count()):
        row = rows.nth(index)
        name = row.locator("th code").inner_text().strip()
        table[name] = row.locator("td").nth(1).inner_text().strip()
    return table


def check_lifetimes(page, table):
    for cookie in page.context.cookies():
        expires = table[cookie["name"]]
        if expires.startswith(AT_BROWSER_CLOSE):
            assert cookie["expires"] == -1, f"{cookie['name']} outlives the browser but the page says {expires!r}"


def test_the_cookies_page_lists_exactly_the_cookies_set(live_server, page, registry, publisher, set_cookies):
    table = cookie_table(page, live_server)
    assert set(table) == {"csrftoken", "sessionid", "messages", "psm_staff"}
    staff_only = {"sessionid", "messages", "psm_staff"}
    page.context.clear_cookies()
    set_cookies.clear()

    # An anonymous visitor reading pages, searching and using the map's data
    for url in ["/", "/mutuals/", "/search/?q=health", "/support/", "/updates/", "/help/privacy-notice"]:
        page.goto(live_server.url + url)
    anonymous = set(set_cookies) | {cookie["name"] for cookie in page.context.cookies()}
    assert anonymous <= set(table) - staff_only, anonymous

    # A visitor who says whether a page is useful, and reports a problem
    page.goto(live_server.url + "/research/")
    with page.expect_navigation():
        page.get_by_role("button", name="Yes this page is useful").click()
    page.goto(live_server.url + reverse("feedback-problem") + "?path=/research/")
    page.locator("textarea").first.fill("The table is hard to read on my phone.")
    with page.expect_navigation():
        page.locator("form button[type=submit], form input[type=submit]").last.click()
    feedback = set(set_cookies) | {cookie["name"] for cookie in page.context.cookies()}
    assert "csrftoken" in feedback  # the form's protection: the one public cookie
    assert feedback <= set(table) - staff_only, feedback
    check_lifetimes(page, table)

    # A member of staff who signs in and saves a page in the admin
    page.context.clear_cookies()
    log_in(page, live_server, publisher)
    cookies_page = Page.objects.get(slug="cookies")
    page.goto(live_server.url + reverse("admin:psm_site_page_change", args=[cookies_page.pk]))
    page.locator("input[name=change_type][value=minor]").check()
    with page.expect_navigation():
        page.locator("input[name=_save], button[name=_save]").first.click()
    assert page.locator(".messagelist").count() == 1  # 'was changed successfully', carried by the cookie
    staff = set(set_cookies)
    assert {"sessionid", "messages", "psm_staff"} <= staff, staff
    assert staff <= set(table), staff - set(table)
    check_lifetimes(page, table)
    session = next(cookie for cookie in page.context.cookies() if cookie["name"] == "sessionid")
    assert session["expires"] == -1  # ends with the browser, as the page says

    # every cookie the page lists was really set by one of the three visits
    assert set(table) <= anonymous | feedback | staff
