"""Reading an editor's spreadsheet: CSV or XLSX, whatever they chose or named it.

Every problem with the file as a whole becomes one plain sentence (`SpreadsheetError`), never a
traceback: Excel's CSVs are often Windows-1252 and, in some locales, separated by semicolons.
"""

import csv
import datetime
import io
import zipfile

import tablib
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from import_export.formats.base_formats import Format

XLSX_SIGNATURE = b"PK\x03\x04"
OLD_EXCEL_SIGNATURE = b"\xd0\xcf\x11\xe0"
DELIMITERS = ",;\t"


class SpreadsheetError(ValueError):
    """A problem with the whole file, in a sentence an editor can act on."""


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel saves 'CSV'."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise SpreadsheetError(
            "The file’s text could not be read. In Excel choose File, Save as, ‘CSV UTF-8’ and import that file."
        ) from None


def build_dataset(records, *, empty_message: str) -> tablib.Dataset:
    """A Dataset from (spreadsheet row number, cells) pairs; blank rows are left out.

    The dataset remembers each data row's number in the spreadsheet (`line_numbers`), so a
    message can say 'row 7' where the editor sees row 7, not the seventh row of data.
    """
    records = [(number, cells) for number, cells in records if any(cell.strip() for cell in cells)]
    if not records:
        raise SpreadsheetError(empty_message)
    (_, headers), body = records[0], records[1:]
    while headers and not headers[-1].strip():
        headers = headers[:-1]
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    dataset.line_numbers = []
    for number, cells in body:
        if any(cell.strip() for cell in cells[width:]):
            raise SpreadsheetError(
                f"Row {number} has more cells than the heading row has columns. "
                "Check for a separator inside a value, or put that value in double quotes."
            )
        dataset.append((cells + [""] * width)[:width])
        dataset.line_numbers.append(number)
    return dataset


def read_csv(text: str) -> tablib.Dataset:
    first_line = text.lstrip().split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(enumerate(reader, start=1))
    except csv.Error:
        raise SpreadsheetError(
            "The file could not be read as CSV. Save it again from your spreadsheet as CSV."
        ) from None
    return build_dataset(records, empty_message="The file is empty. Add a heading row and at least one row of data.")


def cell_text(cell) -> str:
    """A workbook cell as the text a CSV of it would hold; a date cell (Excel keeps it as a
    datetime at midnight) as its ISO date, so no day/month order is guessed."""
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime) and cell.time() == datetime.time():
        return cell.date().isoformat()
    if isinstance(cell, datetime.date | datetime.datetime):
        return cell.isoformat(sep=" ") if isinstance(cell, datetime.datetime) else cell.isoformat()
    return str(cell)


def read_xlsx(data: bytes) -> tablib.Dataset:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        records = [
            (number, [cell_text(cell) for cell in row])
            for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
        ]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError):
        raise SpreadsheetError(
            "The file looks like an Excel workbook but could not be opened. Save it again as .xlsx or CSV."
        ) from None
    return build_dataset(
        records, empty_message="The first sheet of the workbook is empty. Put the heading row and data there."
    )


def read_spreadsheet(data: bytes) -> tablib.Dataset:
    """A CSV or XLSX file's bytes as a Dataset, told apart by content rather than name."""
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise SpreadsheetError(
            f"The file is {filesizeformat(len(data))}. The largest file you can import is {filesizeformat(limit)}: "
            "split it into smaller files."
        )
    if not data.strip():
        raise SpreadsheetError("The file is empty. Add a heading row and at least one row of data.")
    if data.startswith(XLSX_SIGNATURE):
        dataset = read_xlsx(data)
    elif data.startswith(OLD_EXCEL_SIGNATURE):
        raise SpreadsheetError("This is an old Excel file (.xls). In Excel, save it as .xlsx or CSV and import that.")
    elif b"\x00" in data[:4096]:
        raise SpreadsheetError("This is not a spreadsheet. Choose a CSV or an Excel (.xlsx) file.")
    else:
        dataset = read_csv(decode_text(data))
    if not dataset.height:
        raise SpreadsheetError("The file has a heading row but no rows of data under it.")
    return dataset


class SpreadsheetFormat(Format):
    """The admin's only import format: CSV or XLSX, recognised from the file itself."""

    def __init__(self, encoding=None):
        self.encoding = encoding  # django-import-export passes one; the bytes are decoded here

    def get_title(self):
        return "CSV or Excel (.xlsx), recognised from the file"

    def create_dataset(self, in_stream):
        return read_spreadsheet(in_stream)

    def can_import(self):
        return True

    def get_extension(self):
        return "csv"
