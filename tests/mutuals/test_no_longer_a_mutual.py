"""'No longer a mutual': beside live and closed, with its reason and date, counted apart everywhere."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mutuals.models import Mutual
from tests.factories import make_mutual

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    return {
        "live": make_mutual(name="Live One", region="yorkshire-and-the-humber"),  # Leeds, by default
        "closed": make_mutual(name="Closed One", trading_status=Mutual.Trading.CLOSED),
        "former": make_mutual(
            name="Behavioural Insights Team",
            trading_status=Mutual.Trading.NO_LONGER_MUTUAL,
            status_reason="Wholly owned by Nesta since December 2021.",
            status_changed_on=date(2021, 12, 1),
            status_changed_month_only=True,
            ownership="Company with employee benefit trust (27.5% stake)",
            source_url="https://dcmsblog.uk/2019/10/example/",
        ),
    }


def test_queryset_methods_cover_each_status_once(registry):
    published = Mutual.objects.published()
    assert [m.name for m in published.live()] == ["Live One"]
    assert [m.name for m in published.closed()] == ["Closed One"]
    assert [m.name for m in published.no_longer_mutual()] == ["Behavioural Insights Team"]


def test_the_mutuals_page_gives_the_reason_and_date(client, registry):
    html = " ".join(client.get(registry["former"].get_absolute_url()).text.split())
    assert "No longer a mutual" in html
    assert 'since <time datetime="2021-12">December 2021</time>' in html  # month precision, no invented day
    assert "Wholly owned by Nesta since December 2021." in html
    # its old ownership is history, with its date and source, and the caption follows the status
    assert (
        'Company with employee benefit trust (27.5% stake), until <time datetime="2021-12">December 2021</time>' in html
    )
    assert '<span class="govuk-caption-l">Former public service mutual</span>' in html
    assert "https://dcmsblog.uk/2019/10/example/" in html and "date of checking not recorded" in html
    assert "Not yet verified" not in html
    closed = " ".join(client.get(registry["closed"].get_absolute_url()).text.split())
    assert "Closed (date not recorded)" in closed


def test_the_list_shows_it_only_when_asked(client, registry):
    assert "Behavioural Insights Team" not in client.get(reverse("mutuals:mutual-list")).text
    html = client.get(reverse("mutuals:mutual-list") + "?status=no_longer_mutual").text
    assert "Behavioural Insights Team" in html and "Live One" not in html
    assert '<strong class="govuk-tag govuk-tag--grey">No longer a mutual</strong>' in html


def test_statistics_count_it_separately(client, registry):
    response = client.get(reverse("mutuals:statistics"))
    html = " ".join(response.text.split())
    assert '<h1 class="govuk-heading-xl">Public service mutuals in our registry</h1>' in html
    assert response.context["live_total"] == 1
    assert {row["value"]: row["count"] for row in response.context["by_status"]} == {
        "live": 1,
        "closed": 1,
        "no_longer_mutual": 1,
    }


def test_open_data_counts_it_separately(client, registry):
    data = client.get(reverse("mutuals:mutuals-json") + "?status=all").json()
    assert data["count_by_status"] == {"live": 1, "closed": 1, "no_longer_mutual": 1}
    assert {row["name"]: row["status"] for row in data["mutuals"]}["Behavioural Insights Team"] == "no_longer_mutual"
    assert data["publisher"] == "Department for Culture, Media and Sport"
    live_only = client.get(reverse("mutuals:mutuals-json")).json()
    assert live_only["count_by_status"] == {"live": 1, "closed": 0, "no_longer_mutual": 0}


def test_a_live_mutual_has_no_reason_for_leaving(registry):
    mutual = registry["live"]
    mutual.status_reason = "Something."
    with pytest.raises(ValidationError, match="A live mutual has no reason"):
        mutual.full_clean()
