"""Spreadsheet import: the real file, each kind of bad row, all-or-nothing, re-import, the admin."""

import csv
import io
from pathlib import Path

import pytest
import tablib
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from mutuals.models import Mutual
from mutuals.resources import import_mutuals, load_dataset, row_errors
from tests.factories import make_mutual

pytestmark = pytest.mark.django_db

REAL_FILE = Path(settings.BASE_DIR).parent / "shared" / "data" / "mutuals.csv"
HEADER = "name,sectors,region,town,latitude,longitude,spun_out_year,parent_body,legal_form,ownership,website,status,summary,source_url"
GOOD = "Good Mutual,Health;Libraries,London,Camden,51.5290,-0.1255,2012,Camden Council,Community interest company,Staff-owned,https://good.example,live,Runs services.,https://source.example"


def dataset(*rows):
    return tablib.Dataset().load("\n".join([HEADER, *rows]), format="csv")


def test_the_real_registry_file_imports_cleanly():
    if not REAL_FILE.exists():
        pytest.skip("shared/data/mutuals.csv is not beside this checkout")
    result, imported = import_mutuals(dataset=load_dataset(REAL_FILE))
    assert imported, row_errors(result)
    assert Mutual.objects.count() == 37
    assert Mutual.objects.drafts().count() == 37  # imported rows wait for a publisher
    assert Mutual.objects.get(name="CSH Surrey (Central Surrey Health)").spun_out_year == 2006


def test_good_row_imports_with_sectors_region_and_legal_form():
    result, imported = import_mutuals(dataset=dataset(GOOD), publish_rows=True)
    assert imported
    mutual = Mutual.objects.get()
    assert mutual.slug == "good-mutual" and mutual.is_published
    assert mutual.sector_names() == ["Health", "Libraries"]
    assert mutual.region.name == "London" and mutual.get_legal_form_display() == "Community interest company"


def test_reimporting_the_same_file_updates_rather_than_duplicates():
    import_mutuals(dataset=dataset(GOOD))
    result, imported = import_mutuals(dataset=dataset(GOOD.replace("Runs services.", "Runs more services.")))
    assert imported and Mutual.objects.count() == 1
    assert Mutual.objects.get().summary == "Runs more services."
    assert result.totals["update"] == 1


def bad(column, value):
    """GOOD with one column changed (and its own name, so only that column is wrong)."""
    row = dict(zip(HEADER.split(","), next(csv.reader([GOOD])), strict=True))
    row.update({column: value, "name": f"Bad {column}"})
    out = io.StringIO()
    csv.writer(out).writerow(row.values())
    return out.getvalue().strip()


@pytest.mark.parametrize(
    "row, message",
    [
        (bad("sectors", "Space travel"), "Unknown sector ‘Space travel’"),
        (bad("region", "Wales"), "Unknown region ‘Wales’"),
        (bad("latitude", "48.1"), "This latitude is outside England"),
        (bad("longitude", "5.2"), "This longitude is outside England"),
        (bad("latitude", "north"), "is not a number of degrees"),
        (bad("spun_out_year", "1850"), "Enter a year from 1990"),
        (bad("spun_out_year", "twenty"), "is not a year"),
        (bad("website", "not a url"), "Enter a full web address starting https://"),
        (bad("legal_form", "Partnership"), "Unknown legal form"),
        (bad("status", "asleep"), "Unknown status ‘asleep’. Use one of: Live, Closed, No longer a mutual."),
        (GOOD, "is already on row"),  # the same name twice in one file
    ],
)
def test_each_kind_of_bad_row_is_reported_and_nothing_is_imported(row, message):
    result, imported = import_mutuals(dataset=dataset(GOOD, row))
    assert not imported
    assert any(message in line for line in row_errors(result)), row_errors(result)
    assert not Mutual.objects.exists()  # all or nothing: the good row is not imported either


def test_bad_postcode_is_reported():
    header = HEADER + ",postcode"
    data = tablib.Dataset().load(f"{header}\n{GOOD},NOT A POSTCODE", format="csv")
    result, imported = import_mutuals(dataset=data)
    assert not imported and any("Enter a real UK postcode" in line for line in row_errors(result))


def test_a_slug_taken_by_another_mutual_is_reported():
    make_mutual(name="Something else", slug="good-mutual")
    result, imported = import_mutuals(dataset=dataset(GOOD))
    assert not imported and any("already has the web address" in line for line in row_errors(result))


def test_management_command_all_or_nothing(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER, GOOD]), encoding="utf-8")
    call_command("import_mutuals", str(good), "--publish", stdout=io.StringIO())
    assert Mutual.objects.published().count() == 1
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "\n".join([HEADER, GOOD.replace("Good Mutual", "Another"), bad("region", "Mars")]), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="Unknown region"):
        call_command("import_mutuals", str(broken), stdout=io.StringIO())
    assert Mutual.objects.count() == 1


def test_xlsx_files_import(tmp_path):
    path = tmp_path / "mutuals.xlsx"
    path.write_bytes(dataset(GOOD).export("xlsx"))
    result, imported = import_mutuals(dataset=load_dataset(path))
    assert imported and Mutual.objects.count() == 1


def test_admin_import_previews_errors_and_imports_nothing(editor_client):
    url = reverse("admin:mutuals_mutual_import")
    upload = SimpleUploadedFile("mutuals.csv", "\n".join([HEADER, GOOD, bad("sectors", "Space")]).encode(), "text/csv")
    response = editor_client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
    assert response.status_code == 200
    assert "Unknown sector" in response.text
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Mutual.objects.exists()


def test_admin_import_preview_then_confirm(editor_client):
    url = reverse("admin:mutuals_mutual_import")
    upload = SimpleUploadedFile("mutuals.csv", "\n".join([HEADER, GOOD]).encode(), "text/csv")
    preview = editor_client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
    assert preview.status_code == 200 and "Good Mutual" in preview.text
    confirm = preview.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    response = editor_client.post(reverse("admin:mutuals_mutual_process_import"), data)
    assert response.status_code == 302
    assert Mutual.objects.drafts().count() == 1  # an editor's import arrives as drafts
