"""The open-round banner on the home page and the explainer: exactly while a round is open."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse

from support.templatetags.support import open_round_banner
from tests.factories import make_guide
from tests.support.factories import make_fund, make_round, uk

pytestmark = pytest.mark.django_db

OPENS = uk(2017, 8, 21, 9)
CLOSES = uk(2017, 9, 29, 17)
SECOND = timedelta(seconds=1)
TEXT = "Round 3 of the Mutuals Interim Support Fund is open until"


def _banner():
    return Template('{% load psm %}{% from_app "open_round_banner" %}').render(Context())


@pytest.fixture
def misf():
    fund = make_fund(name="Mutuals Interim Support Fund", slug="mutuals-interim-support-fund")
    return make_round(fund, number=3, opens_at=OPENS, closes_at=CLOSES)


@pytest.mark.parametrize(
    ("now", "shown"),
    [
        (OPENS - SECOND, False),
        (OPENS, True),
        (CLOSES - SECOND, True),
        (CLOSES, False),
    ],
)
def test_banner_shows_exactly_while_a_round_is_open(frozen, misf, now, shown):
    frozen(now)
    html = _banner()
    assert (TEXT in html) == shown
    assert ("govuk-notification-banner" in html) == shown


def test_banner_wording_and_link(frozen, misf):
    frozen(OPENS)
    html = _banner()
    assert (
        'Round 3 of the Mutuals Interim Support Fund is open until <time datetime="2017-09-29T17:00+01:00">'
        "5pm on Friday 29 September 2017</time>." in html
    )
    assert 'href="/support/funds/mutuals-interim-support-fund/#round-3"' in html
    assert 'role="region" aria-labelledby="open-round-banner-title"' in html


def test_banner_lists_each_open_round_soonest_first(frozen, misf):
    other = make_fund(name="Other fund")
    make_round(other, opens_at=OPENS, closes_at=CLOSES - timedelta(days=7))
    frozen(OPENS)
    html = _banner()
    assert html.index("Other fund") < html.index("Mutuals Interim Support Fund")
    assert html.count('class="govuk-notification-banner"') == 1


def test_drafts_never_reach_the_banner(frozen):
    make_round(make_fund(), opens_at=OPENS, closes_at=CLOSES, published=False)
    make_round(make_fund(published=False), opens_at=OPENS, closes_at=CLOSES)
    frozen(OPENS + SECOND)
    assert _banner().strip() == ""


@pytest.mark.parametrize("rounds", [0, 1, 10])
def test_banner_costs_one_query(frozen, django_assert_num_queries, rounds, settings):
    settings.PAGE_CACHE_SHARED = True  # as with Redis: the banner is kept per content generation
    for index in range(rounds):
        make_round(make_fund(), opens_at=OPENS, closes_at=CLOSES + timedelta(days=index))
    frozen(OPENS)
    with django_assert_num_queries(1):
        open_round_banner()
    first = _banner()
    with django_assert_num_queries(0):  # drawn once per content generation, then kept
        assert _banner() == first


def test_the_kept_banner_changes_with_the_content_and_the_clock(frozen, misf, settings):
    settings.PAGE_CACHE_SHARED = True
    frozen(OPENS - SECOND)
    assert _banner().strip() == ""
    frozen(OPENS)  # a boundary: the round opens
    assert TEXT in _banner()
    misf.delete()  # a change: the banner goes at once
    assert _banner().strip() == ""


def test_banner_on_the_home_page_and_the_explainer(client, frozen, misf):
    guide = make_guide(title="Introduction to Public Service Mutuals")
    guide.sections.create(heading="What is the government doing to help?", block="open_rounds")
    frozen(OPENS)
    home, explainer = client.get(reverse("home")).text, client.get(guide.get_absolute_url()).text
    assert TEXT in home and home.index("govuk-notification-banner") < home.index("<h1")
    assert TEXT in explainer  # inside 'What is the government doing to help?'
    assert explainer.index("What is the government doing to help?</h2>") < explainer.index("govuk-notification-banner")
    frozen(CLOSES)
    for url in [reverse("home"), guide.get_absolute_url()]:
        assert TEXT not in client.get(url).text
