"""The public pages: what support is available, programmes and funds."""

import pytest
from django.test import Client
from django.urls import reverse

from psm_site.publishing.actions import add_change_note
from support.models import Consortium, FundRound
from tests.helpers import count_tags, page_title, settle_content_version
from tests.support.factories import make_fund, make_programme, make_round, uk

pytestmark = pytest.mark.django_db

NOW = uk(2026, 6, 1, 12)
INDEX = reverse("support:index")


@pytest.fixture
def support(frozen):
    """One of everything, at a frozen 'now'."""
    frozen(NOW)
    later = make_fund(name="Later fund", max_grant=25_000)
    make_round(later, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 7, 31, 17), budget=1_000_000)
    sooner = make_fund(name="Sooner fund")
    make_round(sooner, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 6, 10, 17))
    coming = make_fund(name="Coming fund")
    make_round(coming, opens_at=uk(2026, 7, 1, 9, 30), closes_at=uk(2026, 8, 1, 17))
    gone = make_fund(name="Gone fund", closed_for_good=True, closed_reason="No further rounds.")
    make_round(gone, opens_at=uk(2017, 8, 1), closes_at=uk(2017, 9, 29, 17))
    programme = make_programme(name="Current programme", opens_on=uk(2026, 1, 1).date())
    make_programme(name="Old programme", closed_for_good=True, closed_reason="Closed for applications.")
    return {"later": later, "sooner": sooner, "coming": coming, "gone": gone, "programme": programme}


def test_index_lists_open_then_upcoming_then_programmes_then_closed(client, support):
    html = client.get(INDEX).text
    assert count_tags(html, "h1") == 1
    assert page_title(html).startswith("What support is available?")
    order = [
        'id="open-now"',
        "Sooner fund: round 1",  # soonest deadline first
        "Later fund: round 1",
        'id="upcoming"',
        "Coming fund: round 1",
        'id="programmes"',
        "Current programme",
        'id="closed"',
        "<details",
        "Gone fund",
        "Old programme",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert '<details class="govuk-details" id="past-support">' in html  # collapsed: no 'open'
    assert 'Open until <time datetime="2026-07-31T17:00+01:00">5pm on Friday 31 July 2026</time>' in html
    assert 'Opens <time datetime="2026-07-01T09:30+01:00">9:30am on 1 July 2026</time>' in html
    assert '<strong class="govuk-tag govuk-tag--orange">Closing soon</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--green">Open</strong>' in html
    assert "Grants of up to £25,000" in html and "£1 million available in this round" in html
    assert "Closed: no further rounds." in html


def test_the_index_reads_its_rows_once_and_a_round_moves_when_it_opens(client, support, frozen, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE = False  # the page is drawn every time; its rounds are read once per generation
    settle_content_version()
    client.get(INDEX)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(INDEX).text
    assert len(captured) == 0
    assert html.index('id="upcoming"') < html.index("Coming fund: round 1") < html.index('id="programmes"')
    frozen(uk(2026, 7, 1, 9, 30))  # the coming round opens
    html = client.get(INDEX).text
    assert html.index('id="open-now"') < html.index("Coming fund: round 1") < html.index('id="upcoming"')


def test_index_says_so_when_nothing_is_open(client, frozen):
    frozen(NOW)
    html = client.get(INDEX).text
    assert "No funding round is open for applications at the moment." in html
    assert "No new rounds have been announced." in html
    assert "<details" not in html


def test_drafts_never_appear(client, frozen):
    frozen(NOW)
    draft_fund = make_fund(name="Draft fund", published=False)
    make_round(draft_fund, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 7, 1, 17))  # published round, draft fund
    live = make_fund(name="Live fund")
    make_round(live, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 7, 1, 17), published=False, notes="Secret round")
    make_round(live, number=7, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17), published=False)
    make_programme(name="Draft programme", published=False)
    html = client.get(INDEX).text
    assert "Draft fund" not in html and "Draft programme" not in html and "Live fund: round" not in html
    fund_html = client.get(live.get_absolute_url()).text
    assert "Secret round" not in fund_html and "Round 7" not in fund_html and "Round 1" not in fund_html
    assert client.get(reverse("support:rounds-calendar")).content.count(b"BEGIN:VEVENT") == 0


def test_a_round_is_published_on_its_own_and_public_only_with_its_fund(client, frozen):
    frozen(NOW)
    draft_fund = make_fund(name="Draft fund", published=False)
    hidden = make_round(draft_fund, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 7, 1, 17))
    shown = make_round(make_fund(name="Live fund"), opens_at=uk(2026, 5, 1), closes_at=uk(2026, 7, 1, 17))
    assert set(FundRound.objects.published()) == {hidden, shown}  # the same rule as every model
    assert list(FundRound.objects.public()) == [shown]
    updates = client.get(reverse("updates")).text
    assert "Live fund: round 1" in updates and "Draft fund" not in updates  # its 'First published.' note too


