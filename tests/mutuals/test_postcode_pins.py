"""A postcode beside a pin: the pin from the postcode when there are no coordinates (admin and
import), an error naming both when they disagree, check_pins reporting it, and each mutual's
local authority following its postcode or pin."""

import io
from decimal import Decimal

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from mutuals.geography import pin_problem
from mutuals.models import Mutual
from mutuals.resources import import_mutuals, row_errors
from tests.factories import make_mutual
from tests.helpers import admin_form_data

pytestmark = pytest.mark.usefixtures("postcodes")
HEADER = "name,sectors,region,town,postcode,latitude,longitude,summary"


def test_an_import_row_with_a_postcode_and_no_coordinates_gets_a_pin_inside_its_region():
    data = tablib.Dataset().load(
        f"{HEADER}\nLeeds Mutual,Health,Yorkshire and The Humber,Leeds,LS1 4DY,,,Runs services.", format="csv"
    )
    result, imported = import_mutuals(dataset=data)
    assert imported, row_errors(result)
    mutual = Mutual.objects.get()
    assert (mutual.latitude, mutual.longitude) == (Decimal("53.79513"), Decimal("-1.54666"))
    assert pin_problem(mutual.region.ons_code, mutual.region.name, mutual.latitude, mutual.longitude) is None
    assert mutual.local_authority.name == "Leeds"


@pytest.mark.parametrize(
    ("postcode", "latitude", "longitude", "message"),
    [
        ("SW1A 2AA", "53.79970", "-1.54920", "The postcode SW1A 2AA (51.5035, -0.1277) is in London but the pin"),
        ("LS1 4DY", "53.90000", "-1.54920", "The postcode LS1 4DY (53.7951, -1.5467) is 11.6 km from the pin"),
    ],
)
def test_a_postcode_and_pin_that_disagree_is_an_error_naming_both(postcode, latitude, longitude, message):
    mutual = make_mutual(region="yorkshire-and-the-humber")
    mutual.postcode, mutual.latitude, mutual.longitude = postcode, Decimal(latitude), Decimal(longitude)
    with pytest.raises(ValidationError) as raised:
        mutual.full_clean()
    assert message in str(raised.value.message_dict["postcode"])
    mutual.save()
    out = io.StringIO()
    call_command("check_pins", stdout=out)
    assert message in out.getvalue()


def test_the_admin_places_the_pin_at_the_postcode_and_says_so(editor_client):
    # A draft, which the save changes directly (a published mutual's edit becomes a revision to approve).
    mutual = make_mutual(region="yorkshire-and-the-humber", published=False)
    url = reverse("admin:mutuals_mutual_change", args=[mutual.pk])
    page = editor_client.get(url)
    assert "Leeds" in page.text  # the read-only local authority
    data = admin_form_data(page)
    data.pop("latitude")
    data.pop("longitude")
    data.update({"postcode": "ls1 4dy", "change_type": "minor"})
    response = editor_client.post(url, data, follow=True)
    errors = response.context["adminform"].form.errors if response.context and "adminform" in response.context else None
    assert "The pin was placed at the centre of LS1 4DY" in response.text, errors
    mutual.refresh_from_db()
    assert mutual.latitude == Decimal("53.79513") and mutual.local_authority_id == "E08000035"


def test_the_local_authority_follows_the_postcode_then_the_pin():
    mutual = make_mutual(region="london", latitude=Decimal("51.50350"), longitude=Decimal("-0.12770"))
    assert mutual.local_authority.name == "Westminster"
    mutual.latitude, mutual.longitude = Decimal("53.79970"), Decimal("-1.54920")
    mutual.save()
    assert Mutual.objects.get(pk=mutual.pk).local_authority.name == "Leeds"
    mutual.postcode = "SW1A 2AA"
    mutual.save()
    assert Mutual.objects.get(pk=mutual.pk).local_authority_id == "E09000033"


def test_a_local_authority_page_lists_its_mutuals_or_the_nearest(client):
    make_mutual(name="Leeds Care", region="yorkshire-and-the-humber")
    page = client.get(reverse("mutuals:local-authority-detail", args=["leeds"]))
    assert "1 live public service mutual based in Leeds" in page.text
    page = client.get(reverse("mutuals:local-authority-detail", args=["westminster"]))
    assert "no live public service mutual based in Westminster" in page.text
    assert "Leeds Care" in page.text and "miles away" in page.text
    assert client.get(reverse("mutuals:local-authority-detail", args=["no-such-place"])).status_code == 404
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/mutuals/local-authorities/leeds/" in sitemap and "westminster" not in sitemap
    assert "Leeds Care" in client.get(reverse("mutuals:mutual-list"), {"local_authority": "leeds"}).text
