"""Open data that cannot attack a spreadsheet.

A cell beginning =, +, -, @, a tab or a carriage return can run as a formula when a CSV opens in
Excel, LibreOffice or Google Sheets (=HYPERLINK(...), +cmd|...). Following OWASP, such a cell is
written with a leading apostrophe, which spreadsheets read as "this is text". A plain number
(a longitude of -1.5) is left alone: it cannot run. JSON and GeoJSON keep the true value.

A spreadsheet may split a line on another separator (`;`, a tab) and ignore the file's quotes, so
every text cell is quoted (QUOTE) and, inside a cell, a formula start that follows a separator or a
line break gains the same apostrophe: `Leeds;=1+1` is written `"Leeds;'=1+1"`.
"""

import csv
import re
from io import BytesIO
from operator import itemgetter

import openpyxl
import tablib
from import_export.formats.base_formats import CSV, XLSX
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
# Where another separator or a line break could start a cell inside this one, before a formula start.
INNER_FORMULA = re.compile(r"([,;\t\r\n] *)(?=[=+\-@])")
# Every CSV writer's quoting: text always in quotes, numbers (coverage counts) as they are.
QUOTE = csv.QUOTE_NONNUMERIC


def safe_cell(value):
    """The value to write in a CSV cell: text that could run as a formula gains a ' where it could
    start one (the cell's start, or after a separator or line break inside it)."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        value = "'" + value
    return INNER_FORMULA.sub(r"\1'", value)


# A formula start after NUL (cells are each preceded by NUL), or inside a cell: what safe_rows looks for.
_FORMULA_START = re.compile(r"\x00[=+\-@\t\r]|[,;\t\r\n] *[=+\-@]")


def safe_rows(rows, text_columns):
    """Rows (tuples) for a CSV writer, each cell that could run as a formula made safe by safe_cell.

    `text_columns` are the indexes of cells (always str) whose text people write: names,
    summaries, numbers they typed. The others the site makes itself (addresses, dates, codes,
    coordinates). A row goes cell by cell only when one of its text cells starts like a formula,
    so a large file costs one search a row, not a function call a cell.
    """
    pick = itemgetter(*text_columns)
    for row in rows:
        if _FORMULA_START.search("\x00" + "\x00".join(pick(row))):
            row = [safe_cell(value) for value in row]
        yield row


class SafeCSV(CSV):
    """The admin's CSV export, every cell through safe_cell."""

    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            safe.append([safe_cell(value) for value in row])
        return super().export_data(safe, quoting=QUOTE, **kwargs)


class SafeXLSX(XLSX):
    """The admin's Excel export: every text cell is stored as text, never as a formula.

    An .xlsx file says each cell's type, so the true value is kept (no apostrophe) and only
    openpyxl's guess that '=…' is a formula needs overriding.
    """

    def export_data(self, dataset, **kwargs):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(dataset.headers)
        for row in dataset:
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
        output = BytesIO()
        book.save(output)
        return output.getvalue()
