"""The admin as DCMS editors use it: rounds inline, consortia as lists, status computed, UK time."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from psm_site.permissions import EDITORS, PUBLISHERS
from support.models import Consortium, Fund, FundRound, Programme
from tests.helpers import admin_form_data
from tests.support.factories import make_fund, make_programme, make_round, uk

pytestmark = pytest.mark.django_db

NOW = uk(2026, 6, 1, 12)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_groups_have_rights_on_support_models(editor, publisher):
    for model in ["programme", "fund", "fundround"]:
        assert editor.has_perm(f"support.change_{model}") and editor.has_perm(f"support.add_{model}")
        assert not editor.has_perm(f"support.publish_{model}") and not editor.has_perm(f"support.delete_{model}")
        assert publisher.has_perm(f"support.publish_{model}") and publisher.has_perm(f"support.delete_{model}")
    assert editor.has_perm("support.delete_consortium") and editor.has_perm("support.delete_consortiummember")
    assert Group.objects.filter(name__in=[EDITORS, PUBLISHERS]).count() == 2


def test_time_fields_say_uk_time_and_no_time_is_typed_for_the_editor(editor_client):
    fund = make_fund(published=False)
    make_round(fund, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17), published=False)
    html = editor_client.get(reverse("admin:support_fund_change", args=[fund.pk])).text
    assert html.count("Time, UK time (Europe/London):") >= 2  # opens and closes of the saved round
    assert (
        "The deadline, in UK time (Europe/London), 24-hour clock. Leave the time empty if only the day was "
        "announced: the round then closes at the end of that day." in html
    )
    new = editor_client.get(reverse("admin:support_fundround_add")).text
    assert 'name="closes_at_1" value="17:00:00"' not in new  # a deadline time is never assumed
    assert new.count("Time, UK time (Europe/London):") == 2


def test_a_day_only_deadline_is_saved_and_shown_as_a_day(editor_client):
    fund = make_fund(published=False)
    url = reverse("admin:support_fundround_add")
    data = admin_form_data(editor_client.get(url))
    data.update({"fund": fund.pk, "number": "", "closes_at_0": "29/09/2017", "closes_at_1": ""})
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    fund_round = fund.rounds.get()
    assert fund_round.number is None and not fund_round.closing_time_recorded
    assert fund_round.closes_at.isoformat() == "2017-09-29T23:00:00+00:00"  # midnight at the end of the day, BST
    html = editor_client.get(reverse("admin:support_fundround_change", args=[fund_round.pk])).text
    assert 'name="closes_at_0" value="29/09/2017"' in html
    assert 'name="closes_at_1" value="17:00:00"' not in html and 'name="closes_at_1" value="00:00:00"' not in html
    assert str(fund_round) == f"{fund.name}: round closing 29 September 2017"


def test_saved_times_show_in_uk_time_even_when_time_zone_is_utc(editor_client, settings):
    settings.TIME_ZONE = "UTC"
    fund_round = make_round(opens_at=uk(2026, 6, 1, 9, 30), closes_at=uk(2026, 6, 29, 17), published=False)
    html = editor_client.get(reverse("admin:support_fundround_change", args=[fund_round.pk])).text
    assert 'name="closes_at_1" value="17:00:00"' in html
    assert 'name="opens_at_1" value="09:30:00"' in html


def test_changelists_show_and_filter_by_status_today(editor_client, frozen):
    frozen(NOW)
    open_fund = make_fund(name="Open fund")
    make_round(open_fund, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 7, 1, 17))
    soon_fund = make_fund(name="Soon fund")
    make_round(soon_fund, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 6, 5, 17))
    make_fund(name="Shut fund", closed_for_good=True)
    draft_round = make_round(
        make_fund(name="Draft-round fund"), opens_at=uk(2026, 6, 2), closes_at=uk(2026, 7, 1, 17), published=False
    )

    funds = reverse("admin:support_fund_changelist")
    html = editor_client.get(funds).text
    assert (
        "<strong>Open</strong>" in html
        and "<strong>Closing soon</strong>" in html
        and "<strong>Closed</strong>" in html
    )
    assert "Round 1: 5pm on Friday 5 June 2026" in html
    assert _listed(editor_client, funds, "open") == {"Open fund"}
    assert _listed(editor_client, funds, "closing_soon") == {"Soon fund"}
    assert _listed(editor_client, funds, "closed") == {"Shut fund", "Draft-round fund"}  # a draft round is not public
    assert _listed(editor_client, funds, "upcoming") == set()

    rounds = reverse("admin:support_fundround_changelist")
    assert _listed(editor_client, rounds, "upcoming") == {str(draft_round)}
    assert "<strong>Upcoming</strong>" in editor_client.get(rounds, {"open_status": "upcoming"}).text
    assert _listed(editor_client, rounds, "open") == {"Open fund: round 1"}
    assert len(_listed(editor_client, rounds, "nonsense")) == 3  # an unknown value filters nothing


def _listed(client, url, status):
    return {str(item) for item in client.get(url, {"open_status": status}).context["cl"].result_list}


@pytest.mark.parametrize("size", [2, 20])
def test_changelist_query_counts_are_fixed(editor_client, frozen, django_assert_num_queries, size):
    frozen(NOW)
    for index in range(size):
        fund = make_fund(name=f"Fund {index}", programme=make_programme())
        make_round(fund, opens_at=uk(2026, 5, 1), closes_at=uk(2026, 7, 1, 17))
    # Each: session, user, two permission lookups, the filter's choices, two counts, the rows and
    # their prefetches. The status columns cost nothing per row.
    with django_assert_num_queries(9):
        editor_client.get(reverse("admin:support_fund_changelist"))  # + programme filter, rounds
    with django_assert_num_queries(8):
        editor_client.get(reverse("admin:support_fundround_changelist"))  # + fund filter
    with django_assert_num_queries(9):
        editor_client.get(reverse("admin:support_programme_changelist"))  # + funds, their rounds


def test_consortium_members_are_typed_as_a_list(editor_client):
    url = reverse("admin:support_programme_add")
    data = admin_form_data(editor_client.get(url))
    data.update({"name": "Mutuals Support Programme 2", "slug": "msp2", "summary": "Help.", "audience": "both"})
    data.update({"consortia-TOTAL_FORMS": "1", "consortia-0-name": "GoMutual", "consortia-0-position": "0"})
    data["consortia-0-members_text"] = "Baxendale\n  Eastside   Primetimers \n\nStepping Out\n"
    assert editor_client.post(url, data).status_code == 302
    consortium = Consortium.objects.get(name="GoMutual")
    assert [m.name for m in consortium.members.all()] == ["Baxendale", "Eastside Primetimers", "Stepping Out"]

    programme = Programme.objects.get(slug="msp2")
    change = reverse("admin:support_programme_change", args=[programme.pk])
    data = admin_form_data(editor_client.get(change))
    assert data["consortia-0-members_text"] == "Baxendale\nEastside Primetimers\nStepping Out"
    data["consortia-0-members_text"] = "Stepping Out\nBaxendale\nMetaValue"
    assert editor_client.post(change, data).status_code == 302
    assert [m.name for m in consortium.members.all()] == ["Stepping Out", "Baxendale", "MetaValue"]

    data = admin_form_data(editor_client.get(change))
    data["consortia-0-members_text"] = "Baxendale\nBaxendale"
    response = editor_client.post(change, data)
    assert response.status_code == 200
    assert "This organisation is listed twice: Baxendale." in response.text


def test_editor_cannot_publish_a_round_even_by_a_crafted_post(editor_client, frozen):
    frozen(NOW)
    fund = make_fund(published=False)
    fund_round = make_round(fund, opens_at=uk(2026, 7, 1), closes_at=uk(2026, 8, 1, 17), published=False)
    url = reverse("admin:support_fund_change", args=[fund.pk])
    data = admin_form_data(editor_client.get(url))
    assert "rounds-0-status" not in data
    data["rounds-0-status"] = "published"
    data["rounds-0-notes"] = "Edited"
    assert editor_client.post(url, data).status_code == 302
    fund_round.refresh_from_db()
    assert fund_round.notes == "Edited" and not fund_round.is_published


def test_publisher_publishes_a_round_inline_with_its_first_publication(publisher_client, frozen):
    frozen(NOW)
    fund = make_fund(published=False)
    fund_round = make_round(fund, opens_at=uk(2026, 7, 1), closes_at=uk(2026, 8, 1, 17), published=False)
    url = reverse("admin:support_fund_change", args=[fund.pk])
    data = admin_form_data(publisher_client.get(url))
    data["rounds-0-status"] = "published"
    assert publisher_client.post(url, data).status_code == 302
    fund_round.refresh_from_db()
    assert fund_round.is_published and fund_round.first_published_at == NOW
    assert [n.note for n in fund_round.public_change_notes()] == ["First published."]


def test_done_when_an_editor_adds_a_round_opening_tomorrow(editor, publisher, client, frozen):
    """The issue's 'done when': upcoming for the editor, then open with the banner once the clock moves."""
    frozen(NOW)
    fund = make_fund(name="Mutuals Interim Support Fund", slug="mutuals-interim-support-fund")
    editor_client = _client(editor)
    url = reverse("admin:support_fund_change", args=[fund.pk])
    data = admin_form_data(editor_client.get(url))
    data.update({"change_type": "minor", "rounds-TOTAL_FORMS": "1", "rounds-0-number": "1"})
    data.update({"rounds-0-opens_at_0": "02/06/2026", "rounds-0-opens_at_1": "09:00"})
    data.update({"rounds-0-closes_at_0": "30/06/2026", "rounds-0-closes_at_1": "17:00"})
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    # The fund is live, so the editor's save is a draft revision until a publisher approves it.
    assert not FundRound.objects.filter(fund=fund).exists()
    review = reverse("admin:support_fund_review", args=[fund.pk])
    editor_client.post(review, {"message": "Round 1 announced."})
    response = _client(publisher).post(review, {"decision": "approve", "change_type": "minor"})
    assert response.status_code == 302
    fund_round = FundRound.objects.get(fund=fund)

    # The editor sees it as upcoming, in the round list and on the fund's own admin page.
    rounds = editor_client.get(reverse("admin:support_fundround_changelist")).text
    assert "<strong>Upcoming</strong>" in rounds and "9am on 2 June 2026" in rounds
    assert "<strong>Upcoming</strong>" in editor_client.get(url).text
    assert "Round 1" not in client.get(fund.get_absolute_url()).text  # still a draft

    # A publisher publishes it; the public sees it as upcoming, with no banner yet.
    publisher_client = _client(publisher)
    response = publisher_client.post(
        reverse("admin:support_fundround_changelist"),
        {"action": "publish_selected", "_selected_action": [fund_round.pk]},
    )
    assert response.status_code == 302
    index = client.get(reverse("support:index")).text
    assert (
        index.index('id="upcoming"')
        < index.index("Mutuals Interim Support Fund: round 1")
        < index.index('id="programmes"')
    )
    assert "Opens <time" in index and "9am on 2 June 2026" in index
    assert "govuk-notification-banner" not in client.get(reverse("home")).text

    # The clock reaches the opening: open, on the list and in the banner.
    frozen(uk(2026, 6, 2, 9))
    index = client.get(reverse("support:index")).text
    assert (
        index.index('id="open-now"')
        < index.index("Mutuals Interim Support Fund: round 1")
        < index.index('id="upcoming"')
    )
    home = client.get(reverse("home")).text
    assert "Round 1 of the Mutuals Interim Support Fund is open until" in home
    assert "5pm on Tuesday 30 June 2026" in home
    assert "<strong>Open</strong>" in editor_client.get(reverse("admin:support_fundround_changelist")).text

    # And at the deadline it closes and the banner goes.
    frozen(uk(2026, 6, 30, 17))
    assert "govuk-notification-banner" not in client.get(reverse("home")).text
    assert Fund.objects.get(pk=fund.pk).availability == "closed"
