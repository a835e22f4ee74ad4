"""GOV.UK history mode: pages published under a government that has left office say so."""

from datetime import date, datetime

import pytest
from django.urls import reverse

from psm_site.models import Government
from support.status import UK
from tests.factories import make_guide, make_mutual, make_publication

pytestmark = pytest.mark.django_db

BANNER = "This was published under the 2015 to 2017 Conservative government"


@pytest.fixture
def government():
    return Government.objects.create(
        name="2015 to 2017 Conservative government", started_on=date(2015, 5, 8), ended_on=date(2017, 6, 9)
    )


@pytest.fixture
def explainer(government):
    guide = make_guide(title="Introduction", government=government)
    guide.sections.create(position=0, heading="What is a public service mutual?", block="registry_count")
    return guide


@pytest.mark.parametrize(
    ("today", "shown"),
    [
        ((2017, 6, 8, 23, 59, 59), False),  # the last moment it is in office (UK time)
        ((2017, 6, 9, 0, 0, 0), True),  # the day it left office
        ((2026, 11, 26, 12), True),
    ],
)
def test_banner_on_and_off_around_the_end_date(client, time_machine, explainer, today, shown):
    make_mutual()
    time_machine.move_to(datetime(*today, tzinfo=UK), tick=False)
    html = client.get(explainer.get_absolute_url()).text
    assert (BANNER in html) == shown
    assert ("Our registry lists 1 live public service mutual today." in html) == shown  # today's figure
    assert ("There is now one public service mutual across England in our registry" in html) == (not shown)


def test_a_government_still_in_office_shows_no_banner(client):
    government = Government.objects.create(name="Current government", started_on=date(2024, 7, 5))
    assert government.in_office
    for guide in [make_guide(title="Under this government", government=government), make_guide(title="No government")]:
        response = client.get(guide.get_absolute_url())
        assert response.status_code == 200 and guide.title in response.text  # the page itself, not an error page
        assert "This was published under" not in response.text
        assert "govuk-notification-banner" not in response.text


def test_left_office_with_no_recorded_date(client):
    government = Government.objects.create(name="2015 to 2017 Conservative government", left_office=True)
    assert not government.in_office
    publication = make_publication(government=government)
    assert BANNER in client.get(publication.get_absolute_url()).text


def test_governments_are_edited_in_the_admin(publisher_client):
    url = reverse("admin:psm_site_government_add")
    response = publisher_client.post(
        url, {"name": "Test government", "started_on": "08/05/2015", "ended_on": "07/05/2015"}
    )
    assert response.status_code == 200 and "cannot leave office before it took office" in response.text
    response = publisher_client.post(url, {"name": "Test government", "started_on": "08/05/2015", "ended_on": ""})
    assert response.status_code == 302
    assert "In office today" in publisher_client.get(reverse("admin:psm_site_government_changelist")).text
