"""The import as an editor meets it: files as Excel saves them, plain problems, edits respected."""

import csv
import io
import re

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from mutuals.models import ImportedChange, Mutual
from mutuals.resources import apply_imported_change, import_mutuals, row_errors
from mutuals.spreadsheets import SpreadsheetError, read_spreadsheet
from tests.mutuals.test_import import GOOD, HEADER

pytestmark = pytest.mark.django_db

CAFE = GOOD.replace("Runs services.", "Runs the café.")


def upload(client, name, data):
    response = client.post(
        reverse("admin:mutuals_mutual_import"),
        {"import_file": SimpleUploadedFile(name, data), "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    return response, " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


def confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse("admin:mutuals_mutual_process_import"), data)


def semicolons(line):
    return (
        line.replace("Health;Libraries", "Health|Libraries")
        .replace(",", ";")
        .replace("Health|Libraries", '"Health;Libraries"')
    )


@pytest.mark.parametrize(
    "name, data",
    [
        ("excel.csv", "\r\n".join([HEADER, CAFE]).encode("cp1252")),
        ("bom.csv", "\n".join([HEADER, CAFE]).encode("utf-8-sig")),
        ("plain.csv", "\n".join([HEADER, CAFE]).encode()),
        ("semicolons.csv", "\n".join([semicolons(HEADER), semicolons(CAFE)]).encode("cp1252")),
        ("tabs.txt", "\n".join([HEADER.replace(",", "\t"), CAFE.replace(",", "\t")]).encode()),
        ("xlsx-named.csv", tablib.Dataset().load("\n".join([HEADER, CAFE]), format="csv").export("xlsx")),
        ("csv-named.xlsx", "\n".join([HEADER, CAFE]).encode()),
    ],
)
def test_files_as_spreadsheets_save_them_import_alike(editor_client, name, data):
    preview, text = upload(editor_client, name, data)
    assert "Nothing was imported" not in text, text
    assert confirm(editor_client, preview).status_code == 302
    mutual = Mutual.objects.get()
    assert mutual.summary == "Runs the café." and mutual.sector_names() == ["Health", "Libraries"]


@pytest.mark.parametrize(
    "data, sentence",
    [
        (b"", "The submitted file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (HEADER.encode(), "The file has a heading row but no rows of data under it."),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "This is an old Excel file (.xls)."),
        (b"PK\x03\x04 not really a workbook", "could not be opened. Save it again as .xlsx or CSV."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This is not a spreadsheet."),
        (
            "\n".join([HEADER.replace(",town", ""), GOOD.replace(",Camden", "")]).encode(),
            "The file has no ‘town’ column.",
        ),
        ("\n".join([HEADER, GOOD + ",extra,cells"]).encode(), "Row 2 has more cells than the heading row has columns."),
    ],
)
def test_every_file_problem_is_one_plain_sentence(editor_client, data, sentence):
    _, text = upload(editor_client, "file.csv", data)
    assert sentence in text
    assert "Traceback" not in text and "Error'" not in text and "encountered" not in text
    assert not Mutual.objects.exists()


def test_a_file_over_the_size_limit_is_refused_in_a_sentence(editor_client, settings):
    settings.IMPORT_MAX_BYTES = 100
    _, text = upload(editor_client, "big.csv", "\n".join([HEADER, GOOD]).encode())
    assert "The largest file you can import is 100" in text


def test_row_problems_are_text_with_spreadsheet_rows_headings_and_what_to_do(editor_client):
    header = HEADER.replace("status", "Trading Status").replace("region", "Region")
    header = header.replace("Trading Status", "STATUS")
    rows = [
        header,
        GOOD,
        "",  # a blank row in the spreadsheet still counts in its numbering
        GOOD.replace("Good Mutual", "Second").replace(",London,", ",Atlantis,"),
        GOOD.replace("Good Mutual", "Third").replace(",live,", ",asleep,").replace("Libraries", "Space travel"),
    ]
    _, text = upload(editor_client, "rows.csv", "\n".join(rows).encode())
    assert "Nothing was imported: 3 problems to fix" in text
    assert "Row 5 , column ‘sectors’: Unknown sector ‘Space travel’." in text  # every problem of a row, at once
    assert "Row 4 , column ‘Region’: Unknown region ‘Atlantis’. Use one of:" in text
    assert "Row 5 , column ‘STATUS’: Unknown status ‘asleep’. Use one of: Live, Closed, No longer a mutual." in text
    assert "validation-error-count" not in text  # the hover-only badge is gone


def test_choice_columns_take_labels_and_any_case():
    row = GOOD.replace(",live,", ",CLOSED,").replace("Community interest company", "community INTEREST company")
    _, imported = import_mutuals(dataset=tablib.Dataset().load("\n".join([HEADER, row]), format="csv"))
    mutual = Mutual.objects.get()
    assert imported and mutual.trading_status == "closed" and mutual.legal_form == "cic"


@pytest.mark.parametrize(
    "region, latitude, longitude, message",
    [
        ("South West", "51.48", "-3.18", "is outside England"),  # Cardiff
        ("North East", "55.42", "-2.79", "is outside England"),  # Hawick
        ("London", "53.7997", "-1.5492", "This pin is in Yorkshire and The Humber, not London."),  # Leeds
    ],
)
def test_pins_must_lie_in_their_region(region, latitude, longitude, message):
    row = GOOD.replace(",London,Camden,51.5290,-0.1255,", f",{region},Somewhere,{latitude},{longitude},")
    result, imported = import_mutuals(dataset=tablib.Dataset().load("\n".join([HEADER, row]), format="csv"))
    assert not imported
    from mutuals.resources import row_errors

    assert any(message in line and "column ‘latitude’" in line for line in row_errors(result)), row_errors(result)


def test_the_admin_form_names_the_region_a_pin_is_really_in(publisher_client):
    from tests.factories import make_mutual

    mutual = make_mutual(published=False)
    response = publisher_client.get(reverse("admin:mutuals_mutual_change", args=[mutual.pk]))
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["sectors"] = [s.pk for s in mutual.sectors.all()]
    data.update({"change_notes-TOTAL_FORMS": "0", "change_notes-INITIAL_FORMS": "0"})
    data = {k: v for k, v in data.items() if k not in ("first_published_at",)}
    prefix = "psm_site-changenote-content_type-object_id"
    data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = publisher_client.post(reverse("admin:mutuals_mutual_change", args=[mutual.pk]), data)
    assert response.status_code == 200
    assert "This pin is in Yorkshire and The Humber, not London." in response.text


def test_check_pins_command_reports_existing_rows():
    from io import StringIO

    from tests.factories import make_mutual

    make_mutual(name="Leeds in London", region="london")
    make_mutual(name="Leeds in Yorkshire", region="yorkshire-and-the-humber")
    out = StringIO()
    call_command("check_pins", stdout=out)
    assert "Leeds in London" in out.getvalue() and "Yorkshire and The Humber, not London" in out.getvalue()
    assert "Leeds in Yorkshire" not in out.getvalue()
    assert "1 of 2 pins" in out.getvalue()


def test_reimport_keeps_slugs_updates_drafts_and_holds_published_changes(editor, publisher):
    data = tablib.Dataset().load("\n".join([HEADER, GOOD]), format="csv")
    import_mutuals(dataset=data, user=editor, file_name="first.csv")
    mutual = Mutual.objects.get()
    mutual.slug = "edited-slug"
    mutual.save()

    changed = tablib.Dataset().load("\n".join([HEADER, GOOD.replace("Runs services.", "Runs more.")]), format="csv")
    import_mutuals(dataset=changed, user=editor, file_name="second.csv")
    mutual.refresh_from_db()
    assert mutual.slug == "edited-slug" and mutual.summary == "Runs more."  # a draft updates freely
    latest = mutual.history.latest()
    assert latest.history_user == editor and latest.history_change_reason == "Imported from second.csv"

    from psm_site.publishing import publish

    publish(mutual)
    again = tablib.Dataset().load("\n".join([HEADER, GOOD.replace("Runs services.", "Runs less.")]), format="csv")
    result, imported = import_mutuals(dataset=again, user=editor, file_name="third.csv")
    mutual.refresh_from_db()
    assert imported and mutual.summary == "Runs more."  # the published mutual is untouched
    held = ImportedChange.objects.get()
    assert held.changes == [["summary", "Runs more.", "Runs less."]] and held.imported_by == editor

    apply_imported_change(held, user=publisher, note="Its services changed.")
    mutual.refresh_from_db()
    assert mutual.summary == "Runs less." and mutual.slug == "edited-slug"
    assert [n.note for n in mutual.public_change_notes()][0] == "Its services changed."
    assert not ImportedChange.objects.exists()
    assert mutual.history.latest().history_user == publisher


def test_editors_cannot_apply_held_changes(editor_client):
    from tests.factories import make_mutual

    mutual = make_mutual(name="Good Mutual", region="london", latitude="51.529", longitude="-0.1255")
    change = ImportedChange.objects.create(mutual=mutual, row={"name": "Good Mutual"}, changes=[["summary", "a", "b"]])
    url = reverse("admin:mutuals_importedchange_change", args=[change.pk])
    assert editor_client.get(url).status_code == 200  # editors can see what waits
    response = editor_client.post(url, {"change_type": "minor"})
    assert response.status_code == 403
    editor_client.post(
        reverse("admin:mutuals_importedchange_changelist"), {"action": "apply_minor", "_selected_action": [change.pk]}
    )
    assert ImportedChange.objects.filter(pk=change.pk).exists()
    changelist = editor_client.get(reverse("admin:mutuals_importedchange_changelist"))
    assert "apply_minor" not in changelist.text  # the action is not offered to editors


def test_the_import_page_explains_its_columns_and_offers_templates(editor_client):
    response = editor_client.get(reverse("admin:mutuals_mutual_import"))
    text = response.text
    assert "arrive as <strong>drafts</strong>" in text
    assert "Yorkshire and The Humber" in text and "Community interest company" in text  # allowed values, live
    for extension in ("csv", "xlsx"):
        template = editor_client.get(reverse("admin:mutuals_mutual_import_template", args=[extension]))
        assert template.status_code == 200
        body = template.content
        dataset = tablib.Dataset().load(body.decode("utf-8-sig") if extension == "csv" else body, format=extension)
        assert dataset.headers[:3] == ["name", "sectors", "region"]


def test_reading_never_guesses_an_encoding_it_cannot_read():
    with pytest.raises(SpreadsheetError):
        read_spreadsheet(b"")


def held_summary_change():
    """A published mutual, and the admin page of an imported change to its summary, held for review."""
    from tests.factories import make_mutual

    mutual = make_mutual(name="Good Mutual", region="london", latitude="51.529", longitude="-0.1255")
    data = tablib.Dataset().load("\n".join([HEADER, GOOD.replace("Runs services.", "Runs more.")]), format="csv")
    import_mutuals(dataset=data, file_name="update.csv")
    return mutual, reverse("admin:mutuals_importedchange_change", args=[ImportedChange.objects.get().pk])


def test_a_publisher_applies_a_held_change_as_major_in_the_admin(publisher_client):
    mutual, url = held_summary_change()
    page = publisher_client.get(url).text
    assert "update.csv" in page and "Runs more." in page
    response = publisher_client.post(url, {"change_type": "major", "change_note": ""})
    assert "Write a public change note" in response.text  # a major change needs its note
    response = publisher_client.post(url, {"change_type": "major", "change_note": "New services."})
    assert response.status_code == 302
    mutual.refresh_from_db()
    assert mutual.summary == "Runs more." and mutual.public_change_notes()[0].note == "New services."
    assert mutual.history.latest().history_change_reason == "Major change: New services. (imported from update.csv)"


def with_verified_on(value):
    return "\n".join([HEADER + ",verified_on", f"{GOOD},{value}"])


@pytest.mark.parametrize(
    "value, expected",
    [
        ("01/03/2026", "2026-03-01"),  # day first: 1 March, never 3 January
        ("13/03/2026", "2026-03-13"),
        ("1/3/2026", "2026-03-01"),
        ("01.03.2026", "2026-03-01"),
        ("2026-03-01", "2026-03-01"),
        ("1 March 2026", "2026-03-01"),
        ("", None),
    ],
)
def test_dates_are_read_day_first_or_iso(value, expected):
    result, imported = import_mutuals(dataset=tablib.Dataset().load(with_verified_on(value), format="csv"))
    assert imported
    verified_on = Mutual.objects.get().verified_on
    assert (verified_on.isoformat() if verified_on else None) == expected


def test_excel_date_cells_are_dates_whatever_the_locale(editor_client):
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEADER.split(","), "verified_on"])
    cells = next(csv.reader([GOOD]))
    sheet.append([*cells, datetime.datetime(2026, 3, 1)])
    sheet.cell(row=2, column=len(cells) + 1).number_format = "dd/mm/yyyy"
    buffer = io.BytesIO()
    book.save(buffer)
    preview, text = upload(editor_client, "dates.xlsx", buffer.getvalue())
    assert "Nothing was imported" not in text, text
    assert confirm(editor_client, preview).status_code == 302
    assert Mutual.objects.get().verified_on == datetime.date(2026, 3, 1)


@pytest.mark.parametrize(
    "value, problem",
    [
        ("31/02/2026", "‘31/02/2026’ is not a real date."),
        ("03/13/2026", "‘03/13/2026’ is not a real date."),  # a US-style date is refused, not swapped
        ("01/03/26", "is not a date this import can read without guessing."),
        ("46082", "is not a date this import can read without guessing."),
        ("March 2026", "is not a date this import can read without guessing."),
    ],
)
def test_impossible_or_ambiguous_dates_are_row_errors_naming_the_format(value, problem):
    result, imported = import_mutuals(dataset=tablib.Dataset().load(with_verified_on(value), format="csv"))
    assert not imported and not Mutual.objects.exists()
    (error,) = row_errors(result)
    assert error.startswith("Row 2, column ‘verified_on’:") and problem in error
    assert "DD/MM/YYYY (01/03/2026 is 1 March 2026), or as YYYY-MM-DD" in error


def test_the_columns_table_says_how_to_write_dates(editor_client):
    text = editor_client.get(reverse("admin:mutuals_mutual_import")).text
    assert "Day first, as DD/MM/YYYY (01/03/2026 is 1 March 2026)" in text


def test_a_held_change_applied_after_a_newer_edit_keeps_the_edit_and_shows_the_conflict(publisher_client, editor):
    from tests.factories import make_mutual

    mutual = make_mutual(name="Good Mutual", region="london", latitude="51.529", longitude="-0.1255")
    mutual.summary, mutual.town = "Runs services.", "Camden"
    mutual.save()
    newer = GOOD.replace("Runs services.", "Runs more.").replace(",Camden,", ",Kentish Town,")
    data = tablib.Dataset().load("\n".join([HEADER, newer]), format="csv")
    import_mutuals(dataset=data, user=editor, file_name="update.csv")
    change = ImportedChange.objects.get()
    # After the import an editor changes the town, and a column the import does not change.
    mutual.refresh_from_db()
    mutual.town, mutual.address = "Holborn", "1 High Holborn"
    mutual.save()

    url = reverse("admin:mutuals_importedchange_change", args=[change.pk])
    page = publisher_client.get(url).text
    assert "Apply this change" in page and "Reject this change" in page
    assert "Conflict: changed since the import" in page and "Holborn" in page and "Kentish Town" in page

    response = publisher_client.post(url, {"change_type": "minor"})
    assert response.status_code == 302
    mutual.refresh_from_db()
    assert mutual.summary == "Runs more."  # the column nobody touched since takes the file's value
    assert mutual.town == "Holborn"  # the newer edit survives
    assert mutual.address == "1 High Holborn"  # and a column the file leaves out
    assert mutual.history.latest().history_change_reason == "Minor change (imported from update.csv)"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Kept today’s value, changed since the import, for: town." in " ".join(messages)
    assert not ImportedChange.objects.exists()


def test_a_publisher_may_choose_the_import_value_for_a_conflict(publisher):
    import_mutuals(dataset=tablib.Dataset().load("\n".join([HEADER, GOOD]), format="csv"), publish_rows=True)
    mutual = Mutual.objects.get()
    data = tablib.Dataset().load("\n".join([HEADER, GOOD.replace(",Camden,", ",Kentish Town,")]), format="csv")
    import_mutuals(dataset=data, file_name="update.csv")
    Mutual.objects.filter(pk=mutual.pk).update(town="Holborn")
    change = ImportedChange.objects.get()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Nothing to apply"):
        apply_imported_change(change, user=publisher)
    apply_imported_change(change, user=publisher, note="Moved.", take_import_for=["town"])
    mutual.refresh_from_db()
    assert mutual.town == "Kentish Town"
    assert mutual.history.latest().history_change_reason == "Major change: Moved. (imported from update.csv)"


def test_a_publisher_rejects_a_held_change(publisher_client):
    mutual, url = held_summary_change()
    assert publisher_client.post(url, {"_reject": "Reject this change"}).status_code == 302
    assert not ImportedChange.objects.exists()
    mutual.refresh_from_db()
    assert mutual.summary != "Runs more."
