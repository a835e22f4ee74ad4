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
    from mutuals.admin.organisations import MutualAdmin

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


# A spreadsheet may split a line on ';' or a tab rather than ','. Text cells are quoted, and a
# formula start after a separator or line break inside a cell is neutralised too.
HOSTILE = {
    "name": "Leeds;=1+1",
    "town": "Hull\t+SUM(1)",
    "parent_body": "Council,@A1; then -2+3",
    "summary": "Line one\n=2+2\r\n-3",
    "ownership": "staff; =HYPERLINK(1)",
}


@pytest.mark.parametrize(
    "inside, written",
    [("Leeds;=1+1", "Leeds;'=1+1"), ("a\t@b", "a\t'@b"), ("x,  -2", "x,  '-2"), ("a\n+b", "a\n'+b"), ("a; b", "a; b")],
)
def test_a_formula_start_after_a_separator_inside_a_cell_is_written_as_text(inside, written):
    assert safe_cell(inside) == written


def _cells_starting_a_formula(text, delimiter):
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for cell in row
        if cell.startswith(("=", "+", "-", "@"))
    ]


def _csv_files(client, django_user_model):
    from mutuals.models import Sector

    make_mutual(**HOSTILE)
    Sector.objects.filter(slug="health").update(name="Health;=1+1")
    files = {
        "mutuals.csv": body(client.get(reverse("mutuals:mutuals-csv"))).decode(),
        "mutuals.csv?status=all": body(client.get(reverse("mutuals:mutuals-csv") + "?status=all")).decode(),
        "coverage.csv": body(client.get(reverse("mutuals:coverage-csv"))).decode(),
    }
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "a-long-password-1"))
    response = _export(client, "SafeCSV")
    files["admin export"] = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    return files


def test_no_separator_a_spreadsheet_may_choose_starts_a_cell_with_a_formula(client, django_user_model):
    for name, text in _csv_files(client, django_user_model).items():
        assert "Leeds;'=1+1" in text or "Health;'=1+1" in text, name
        for delimiter in [";", "\t"]:
            assert not _cells_starting_a_formula(text, delimiter), (name, delimiter)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        numbers = {"latitude", "longitude"} & set(rows[0])
        for row in rows[1:]:
            for heading, cell in zip(rows[0], row, strict=True):
                if heading not in numbers:
                    assert not cell.startswith(("=", "+", "-", "@")), (name, heading, cell)


def test_every_text_cell_is_quoted(client, django_user_model):
    for name, text in _csv_files(client, django_user_model).items():
        for line in text.splitlines()[:1]:
            assert line.startswith('"') and line.endswith('"'), (name, line)
