"""Bad input gives an error beside the field, never a 500: on the model and through the admin."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from support.forms import UKDateTimeField
from support.models import Fund, FundRound, Programme
from tests.helpers import admin_form_data
from tests.support.factories import make_fund, make_programme, make_round, uk

pytestmark = pytest.mark.django_db


def _errors(instance):
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


# --- Rounds on the model ------------------------------------------------------------------------


@pytest.mark.parametrize("closes_at", [uk(2026, 6, 1, 9), uk(2026, 5, 31, 17)])
def test_closing_must_be_after_opening(closes_at):
    fund_round = FundRound(fund=make_fund(), number=1, opens_at=uk(2026, 6, 1, 9), closes_at=closes_at)
    assert _errors(fund_round) == {"closes_at": ["The closing date and time must be after the opening."]}


def test_the_database_refuses_it_too():
    fund = make_fund()
    with pytest.raises(IntegrityError), transaction.atomic():
        FundRound.objects.create(fund=fund, number=1, opens_at=uk(2026, 6, 2), closes_at=uk(2026, 6, 1))


def test_round_numbers_are_unique_per_fund():
    fund = make_fund()
    make_round(fund, number=3, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17))
    again = FundRound(fund=fund, number=3, opens_at=uk(2026, 3, 1), closes_at=uk(2026, 4, 1, 17))
    assert _errors(again) == {"number": ["This fund already has a round with this number."]}
    other_fund = FundRound(fund=make_fund(), number=3, opens_at=uk(2026, 3, 1), closes_at=uk(2026, 4, 1, 17))
    other_fund.full_clean()


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "field"),
    [
        (uk(2026, 1, 15), uk(2026, 3, 1, 17), "opens_at"),  # starts inside round 1
        (uk(2025, 12, 1), uk(2026, 1, 15, 17), "opens_at"),  # ends inside round 1
        (uk(2025, 12, 1), uk(2026, 3, 1, 17), "opens_at"),  # contains round 1
        (None, uk(2026, 1, 20, 17), "closes_at"),  # a deadline inside round 1
        (None, uk(2026, 2, 1, 17), "closes_at"),  # the same deadline
    ],
)
def test_rounds_of_one_fund_cannot_overlap(opens_at, closes_at, field, frozen):
    frozen(uk(2026, 6, 1))
    fund = make_fund()
    make_round(fund, number=1, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17))
    errors = _errors(FundRound(fund=fund, number=2, opens_at=opens_at, closes_at=closes_at))
    assert list(errors) == [field]
    assert errors[field][0].startswith(
        "These dates overlap round 1, open from 1 January 2026 until 5pm on Sunday 1 February 2026."
    )


def test_back_to_back_rounds_do_not_overlap():
    fund = make_fund()
    make_round(fund, number=1, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17))
    FundRound(fund=fund, number=2, opens_at=uk(2026, 2, 1, 17), closes_at=uk(2026, 3, 1, 17)).full_clean()


def test_a_round_still_to_close_needs_its_opening(frozen):
    frozen(uk(2026, 6, 1))
    fund_round = FundRound(fund=make_fund(), number=1, opens_at=None, closes_at=uk(2026, 7, 1, 17))
    assert list(_errors(fund_round)) == ["opens_at"]
    FundRound(fund=make_fund(), number=1, opens_at=None, closes_at=uk(2026, 5, 1, 17)).full_clean()


def test_a_fund_closed_for_good_takes_no_future_round(frozen):
    frozen(uk(2026, 6, 1))
    fund = make_fund(closed_for_good=True, closed_reason="No further rounds.")
    fund_round = FundRound(fund=fund, number=1, opens_at=uk(2026, 7, 1), closes_at=uk(2026, 8, 1, 17))
    assert list(_errors(fund_round)) == ["closes_at"]


# --- Money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_grant", -1, "Enter an amount of £0 or more."),
        ("max_grant", 10**12, "Enter an amount up to £10,000,000. Check for extra zeros."),
        ("total_pot", 10**15, "Enter an amount up to £1,000,000,000. Check for extra zeros."),
    ],
)
def test_negative_or_absurd_amounts_on_the_model(field, value, message):
    fund = Fund(name="A fund", slug="a-fund", summary="Grants.", **{field: value})
    assert message in _errors(fund)[field]


def test_smallest_grant_cannot_exceed_largest():
    fund = Fund(name="A fund", slug="a-fund", summary="Grants.", min_grant=30_000, max_grant=25_000)
    assert _errors(fund) == {"min_grant": ["The smallest grant cannot be more than the largest grant."]}


def test_round_budget_cannot_be_negative():
    fund_round = FundRound(fund=make_fund(), number=1, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1), budget=-5)
    assert _errors(fund_round) == {"budget": ["Enter an amount of £0 or more."]}


# --- Programmes ----------------------------------------------------------------------------------


def test_programme_date_and_text_are_one_or_the_other():
    programme = Programme(
        name="P", slug="p", summary="S", launched_on=uk(2018, 1, 1).date(), launched_text="January 2018"
    )
    assert list(_errors(programme)) == ["launched_text"]


def test_programme_cannot_close_before_it_opens():
    programme = Programme(
        name="P", slug="p", summary="S", opens_on=uk(2018, 2, 1).date(), closes_on=uk(2018, 1, 1).date()
    )
    assert _errors(programme) == {"closes_on": ["The last day for applications cannot be before the first."]}


def test_closed_reason_needs_the_closed_tick():
    programme = Programme(name="P", slug="p", summary="S", closed_reason="Closed for applications.")
    assert list(_errors(programme)) == ["closed_for_good"]


# --- UK time entry -------------------------------------------------------------------------------


@pytest.mark.parametrize("time_zone", ["Europe/London", "UTC"])
def test_times_are_entered_in_uk_time_whatever_the_setting(settings, time_zone):
    settings.TIME_ZONE = time_zone
    field = UKDateTimeField(default_time=time(17))
    assert field.clean(["29/03/2026", "17:00"]).isoformat() == "2026-03-29T17:00:00+01:00"
    assert field.clean(["25/10/2026", ""]).isoformat() == "2026-10-25T17:00:00+00:00"  # empty time: 5pm


@pytest.mark.parametrize(
    ("day", "clock", "words"),
    [("29/03/2026", "01:30", "does not exist"), ("25/10/2026", "01:30", "happens twice")],
)
def test_times_lost_or_repeated_by_the_clock_change_are_refused(day, clock, words):
    with pytest.raises(ValidationError) as caught:
        UKDateTimeField().clean([day, clock])
    assert words in caught.value.messages[0]


def test_a_time_without_a_date_is_refused():
    with pytest.raises(ValidationError) as caught:
        UKDateTimeField(required=False).clean(["", "09:00"])
    assert caught.value.messages == ["Enter the date as well as the time."]


# --- Through the admin, as an editor -------------------------------------------------------------


def _fund_form(editor_client, fund=None):
    url = reverse("admin:support_fund_change", args=[fund.pk]) if fund else reverse("admin:support_fund_add")
    return url, admin_form_data(editor_client.get(url))


def _add_round(data, index, *, number, opens=("", ""), closes=("", "")):
    data["rounds-TOTAL_FORMS"] = str(index + 1)
    data[f"rounds-{index}-number"] = str(number)
    data[f"rounds-{index}-opens_at_0"], data[f"rounds-{index}-opens_at_1"] = opens
    data[f"rounds-{index}-closes_at_0"], data[f"rounds-{index}-closes_at_1"] = closes


def _new_fund_data(editor_client, **fields):
    url, data = _fund_form(editor_client)
    data.update({"name": "Test fund", "slug": "test-fund", "summary": "Grants for testing.", **fields})
    return url, data


def test_admin_adds_a_fund_with_a_round_in_uk_time(editor_client, frozen):
    frozen(uk(2026, 6, 1, 12))
    url, data = _new_fund_data(editor_client, max_grant="£25,000")
    _add_round(data, 0, number=1, opens=("02/06/2026", ""), closes=("30/06/2026", ""))
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    fund = Fund.objects.get(slug="test-fund")
    assert fund.max_grant == 25_000 and not fund.is_published
    fund_round = fund.rounds.get()
    assert fund_round.opens_at.isoformat() == "2026-06-01T23:00:00+00:00"  # midnight UK (BST)
    assert fund_round.closes_at.isoformat() == "2026-06-30T23:00:00+00:00"  # no time: the end of the UK day
    assert not fund_round.closing_time_recorded
    assert not fund_round.is_published


@pytest.mark.parametrize(
    ("rounds", "field", "message"),
    [
        (
            [dict(number=1, opens=("02/06/2026", "09:00"), closes=("01/06/2026", "17:00"))],
            "closes_at",
            "The closing date and time must be after the opening.",
        ),
        (
            [
                dict(number=1, opens=("02/06/2026", "09:00"), closes=("30/06/2026", "17:00")),
                dict(number=2, opens=("15/06/2026", "09:00"), closes=("30/07/2026", "17:00")),
            ],
            "opens_at",
            "These dates overlap round 1",
        ),
        (
            [
                dict(number=1, opens=("02/06/2026", "09:00"), closes=("30/06/2026", "17:00")),
                dict(number=1, opens=("01/07/2026", "09:00"), closes=("30/07/2026", "17:00")),
            ],
            None,
            "Please correct the duplicate data for number",
        ),
    ],
)
def test_admin_shows_round_errors_beside_the_field(editor_client, frozen, rounds, field, message):
    frozen(uk(2026, 6, 1, 12))
    url, data = _new_fund_data(editor_client)
    for index, fields in enumerate(rounds):
        _add_round(data, index, **fields)
    response = editor_client.post(url, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    if field:
        assert any(message in " ".join(form.errors.get(field, [])) for form in formset.forms)
    else:
        assert message in " ".join(formset.non_form_errors())
    assert not Fund.objects.exists()


def test_admin_refuses_a_round_number_already_used(editor_client, frozen):
    frozen(uk(2026, 6, 1, 12))
    fund = make_fund(published=False)
    make_round(fund, number=1, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17), published=False)
    response = editor_client.get(reverse("admin:support_fundround_add"))
    data = admin_form_data(response)
    data.update(
        {
            "fund": str(fund.pk),
            "number": "1",
            "opens_at_0": "01/07/2026",
            "closes_at_0": "01/08/2026",
            "closes_at_1": "17:00",
        }
    )
    response = editor_client.post(reverse("admin:support_fundround_add"), data)
    assert response.context["adminform"].form.errors == {"number": ["This fund already has a round with this number."]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-100", "Enter an amount of £0 or more."),
        ("25000000000", "Enter an amount up to £10,000,000. Check for extra zeros."),
        ("99999999999999999999999", "Enter an amount up to £10,000,000. Check for extra zeros."),
        ("lots", "Enter the amount in whole pounds, for example 25000 or £25,000."),
    ],
)
def test_admin_refuses_negative_or_absurd_grants(editor_client, value, message):
    url, data = _new_fund_data(editor_client, max_grant=value)
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"max_grant": [message]}


def test_admin_moving_two_rounds_at_once_is_judged_on_the_result(editor_client, frozen):
    frozen(uk(2026, 6, 1, 12))
    fund = make_fund(published=False)
    first = make_round(fund, number=1, opens_at=uk(2026, 7, 1), closes_at=uk(2026, 7, 31, 17), published=False)
    second = make_round(fund, number=2, opens_at=uk(2026, 8, 1), closes_at=uk(2026, 8, 31, 17), published=False)
    url, data = _fund_form(editor_client, fund)
    # Swap the two rounds' dates in one save: each overlaps the other's saved dates, not the result.
    data.update({"rounds-0-opens_at_0": "01/08/2026", "rounds-0-closes_at_0": "31/08/2026"})
    data.update({"rounds-1-opens_at_0": "01/07/2026", "rounds-1-closes_at_0": "31/07/2026"})
    response = editor_client.post(url, data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.opens_at == uk(2026, 8, 1) and second.opens_at == uk(2026, 7, 1)


def test_unknown_slugs_and_rounds_are_404(client):
    fund = make_fund()
    make_round(fund, number=1, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17))
    make_round(fund, number=2, opens_at=uk(2026, 3, 1), closes_at=uk(2026, 4, 1, 17), published=False)
    draft_fund = make_fund(published=False)
    make_round(draft_fund, opens_at=uk(2026, 1, 1), closes_at=uk(2026, 2, 1, 17))
    draft_programme = make_programme(published=False)
    for url in [
        reverse("support:fund-detail", kwargs={"slug": "no-such-fund"}),
        reverse("support:programme-detail", kwargs={"slug": "no-such-programme"}),
        reverse("support:fund-detail", kwargs={"slug": draft_fund.slug}),
        reverse("support:programme-detail", kwargs={"slug": draft_programme.slug}),
        reverse("support:round-calendar", kwargs={"slug": fund.slug, "key": "9"}),
        reverse("support:round-calendar", kwargs={"slug": fund.slug, "key": "2"}),  # a draft round
        reverse("support:round-calendar", kwargs={"slug": draft_fund.slug, "key": "1"}),
        reverse("support:round-calendar", kwargs={"slug": fund.slug, "key": str(10**30)}),
        reverse("support:round-calendar", kwargs={"slug": fund.slug, "key": "closing-2026-02-01"}),  # it has a number
        reverse("support:round-calendar", kwargs={"slug": fund.slug, "key": "closing-not-a-day"}),
        reverse("support:round-calendar", kwargs={"slug": "no-such-fund", "key": "1"}),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.get("/support/funds/a b/").status_code == 404
    assert client.get("/support/funds/x/rounds/-1.ics").status_code == 404
