"""fixtures/support.json: the first support content, from content-facts.md, all closed today."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from support.models import Fund, FundRound, Programme
from support.status import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    call_command("load_initial_content", stdout=io.StringIO())


def test_misf_is_closed_for_good_with_its_two_rounds(content):
    misf = Fund.objects.published().get(slug="mutuals-interim-support-fund")
    assert misf.closed_for_good and misf.closed_reason == "No further rounds."
    assert misf.max_grant == 25_000
    deadlines = {r.number: r.closes_at.isoformat() for r in misf.rounds.published()}
    assert deadlines == {2: "2017-07-31T16:00:00+00:00", 3: "2017-09-29T16:00:00+00:00"}  # 5pm BST
    assert all(r.opens_at is None for r in misf.rounds.all())  # not sourced: left for editors


def test_msp_and_its_june_2018_round(content):
    msp = Programme.objects.published().get(slug="mutuals-support-programme")
    assert msp.total_funding == 1_700_000 and msp.launched_text == "January 2018" and msp.launched_on is None
    june = FundRound.objects.published().get(fund__programme=msp)
    assert june.closes_at.isoformat() == "2018-06-29T16:00:00+00:00" and june.budget == 1_000_000
    assert june.deadline_text == "5pm on Friday 29 June 2018"


def test_msp2_and_its_two_consortia(content):
    msp2 = Programme.objects.published().get(slug="mutuals-support-programme-2")
    consortia = {c.name: [m.name for m in c.members.all()] for c in msp2.consortia.all()}
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
    assert msp2.closed_for_good


def test_everything_from_the_fixtures_is_closed_today(client, content):
    assert {r.availability for r in FundRound.objects.all()} == {Status.CLOSED}
    assert {f.availability for f in Fund.objects.all()} == {Status.CLOSED}
    assert {p.availability for p in Programme.objects.all()} == {Status.CLOSED}
    html = client.get(reverse("support:index")).text
    assert "No funding round is open for applications at the moment." in html
    for name in ["Mutuals Interim Support Fund", "Mutuals Support Programme 2", "Mutuals Support Programme fund"]:
        assert html.index("<details") < html.index(name)
    for page in [*Fund.objects.all(), *Programme.objects.all()]:
        assert client.get(page.get_absolute_url()).status_code == 200
    assert client.get(reverse("support:rounds-calendar")).content.count(b"BEGIN:VEVENT") == 3


def test_fixture_rounds_pass_the_admin_rules(content):
    for fund_round in FundRound.objects.all():
        fund_round.full_clean()
    for item in [*Fund.objects.all(), *Programme.objects.all()]:
        item.full_clean()