def test_staff_preview_a_draft_fund(editor_client, frozen):
    frozen(NOW)
    fund = make_fund(name="Draft fund", published=False)
    response = editor_client.get(fund.get_absolute_url())
    assert response.status_code == 200 and "This is a draft" in response.text
    assert "no-store" in response["Cache-Control"]


def test_fund_page_anatomy(client, support):
    fund = support["later"]
    add_change_note(fund, note="Round 1 is now open.", when=uk(2026, 5, 1, 9))
    html = client.get(fund.get_absolute_url()).text
    assert count_tags(html, "h1") == 1
    assert "From:</dt> <dd>Department for Culture, Media and Sport" in html
    assert '<a class="govuk-link" href="#rounds">Rounds</a>' in html
    assert 'id="round-1"' in html
    assert "Round 1: Open until" in html
    assert "Show all updates" in html and "Round 1 is now open." in html
    assert "Up to £25,000" in html and "£1 million" in html


def test_apply_route_shows_while_open_and_hides_once_closed(client, frozen):
    frozen(NOW)
    fund = make_fund(how_to_apply="Email **the team**.")
    fund_round = make_round(
        fund, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 7, 1, 17), how_to_apply="Use the round form."
    )
    html = client.get(fund.get_absolute_url()).text
    assert "<strong>the team</strong>" in html and "Use the round form." in html
    assert fund_round.get_calendar_url() in html
    frozen(uk(2026, 7, 1, 17))
    html = client.get(fund.get_absolute_url()).text
    assert "the team" not in html and "Use the round form." not in html
    assert fund_round.get_calendar_url() not in html
    assert "This fund is not taking applications." in html
    assert 'Deadline was <time datetime="2026-07-01T17:00+01:00">5pm on Wednesday 1 July 2026</time>' in html


def test_programme_page_anatomy(client, frozen):
    frozen(NOW)
    programme = make_programme(
        name="Mutuals Support Programme 2",
        total_funding=1_700_000,
        launched_text="January 2018",
        closes_text="March 2020",
        offers="* bid writing",
        how_to_apply="Email the team.",
        contact="mutuals@culture.gov.uk",
    )
    gomutual = Consortium.objects.create(programme=programme, name="GoMutual", position=0)
    gomutual.members.create(name="Baxendale", position=0)
    gomutual.members.create(name="Stepping Out", position=1)
    Consortium.objects.create(programme=programme, name="Mutual Ventures", position=1).members.create(
        name="Bevan Brittan"
    )
    fund = make_fund(name="Its fund", programme=programme)
    make_round(fund, opens_at=uk(2026, 7, 1), closes_at=uk(2026, 8, 1, 17))
    make_fund(name="Its draft fund", programme=programme, published=False)
    html = client.get(programme.get_absolute_url()).text
    assert count_tags(html, "h1") == 1
    assert "Up to £1.7 million" in html and "January 2018" in html and "March 2020" in html
    assert html.index("GoMutual consortium") < html.index("Baxendale") < html.index("Stepping Out")
    assert html.index("Stepping Out") < html.index("Mutual Ventures consortium") < html.index("Bevan Brittan")
    assert "Its fund" in html and "Its draft fund" not in html
    assert '<strong class="govuk-tag">Upcoming</strong>' in html  # from its fund's round
    assert "Email the team." in html
    assert client.get(fund.get_absolute_url()).text.count(programme.get_absolute_url()) == 2  # breadcrumb, 'Part of'


def test_closed_programme_hides_how_to_apply(client, frozen):
    frozen(NOW)
    programme = make_programme(closed_for_good=True, closed_reason="Closed for applications.", how_to_apply="Email us.")
    html = client.get(programme.get_absolute_url()).text
    assert "Email us." not in html and "This programme is not taking applications." in html


def _grow(size):
    for index in range(size):
        programme = make_programme(name=f"Programme {index}", opens_on=uk(2026, 1, 1).date())
        consortium = Consortium.objects.create(programme=programme, name=f"Consortium {index}")
        consortium.members.create(name="A member")
        fund = make_fund(name=f"Fund {index}", programme=programme)
        make_round(fund, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 7, 1, 17))
        make_round(fund, opens_at=uk(2026, 7, 2), closes_at=uk(2026, 8, 1, 17))
        make_round(fund, opens_at=uk(2025, 7, 2), closes_at=uk(2025, 8, 1, 17))
        add_change_note(fund, note="Changed.")
        make_fund(name=f"Closed fund {index}", closed_for_good=True)


