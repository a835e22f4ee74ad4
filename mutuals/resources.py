"""Spreadsheet import and export of the registry (django-import-export).

Reads the columns of shared/data/mutuals.csv as they are. Every bad value becomes a problem
naming the spreadsheet's row and the editor's column heading; the admin and the import_mutuals
command import nothing while any row has one. A re-import never moves a mutual's address, and a
change to a published mutual waits in 'Changes by import' until a publisher applies it.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import tablib
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, router, transaction
from django.utils import timezone
from django.utils.text import slugify
from import_export import fields, resources, widgets

from mutuals.geography import pin_at_postcode
from mutuals.models import ImportBatch, ImportedChange, Mutual, Region, Sector
from mutuals.spreadsheets import SpreadsheetError, read_spreadsheet
from psm_site.cache import bump
from psm_site.publishing import add_change_note, publish, unpublish


class RegionWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Region, field="name")

    def clean(self, value, row=None, **kwargs):
        name = (value or "").strip()
        if not name:
            raise ValueError("Region is missing. Use one of England's nine regions.")
        region = Region.objects.filter(name__iexact=name).first()
        if region is None:
            names = ", ".join(Region.objects.values_list("name", flat=True))
            raise ValueError(f"Unknown region ‘{name}’. Use one of: {names}.")
        return region


class SectorsWidget(widgets.ManyToManyWidget):
    def __init__(self):
        super().__init__(Sector, field="name", separator=";")

    def clean(self, value, row=None, **kwargs):
        names = [part.strip() for part in str(value or "").split(";") if part.strip()]
        known = {sector.name.lower(): sector for sector in Sector.objects.all()}
        unknown = [name for name in names if name.lower() not in known]
        if unknown:
            raise ValueError(
                f"Unknown sector {', '.join(f'‘{u}’' for u in unknown)}. Use: {', '.join(s.name for s in known.values())}."
            )
        if not names:
            raise ValueError("At least one sector is needed.")
        return [known[name.lower()] for name in names]

    def render(self, value, obj=None, **kwargs):
        return "; ".join(sector.name for sector in value.all()) if value is not None else ""


class ChoiceWidget(widgets.Widget):
    """A choice column: the stored value or the label editors see, in any case."""

    def __init__(self, choices, noun, *, export_labels=True):
        super().__init__()
        self.choices, self.noun, self.export_labels = choices, noun, export_labels

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        for choice in self.choices:
            if text.lower() in (choice.value, choice.label.lower()):
                return choice.value
        raise ValueError(f"Unknown {self.noun} ‘{text}’. Use one of: {', '.join(self.choices.labels)}.")

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return self.choices(value).label if self.export_labels else value


class YearWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError):
            raise ValueError(f"‘{value}’ is not a year. Write it as four digits, like 2011.") from None


class CoordinateWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            number = super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError):
            raise ValueError(f"‘{value}’ is not a number of degrees, like 51.5074.") from None
        if number is None:
            raise ValueError("Coordinates are needed to show the mutual on the map.")
        return round(number, 5)


DATE_FORMAT_HELP = "Write dates day first, as DD/MM/YYYY (01/03/2026 is 1 March 2026), or as YYYY-MM-DD."
DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
ISO_DATE = re.compile(r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[ T]00:00(?::00)?)?")
MONTH_NAMES = re.compile(r"\d{1,2} [A-Za-z]+ \d{4}")


class UKDateWidget(widgets.Widget):
    """A date as a UK editor writes it: day first (01/03/2026 is 1 March 2026), or ISO (2026-03-01),
    or '1 March 2026'. Excel's own date cells arrive as ISO (mutuals.spreadsheets). Anything else,
    a two-digit year or a US-style 03/13/2026 included, is refused rather than guessed."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, date):
            return value
        text = " ".join(str(value or "").split())
        if not text:
            return None
        day = month = year = None
        if match := DAY_FIRST.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
        elif match := ISO_DATE.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
        elif MONTH_NAMES.fullmatch(text):
            for pattern in ("%d %B %Y", "%d %b %Y"):
                try:
                    return datetime.strptime(text.title(), pattern).date()
                except ValueError:
                    continue
        try:
            if year is not None:
                return date(year, month, day)
        except ValueError:
            raise ValueError(f"‘{text}’ is not a real date. {DATE_FORMAT_HELP}") from None
        raise ValueError(f"‘{text}’ is not a date this import can read without guessing. {DATE_FORMAT_HELP}")

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


