"""Open data that cannot attack a spreadsheet: /mutuals.csv and the admin's exports."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from psm_site.spreadsheets import safe_cell
from tests.factories import make_mutual
from tests.helpers import body

pytestmark = pytest.mark.django_db
DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("start", DANGEROUS)
def test_each_formula_start_is_written_as_text(start):
    assert safe_cell(start + 'HYPERLINK("http://x")') == "'" + start + 'HYPERLINK("http://x")'


@pytest.mark.parametrize("value", ["Leeds", "", "'quoted", " =spaced", "1+1", None, 3, -1.5, "-1.54920", "+44", "2020"])
def test_safe_values_are_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("start", DANGEROUS)
def test_mutuals_csv_neutralises_cells_and_json_keeps_the_true_value(client, start):
    name = start + "1+1"
    make_mutual(name=name, town="=cmd|' /C calc'!A0", parent_body="@SUM(A1)")
    rows = list(csv.DictReader(io.StringIO(body(client.get(reverse("mutuals:mutuals-csv"))).decode())))
    assert rows[0]["name"] == "'" + name
    assert rows[0]["town"] == "'=cmd|' /C calc'!A0" and rows[0]["parent_body"] == "'@SUM(A1)"
    assert rows[0]["longitude"] == "-1.54920"  # a number stays a number
    data = client.get(reverse("mutuals:mutuals-json")).json()["mutuals"][0]
    assert data["name"] == name and data["town"] == "=cmd|' /C calc'!A0"
    feature = client.get(reverse("mutuals:mutuals-geojson")).json()["features"][0]
    assert feature["properties"]["name"] == name


PEOPLES_TEXT = ["name", "slug", "summary", "town", "postcode", "website", "email", "parent_body", "ownership"]
PEOPLES_TEXT += ["companies_house_number", "mutuals_register_number", "charity_number", "source_url"]


@pytest.mark.parametrize("column", [*PEOPLES_TEXT, "sectors", "region"])
def test_every_column_people_write_is_neutralised_on_its_own(client, column):
    """The CSV searches only the columns people write for formula starts: none may be missed."""
    from mutuals.models import Region, Sector

    formula = "-2+3"  # Excel reads it as 1
    if column == "sectors":
        Sector.objects.filter(slug="health").update(name=formula)
        make_mutual(sectors=["health"])
    elif column == "region":
        Region.objects.filter(slug="london").update(name=formula)
        make_mutual(region="london")
    else:
        make_mutual(**{column: formula})
    rows = list(csv.DictReader(io.StringIO(body(client.get(reverse("mutuals:mutuals-csv"))).decode())))
    assert rows[0][column] == "'" + formula
    assert [name for name, value in rows[0].items() if value.startswith("'")] == [column]


def _export(client, file_format):
    from mutuals.admin import MutualAdmin

    index = [f.__name__ for f in MutualAdmin.export_formats].index(file_format)
    return client.post(
        reverse("admin:mutuals_mutual_export"),
        {"format": str(index), "resource": "0", **{f"mutualresource_{f}": "on" for f in ["name", "town"]}},
    )


def test_admin_csv_export_neutralises_cells(client, django_user_model):
    make_mutual(name='=HYPERLINK("http://evil.example")', town="+cmd")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "a-long-password-1"))
    response = _export(client, "SafeCSV")
    assert response.status_code == 200, response.content[:500]
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text


def test_admin_excel_export_keeps_the_value_as_text(client, django_user_model):
    make_mutual(name="=1+1", town="Leeds")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "a-long-password-1"))
    response = _export(client, "SafeXLSX")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row}
    assert cells["=1+1"] == "s"  # text, not a formula