@pytest.mark.parametrize("size", [1, 15])
def test_query_counts_do_not_grow_with_the_content(client, frozen, django_assert_num_queries, size):
    frozen(NOW)
    _grow(size)
    programme = make_programme(name="Measured")
    for index in range(size):
        consortium = Consortium.objects.create(programme=programme, name=f"C{index}")
        consortium.members.create(name="Member")
    fund = make_fund(name="Measured fund", programme=programme)
    for index in range(size):
        make_round(fund, opens_at=uk(2020, 1, 1 + index), closes_at=uk(2020, 1, 1 + index, 17))
        add_change_note(fund, note=f"Change {index}.")
    settle_content_version()
    # every public round; programmes with their funds and rounds; closed funds
    with django_assert_num_queries(5):
        assert client.get(INDEX).status_code == 200
    # programme; its funds, their rounds; consortia, members; change notes
    with django_assert_num_queries(6):
        assert client.get(programme.get_absolute_url()).status_code == 200
    # fund with its programme; its rounds; change notes
    with django_assert_num_queries(3):
        assert client.get(fund.get_absolute_url()).status_code == 200


def test_programmes_and_funds_are_found_by_site_search(client, frozen):
    frozen(NOW)
    programme = make_programme(name="Mutuals Support Programme 2")
    Consortium.objects.create(programme=programme, name="GoMutual").members.create(name="Bevan Brittan")
    make_fund(name="Mutuals Interim Support Fund", uses="* an options appraisal")
    make_fund(name="Hidden draft fund", uses="an options appraisal", published=False)
    html = client.get(reverse("search"), {"q": "Bevan Brittan"}).text
    assert "Mutuals Support Programme 2" in html
    html = client.get(reverse("search"), {"q": "options appraisal"}).text
    assert "Mutuals Interim Support Fund" in html and "Hidden draft fund" not in html


def test_index_links_the_calendar_and_updates_feeds(client, frozen):
    frozen(NOW)
    html = client.get(INDEX).text
    assert f'href="{reverse("support:rounds-calendar")}"' in html
    assert f'href="{reverse("support-updates-feed")}"' in html


def test_staff_preview_draft_rounds_marked_and_uncached(editor_client, frozen):
    frozen(NOW)
    fund = make_fund(name="Live fund")
    make_round(fund, number=1, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17))
    make_round(fund, number=2, opens_at=uk(2026, 6, 2, 9), closes_at=uk(2026, 6, 30, 17), published=False)
    response = editor_client.get(fund.get_absolute_url())
    html = response.text
    assert 'id="round-2"' in html and "Only signed-in staff can see this round" in html
    assert '<strong class="govuk-tag">Upcoming</strong>' in html
    assert "no-store" in response["Cache-Control"]
    public = Client().get(fund.get_absolute_url())
    assert 'id="round-2"' not in public.text and 'id="round-1"' in public.text
    assert "no-store" not in public.get("Cache-Control", "")


def test_staff_preview_of_a_draft_fund_shows_its_rounds(editor_client, frozen):
    frozen(NOW)
    fund = make_fund(name="Draft fund", published=False)
    make_round(fund, number=1, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 6, 30, 17))
    html = editor_client.get(fund.get_absolute_url()).text
    assert "This is a draft" in html and 'id="round-1"' in html


def test_a_round_without_a_closing_time_says_which_day_it_closes(client, frozen):
    frozen(uk(2017, 9, 1, 12))
    fund = make_fund(name="Mutuals Interim Support Fund")
    make_round(fund, number=3, opens_at=uk(2017, 8, 21), closes_at=uk(2017, 9, 30), closing_time_recorded=False)
    html = client.get(fund.get_absolute_url()).text
    assert 'Closes on <time datetime="2017-09-29">Friday 29 September 2017</time>' in html
    home = client.get(reverse("home")).text  # the open-round banner
    assert 'is open until the end of <time datetime="2017-09-29">Friday 29 September 2017</time>.' in home
    for page in (html, home, client.get(INDEX).text):
        assert "midnight" not in page and "12am" not in page and "5pm" not in page
    frozen(uk(2017, 9, 30, 0, 0, 0))
    assert (
        'Deadline was <time datetime="2017-09-29">Friday 29 September 2017</time>'
        in client.get(fund.get_absolute_url()).text
    )


def test_a_programmes_own_rounds_show_on_its_page(client, frozen):
    frozen(NOW)
    programme = make_programme(name="Mutuals Support Programme")
    own = make_fund(name="", programme=programme)
    fund_round = make_round(own, number=None, opens_at=None, closes_at=uk(2018, 6, 29, 17), budget=1_000_000)
    html = client.get(programme.get_absolute_url()).text
    assert 'id="round-closing-2018-06-29"' in html and "Round closing 29 June 2018" in html
    assert 'Deadline was <time datetime="2018-06-29T17:00+01:00">5pm on Friday 29 June 2018</time>' in html
    assert 'id="funds"' not in html  # no fund of another name
    assert fund_round.get_absolute_url() == programme.get_absolute_url() + "#round-closing-2018-06-29"
    response = client.get(reverse("support:fund-detail", kwargs={"slug": own.slug}))
    assert response.status_code == 301 and response["Location"] == programme.get_absolute_url()
    assert "Mutuals Support Programme (its own rounds)" == str(own)