@dataclass(frozen=True)
class Column:
    """One column of the import file, described for the import page and the template."""

    name: str
    required: bool
    meaning: str
    example: str
    allowed: Callable[[], list[str]] | None = None


COLUMNS = [
    Column(
        "name",
        True,
        "The organisation's name. A row with a name already in the registry updates it.",
        "Locala Health and Wellbeing",
    ),
    Column(
        "sectors",
        True,
        "One or more sectors, separated by semicolons.",
        "Health; Adult social care",
        lambda: list(Sector.objects.values_list("name", flat=True)),
    ),
    Column(
        "region",
        True,
        "The region of England where its head office is.",
        "Yorkshire and The Humber",
        lambda: list(Region.objects.values_list("name", flat=True)),
    ),
    Column("town", True, "The head office's town, or the area served.", "Huddersfield"),
    Column(
        "latitude",
        True,
        "Decimal degrees north. The pin must lie in the row's region. Leave latitude and longitude empty "
        "with a postcode to place the pin at the postcode's centre.",
        "53.64580",
    ),
    Column("longitude", True, "Decimal degrees east (negative west of Greenwich).", "-1.78500"),
    Column(
        "summary", True, "One sentence: the services it delivers and where.", "Community health services in Kirklees."
    ),
    Column(
        "slug",
        False,
        "The last part of its web address. Made from the name when empty; never changed for an existing mutual.",
        "locala",
    ),
    Column("address", False, "The public address, without the postcode.", "Beckside Court, Bradford"),
    Column("postcode", False, "A UK postcode.", "BD5 7DH"),
    Column("spun_out_year", False, "The year it left the public sector, as four digits.", "2011"),
    Column("parent_body", False, "The public body it left.", "NHS Kirklees"),
    Column("legal_form", False, "Its legal form.", "Community interest company", lambda: list(Mutual.LegalForm.labels)),
    Column("ownership", False, "How staff own or control it, in the source's words.", "Staff-owned CIC"),
    Column("website", False, "Its homepage, starting https://", "https://www.locala.org.uk"),
    Column("email", False, "A public contact email.", "info@example.org"),
    Column(
        "status",
        False,
        "Live; closed (ceased, merged or taken back in-house); or no longer a mutual (still exists, no longer meets the definition). Live when empty.",
        "live",
        lambda: list(Mutual.Trading.labels),
    ),
    Column("companies_house_number", False, "8 characters.", "07551234"),
    Column("mutuals_register_number", False, "The Mutuals Public Register number.", "31095R"),
    Column("charity_number", False, "6 to 8 digits.", "1123456"),
    Column("source_url", False, "Where these facts were checked.", "https://www.locala.org.uk/about-us"),
    Column(
        "verified_on",
        False,
        "When the facts were last checked. Day first, as DD/MM/YYYY (01/03/2026 is 1 March 2026), or YYYY-MM-DD; "
        "an Excel date cell works too.",
        "01/03/2026",
    ),
]
REQUIRED_COLUMNS = [column.name for column in COLUMNS if column.required]

# Django's wording for a few errors, said the way an editor filling in a spreadsheet needs it.
PLAIN_MESSAGES = {
    "This field cannot be blank.": "This column must be filled in.",
    "This field cannot be null.": "This column must be filled in.",
    "Enter a valid URL.": "Enter a full web address starting https://",
    "Enter a valid email address.": "Enter an email address like name@example.org.",
    "Enter a valid date.": DATE_FORMAT_HELP,
}


def heading_key(heading) -> str:
    """'Spun out year', 'SPUN_OUT_YEAR' and ' spun-out year ' all name the column spun_out_year."""
    return "_".join(str(heading or "").strip().lower().replace("-", " ").replace("_", " ").split())


class MutualResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="name")
    sectors = fields.Field(attribute="sectors", column_name="sectors", widget=SectorsWidget())
    region = fields.Field(attribute="region", column_name="region", widget=RegionWidget())
    latitude = fields.Field(attribute="latitude", column_name="latitude", widget=CoordinateWidget())
    longitude = fields.Field(attribute="longitude", column_name="longitude", widget=CoordinateWidget())
    spun_out_year = fields.Field(attribute="spun_out_year", column_name="spun_out_year", widget=YearWidget())
    legal_form = fields.Field(
        attribute="legal_form", column_name="legal_form", widget=ChoiceWidget(Mutual.LegalForm, "legal form")
    )
    verified_on = fields.Field(attribute="verified_on", column_name="verified_on", widget=UKDateWidget())
    status = fields.Field(
        attribute="trading_status",
        column_name="status",
        widget=ChoiceWidget(Mutual.Trading, "status", export_labels=False),
    )

    publishing_status = fields.Field(column_name="publishing_status", readonly=True)

    class Meta:
        model = Mutual
        import_id_fields = ["name"]
        fields = [*(column.name for column in COLUMNS), "publishing_status"]
        export_order = [
            "publishing_status",
            "name",
            "slug",
            "sectors",
            "region",
            "town",
            "address",
            "postcode",
            "latitude",
            "longitude",
            "spun_out_year",
            "parent_body",
            "legal_form",
            "ownership",
            "website",
            "email",
            "status",
            "summary",
            "companies_house_number",
            "mutuals_register_number",
            "charity_number",
            "source_url",
            "verified_on",
        ]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, *, apply_published=False, **kwargs):
        """`apply_published`: change published mutuals directly (a publisher applying a held change)."""
        super().__init__(**kwargs)
        self.apply_published = apply_published

    def get_import_fields(self):
        """The file's columns; an export's publishing_status column is read-only."""
        return [field for field in super().get_import_fields() if not field.readonly]

    def dehydrate_publishing_status(self, mutual):
        """Exports say whether each row is live: 'Published', 'Draft', 'Scheduled' (to go live
        later) or 'Off on schedule' (its 'unpublish at' has passed)."""
        if mutual.is_published:
            return "Published"
        if mutual.status != Mutual.Status.PUBLISHED:
            return "Draft"
        return "Scheduled" if mutual.publish_at and mutual.publish_at > timezone.now() else "Off on schedule"

    def import_data(self, dataset, dry_run=False, write_nothing=False, **kwargs):
        """`write_nothing`: a dry run that saves no row. django-import-export's own dry run saves
        every row inside a transaction it rolls back, which on SQLite holds the database's one
        write lock for the whole file: the web server, worker and clock would wait minutes."""
        self._dry_run = dry_run
        if dry_run and write_nothing:
            return self.import_data_inner(
                dataset,
                dry_run=True,
                raise_errors=kwargs.pop("raise_errors", False),
                using_transactions=False,
                collect_failed_rows=kwargs.pop("collect_failed_rows", False),
                **kwargs,
            )
        return super().import_data(dataset, dry_run=dry_run, **kwargs)

    def before_import(
        self, dataset, user=None, file_name=None, batch_source=ImportBatch.Source.ADMIN, batch=None, **kwargs
    ):
        self._seen_names, self._seen_slugs, self._held = {}, {}, set()
        self.batch = batch  # given when a file is imported in parts (import_mutuals on SQLite)
        if batch is None and not getattr(self, "_dry_run", True) and not self.apply_published:
            # Every real import is a batch a publisher can withdraw (inside the import's transaction).
            self.batch = ImportBatch.objects.create(
                file_name=file_name or "",
                source=batch_source,
                imported_by=user if getattr(user, "is_authenticated", False) else None,
            )
        self.line_numbers = getattr(dataset, "line_numbers", None) or list(range(2, dataset.height + 2))
        known = {heading_key(column.name): column.name for column in COLUMNS}
        self.headings = {}
        headers = []
        for heading in dataset.headers or []:
            name = known.get(heading_key(heading), str(heading or "").strip())
            self.headings.setdefault(name, str(heading).strip())
            headers.append(name)
        dataset.headers = headers
        missing = [name for name in REQUIRED_COLUMNS if name not in headers]
        if missing:
            found = ", ".join(f"‘{h}’" for h in self.headings.values() if h) or "none"
            raise SpreadsheetError(
                f"The file has no {' or '.join(f'‘{m}’' for m in missing)} column"
                f"{'s' if len(missing) > 1 else ''}. Add {'them' if len(missing) > 1 else 'it'} to the heading row "
                f"(the columns found were {found}), or start from the template."
            )

    def before_import_row(self, row, row_number=None, **kwargs):
        """Derive the slug, trim text, and catch what only the whole file shows: duplicates."""
        for key, value in list(row.items()):
            if isinstance(value, str):
                row[key] = value.strip()
        name = row.get("name") or ""
        if not name:
            raise ValidationError({"name": "Every row needs a name."})
        existing = Mutual.objects.filter(name=name).values_list("slug", flat=True).first()
        if existing:
            row["slug"] = existing  # a re-import never moves a mutual's address
        elif not row.get("slug"):
            row["slug"] = slugify(name)
        if not row.get("status"):
            row["status"] = Mutual.Trading.LIVE
        if row.get("postcode") and not row.get("latitude") and not row.get("longitude"):
            pin = pin_at_postcode(row["postcode"])
            if pin:  # the pin at the postcode's centre (an unknown postcode leaves the row's error to say so)
                row["latitude"], row["longitude"] = (str(value) for value in pin)
        line = self.line_for(row_number)
        errors = {}
        if name.lower() in self._seen_names:
            errors["name"] = (
                f"‘{name}’ is already on row {self._seen_names[name.lower()]} of this file. Keep one of them."
            )
        elif row["slug"] in self._seen_slugs:
            errors["slug"] = (
                f"Its web address ‘{row['slug']}’ is already used on row {self._seen_slugs[row['slug']]}. "
                "Give one of them another slug."
            )
        elif not existing and Mutual.objects.filter(slug=row["slug"]).exists():
            errors["slug"] = f"Another mutual already has the web address ‘{row['slug']}’. Give this row another slug."
        self._seen_names.setdefault(name.lower(), line)
        self._seen_slugs.setdefault(row["slug"], line)
        try:
            SectorsWidget().clean(row.get("sectors"))
        except ValueError as error:
            errors["sectors"] = str(error)  # sectors are saved after validation, so check them now
        self._row_errors = errors  # reported with the row's other errors (validate_instance)

    def import_instance(self, instance, row, **kwargs):
        """Note which columns the row changes on an existing mutual, for the preview."""
        self._changed = []
        plain = [f for f in self.get_import_fields() if not isinstance(f.widget, widgets.ManyToManyWidget)]
        before = {f.column_name: str(f.export(instance)) for f in plain} if instance.pk else None
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if before is not None:
                self._changed = [f.column_name for f in plain if str(f.export(instance)) != before[f.column_name]]
                try:
                    sectors = {s.name for s in SectorsWidget().clean(row.get("sectors"))}
                except ValueError:
                    sectors = None
                if sectors is not None and sectors != set(instance.sector_names()):
                    self._changed.append("sectors")

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not self._row_errors and super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = {key: list(value) for key, value in (import_validation_errors or {}).items()}
        for key, message in self._row_errors.items():
            errors.setdefault(key, []).append(ValidationError(message))
        super().validate_instance(instance, errors, validate_unique)

    def line_for(self, row_number):
        """The row's number as the editor's spreadsheet shows it (the heading is row 1)."""
        if row_number is None:
            return None
        return self.line_numbers[row_number - 1] if row_number <= len(self.line_numbers) else row_number + 1

    def before_save_instance(self, instance, row, user=None, file_name=None, change_reason=None, **kwargs):
        """History names who imported the row, and from which file."""
        instance._history_user = user if getattr(user, "is_authenticated", False) else None
        instance._change_reason = change_reason or (
            f"Imported from {file_name}" if file_name else "Imported from a spreadsheet"
        )

    def holds(self, instance, is_create) -> bool:
        return not is_create and not self.apply_published and instance.is_published

    def save_instance(self, instance, is_create, row, **kwargs):
        """A change to a published mutual waits for a publisher instead of going live."""
        if is_create and self.batch:
            instance.import_batch = self.batch
        if not self.holds(instance, is_create):
            return super().save_instance(instance, is_create, row, **kwargs)
        self._held.add(kwargs.get("row_number"))
        if not kwargs.get("dry_run"):
            self.hold_change(instance, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        if kwargs.get("row_number") not in self._held:
            super().save_m2m(instance, row, **kwargs)

    def after_import_row(self, row, row_result, row_number=None, **kwargs):
        row_result.held_for_review = row_number in self._held
        row_result.changed_columns = [self.headings.get(c, c) for c in getattr(self, "_changed", [])]
        self._changed = []
        row_result.line = self.line_for(row_number)

    def changes_to(self, instance, row) -> list[list[str]]:
        """[column, now, after import] for each column this row would change."""
        current = Mutual.objects.get(pk=instance.pk)
        changes = []
        for field in self.get_import_fields():
            before = field.export(current)
            after = (
                "; ".join(s.name for s in field.clean(row)) if field.attribute == "sectors" else field.export(instance)
            )
            if str(before) != str(after):
                changes.append([field.column_name, str(before), str(after)])
        return changes

    def hold_change(self, instance, row, user=None, file_name=None, **kwargs):
        ImportedChange.objects.update_or_create(
            mutual=instance,
            defaults={
                "file_name": file_name or "",
                "row": {key: "" if value is None else str(value) for key, value in row.items() if key},
                "changes": self.changes_to(instance, row),
                "imported_by": user if getattr(user, "is_authenticated", False) else None,
                "imported_at": timezone.now(),
                "batch": self.batch,
            },
        )

    def after_import(self, dataset, result, **kwargs):
        result.line_numbers = self.line_numbers
        result.headings = self.headings
        result.held = len(self._held)
        result.batch = self.batch
        if self.batch:
            self.batch.created_count += result.totals["new"]
            self.batch.held_count += len(self._held)
            self.batch.updated_count += result.totals["update"] - len(self._held)
            self.batch.save(update_fields=["created_count", "held_count", "updated_count"])

    def template_dataset(self) -> tablib.Dataset:
        """The heading row editors start from: every column, required ones first."""
        return tablib.Dataset(headers=[column.name for column in COLUMNS])


@dataclass(frozen=True)
class Problem:
    line: int | None  # the spreadsheet's row number; None for the file as a whole
    column: str  # the heading as the editor wrote it; '' for the row as a whole
    message: str

    def __str__(self):
        where = f"Row {self.line}" if self.line else "File"
        return f"{where}, column ‘{self.column}’: {self.message}" if self.column else f"{where}: {self.message}"


GENERIC_FILE_PROBLEM = (
    "The file could not be imported. Nothing was changed. Check it against the template and try again."
)


def problems(result) -> list[Problem]:
    """Every problem in an import result, in spreadsheet terms, file-level first."""
    if result.base_errors:
        plain = [str(e.error) for e in result.base_errors if isinstance(e.error, SpreadsheetError)]
        return [Problem(None, "", message) for message in plain or [GENERIC_FILE_PROBLEM]]
    found = []
    headings = getattr(result, "headings", {})
    lines = getattr(result, "line_numbers", [])
    columns = {field.attribute: field.column_name for field in MutualResource().get_import_fields()}

    def line(number):
        return lines[number - 1] if number and number <= len(lines) else number + 1

    def heading(key):
        if key == NON_FIELD_ERRORS:
            return ""
        column = columns.get(key, key)
        return headings.get(column, column)

    for row in result.invalid_rows:
        for key, messages in row.error_dict.items():
            found.extend(Problem(line(row.number), heading(key), PLAIN_MESSAGES.get(m, m)) for m in messages)
    for number, errors in result.row_errors():
        found.extend(Problem(line(number), "", plain_row_error(error.error)) for error in errors)
    return sorted(found, key=lambda p: p.line or 0)


def plain_row_error(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, IntegrityError):
        return "This row clashes with another mutual (the same name or web address). Change it and import again."
    return "This row could not be imported. Check each value against the columns table."


def describe_totals(result) -> str:
    """'2 new, 1 updated, 1 held for review, 3 unchanged': a row held for a publisher is not 'updated'."""
    held = getattr(result, "held", 0)
    parts = [
        (result.totals["new"], "new"),
        (result.totals["update"] - held, "updated"),
        (held, "held for review"),
        (result.totals["skip"], "unchanged"),
    ]
    said = [f"{count:,} {words}" for count, words in parts if count]
    return ", ".join(said) or "no rows"


def row_errors(result) -> list[str]:
    """Every problem as a line of text, for the management command."""
    return [str(problem) for problem in problems(result)]


def load_dataset(path) -> tablib.Dataset:
    """A CSV or XLSX file as a tablib Dataset (raises SpreadsheetError for an unreadable file)."""
    return read_spreadsheet(Path(path).read_bytes())


def check_mutuals(*, dataset: tablib.Dataset, user=None, file_name: str = ""):
    """A dry run that writes nothing and takes no write lock (SQLite has one writer at a time):
    what each row would do, and every problem."""
    options = {"user": user, "file_name": file_name}
    return MutualResource().import_data(dataset, dry_run=True, write_nothing=True, **options)


def import_mutuals(
    *,
    dataset: tablib.Dataset,
    publish_rows: bool = False,
    user=None,
    file_name: str = "",
    source: str = ImportBatch.Source.COMMAND,
):
    """Import all rows or none: a check first, then the real import, in one transaction, only
    if the check was clean."""
    check = check_mutuals(dataset=dataset, user=user, file_name=file_name)
    if check.has_errors() or check.has_validation_errors():
        return check, False
    options = {"user": user, "file_name": file_name, "batch_source": source}
    size = settings.IMPORT_SQLITE_PART_ROWS if connection.vendor == "sqlite" else 0
    if not size or len(dataset) <= size:
        return _import_part(dataset, publish_rows=publish_rows, **options), True
    # SQLite has one writer at a time: a file of thousands of rows in one transaction would make
    # the web server, the worker and the alerts clock wait minutes (and fail, "database is
    # locked"). After a clean check, it is written in parts, each its own transaction; the parts
    # share one batch, so a file stopped part way is withdrawn as a whole.
    combined, lines = None, getattr(dataset, "line_numbers", None) or list(range(2, len(dataset) + 2))
    for start in range(0, len(dataset), size):
        part = tablib.Dataset(*dataset[start : start + size], headers=dataset.headers)
        part.line_numbers = lines[start : start + size]
        batch = combined.batch if combined else None
        if batch:
            # Writers waiting for the lock poll it with sleeps; without a pause the import would
            # take it again at once, part after part, and they would wait out their timeout.
            time.sleep(SQLITE_TURN_SECONDS)
        result = _import_part(part, publish_rows=publish_rows, batch=batch, **options)
        if combined is None:
            combined = result
            continue
        combined.rows.extend(result.rows)
        for kind, count in result.totals.items():
            combined.totals[kind] += count
        combined.held += result.held
    combined.line_numbers = lines
    return combined, True


SQLITE_TURN_SECONDS = 0.3


def _import_part(dataset, *, publish_rows, **options):
    with transaction.atomic():
        result = MutualResource().import_data(dataset, dry_run=False, raise_errors=True, **options)
        if publish_rows:
            ids = [row.object_id for row in result.rows if row.object_id is not None]
            for mutual in Mutual.objects.filter(pk__in=ids).drafts():
                publish(mutual)
    return result


def current_values(mutual: Mutual) -> dict[str, str]:
    """Each import column's value for the mutual as it is now, written as the import writes it."""
    return {field.column_name: str(field.export(mutual)) for field in MutualResource().get_import_fields()}


@dataclass(frozen=True)
class HeldColumn:
    """One column a held import change would change, against the mutual as it is now."""

    column: str
    at_import: str  # the mutual's value when the file was imported
    imported: str  # the file's value
    now: str  # the mutual's value now

    @property
    def conflict(self) -> bool:
        """Someone changed it since the import (to something other than the file's value)."""
        return self.now != self.at_import and self.now != self.imported

    @property
    def done(self) -> bool:
        return self.now == self.imported


def held_columns(change: ImportedChange) -> list[HeldColumn]:
    now = current_values(change.mutual)
    return [HeldColumn(column, before, after, now.get(column, "")) for column, before, after in change.changes]


def applied_reason(change: ImportedChange, note: str) -> str:
    source = f"imported from {change.file_name}" if change.file_name else "imported from a spreadsheet"
    return f"Major change: {note} ({source})" if note else f"Minor change ({source})"


@transaction.atomic
def apply_imported_change(
    change: ImportedChange, *, user, note: str = "", take_import_for: tuple[str, ...] | list[str] = ()
) -> list[str]:
    """A publisher applies a held change: minor without a note, major with a public note.

    Only the columns the import changes are written, onto the mutual as it is now: a column
    someone changed since the import is a conflict, kept as it is unless the publisher chose the
    import's value for it (`take_import_for`). Returns the columns left as they were."""
    change = ImportedChange.objects.select_for_update().select_related("mutual").get(pk=change.pk)
    columns = held_columns(change)
    kept = [c.column for c in columns if c.conflict and c.column not in take_import_for]
    applying = [c for c in columns if not c.done and c.column not in kept]
    if kept and not applying and not any(c.done for c in columns):
        raise ValidationError(
            "Nothing to apply: every column this change would set was changed after the import. "
            "Choose the columns that should take the import’s value, or reject this change."
        )
    if applying:
        row = current_values(change.mutual)
        row.update({c.column: c.imported for c in applying})
        dataset = tablib.Dataset(headers=list(row))
        dataset.append(list(row.values()))
        result = MutualResource(apply_published=True).import_data(
            dataset, dry_run=False, user=user, file_name=change.file_name, change_reason=applied_reason(change, note)
        )
        found = problems(result)
        if found:
            raise ValidationError([problem.message for problem in found])
        if note:
            add_change_note(change.mutual, note=note)
    change.delete()
    return kept


def reject_imported_change(change: ImportedChange, *, user) -> None:
    """A publisher turns a held change down: the mutual stays as it is."""
    change.delete()


@dataclass(frozen=True)
class Withdrawal:
    deleted: int
    unpublished: int
    rejected: int

    def __str__(self):
        return (
            f"{self.deleted:,} new mutual{'s' if self.deleted != 1 else ''} deleted, "
            f"{self.unpublished:,} published since and now unpublished, "
            f"{self.rejected:,} held change{'s' if self.rejected != 1 else ''} rejected"
        )


def withdrawal_plan(batch: ImportBatch) -> Withdrawal:
    """What withdrawing the batch would do now."""
    created = Mutual.objects.filter(import_batch=batch)
    published = created.filter(status=Mutual.Status.PUBLISHED).count()
    return Withdrawal(created.count() - published, published, batch.held_changes.count())


def generic_relations():
    return [field for field in Mutual._meta.private_fields if isinstance(field, GenericRelation)]


def delete_in_bulk(mutuals: list[Mutual], *, user, reason: str) -> None:
    """Delete thousands of draft mutuals in a few statements, with the history and cache change
    that deleting each one would make (one by one, signals cost ~4 queries a row: 5,000 rows took
    minutes). Their history keeps a 'deleted' record each, naming who and why."""
    if not mutuals:
        return
    using = router.db_for_write(Mutual)
    ids = [mutual.pk for mutual in mutuals]
    History = Mutual.history.model
    now = timezone.now()
    History.objects.using(using).bulk_create(
        [
            History(
                history_date=now,
                history_user=user if getattr(user, "is_authenticated", False) else None,
                history_change_reason=reason,
                history_type="-",
                **{field.attname: getattr(mutual, field.attname) for field in History.tracked_fields},
            )
            for mutual in mutuals
        ],
        batch_size=1000,
    )
    # What deleting each row would take with it: its sectors, held change, notes and reviews.
    for chunk in range(0, len(ids), 1000):
        part = ids[chunk : chunk + 1000]
        Mutual.sectors.through.objects.using(using).filter(mutual_id__in=part).delete()
        ImportedChange.objects.using(using).filter(mutual_id__in=part).delete()
        for relation in generic_relations():  # change notes, review requests
            content_type = ContentType.objects.get_for_model(Mutual, for_concrete_model=relation.for_concrete_model)
            relation.related_model.objects.using(using).filter(
                **{relation.content_type_field_name: content_type},
                **{f"{relation.object_id_field_name}__in": part},
            ).delete()
        Mutual.objects.using(using).filter(pk__in=part)._raw_delete(using)  # signals done above, once
    bump(using=using)


@transaction.atomic
def withdraw_import(batch: ImportBatch, *, user) -> Withdrawal:
    """Undo an import in one transaction: the mutuals it created are deleted, or unpublished if
    a publisher has published them since (their history says why), and its held changes are
    rejected. Rows it updated keep their values: history shows what each was before."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.withdrawn_at:
        raise ValidationError(f"This import was already withdrawn ({batch.withdrawal}).")
    reason = f"Import of {batch.file_name or 'a spreadsheet'} withdrawn"
    created = Mutual.objects.filter(import_batch=batch)
    drafts = list(created.filter(status=Mutual.Status.DRAFT))
    unpublished = 0
    for mutual in created.filter(status=Mutual.Status.PUBLISHED):
        mutual._history_user, mutual._change_reason = user, f"Unpublished: {reason.lower()}"
        unpublish(mutual)
        unpublished += 1
    delete_in_bulk(drafts, user=user, reason=f"Deleted: {reason.lower()}")
    rejected, _ = batch.held_changes.all().delete()
    withdrawal = Withdrawal(len(drafts), unpublished, rejected)
    batch.withdrawn_at, batch.withdrawn_by, batch.withdrawal = timezone.now(), user, str(withdrawal)
    batch.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal"])
    return withdrawal
