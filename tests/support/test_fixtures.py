"""fixtures/support.json: the first support content, from content-facts.md, all closed today."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from support.models import Fund, FundRound, Programme
from support.status import Availability

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    call_command("load_initial_content", stdout=io.StringIO())


def test_misf_is_closed_for_good_with_its_two_rounds_dated_by_day_only(content):
    misf = Fund.objects.published().get(slug="mutuals-interim-support-fund")
    assert misf.closed_for_good and misf.closed_reason == "No further rounds."
    assert misf.max_grant == 25_000
    rounds = {r.number: r for r in misf.rounds.published()}
    assert set(rounds) == {None, 3}  # the earlier round was never numbered in the sources
    assert {r.closing_day.isoformat() for r in rounds.values()} == {"2017-07-31", "2017-09-29"}
    assert not any(r.closing_time_recorded for r in rounds.values())  # the sources give days, no times
    assert rounds[3].closes_at.isoformat() == "2017-09-29T23:00:00+00:00"  # the end of the day, BST
    assert rounds[None].title == "Round closing 31 July 2017"
    assert all(r.opens_at is None for r in misf.rounds.all())  # not sourced: left for editors


def test_msp_and_its_june_2018_round(content):
    msp = Programme.objects.published().get(slug="mutuals-support-programme")
    assert msp.total_funding == 1_700_000 and msp.launched_text == "January 2018" and msp.launched_on is None
    assert msp.closes_text == "March 2020" and msp.closed_for_good
    june = FundRound.objects.published().get(fund__programme=msp)
    assert june.closes_at.isoformat() == "2018-06-29T16:00:00+00:00" and june.budget == 1_000_000
    assert june.deadline_text == "5pm on Friday 29 June 2018" and june.number is None
    assert june.fund.name == "" and june.get_absolute_url() == msp.get_absolute_url() + "#round-closing-2018-06-29"


def test_one_programme_with_its_two_consortia(content):
    assert Programme.objects.count() == 1
    msp = Programme.objects.published().get(slug="mutuals-support-programme")
    consortia = {c.name: [m.name for m in c.members.all()] for c in msp.consortia.all()}
    assert consortia == {
        "GoMutual": [
            "Baxendale",
            "Eastside Primetimers",
            "Hempsons Solicitors",
            "MetaValue",
            "Social Enterprise Acumen",
            "Stepping Out",
        ],
        "Mutual Ventures": ["Mutual Ventures", "Bates Wells Braithwaite", "Bevan Brittan"],
    }


def test_everything_from_the_fixtures_is_closed_today(client, content):
    assert {r.availability for r in FundRound.objects.all()} == {Availability.CLOSED}
    assert {f.availability for f in Fund.objects.all()} == {Availability.CLOSED}
    assert {p.availability for p in Programme.objects.all()} == {Availability.CLOSED}
    html = client.get(reverse("support:index")).text
    assert "No funding round is open for applications at the moment." in html
    for name in ["Mutuals Interim Support Fund", "Mutuals Support Programme"]:
        assert html.index("<details") < html.index(name)
    for page in [*Fund.objects.all(), *Programme.objects.all()]:
        assert client.get(page.get_absolute_url()).status_code == 200
    programme = client.get(Programme.objects.get().get_absolute_url()).text
    assert "Deadline was <time" in programme and "5pm on Friday 29 June 2018" in programme
    misf = client.get(reverse("support:fund-detail", kwargs={"slug": "mutuals-interim-support-fund"})).text
    assert 'Deadline was <time datetime="2017-09-29">Friday 29 September 2017</time>' in misf
    assert "5pm" not in misf
    assert client.get(reverse("support:rounds-calendar")).content.count(b"BEGIN:VEVENT") == 3


def test_fixture_rounds_pass_the_admin_rules(content):
    for fund_round in FundRound.objects.all():
        fund_round.full_clean()
    for item in [*Fund.objects.all(), *Programme.objects.all()]:
        item.full_clean()
