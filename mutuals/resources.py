"""Spreadsheet import and export of the registry (django-import-export).

Reads the columns of shared/data/mutuals.csv as they are. Every bad value becomes an error
next to its row; the admin and the import_mutuals command import nothing while any row has one.
"""

from pathlib import Path

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from import_export import fields, resources, widgets

from mutuals.models import Mutual, Region, Sector
from psm_site.publishing import publish


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


class LegalFormWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        label = (value or "").strip()
        if not label:
            return ""
        for choice, choice_label in Mutual.LegalForm.choices:
            if label.lower() in (choice, choice_label.lower()):
                return choice
        raise ValueError(f"Unknown legal form ‘{label}’. Use: {', '.join(Mutual.LegalForm.labels)}.")

    def render(self, value, obj=None, **kwargs):
        return Mutual.LegalForm(value).label if value else ""


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


class MutualResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="name")
    sectors = fields.Field(attribute="sectors", column_name="sectors", widget=SectorsWidget())
    region = fields.Field(attribute="region", column_name="region", widget=RegionWidget())
    latitude = fields.Field(attribute="latitude", column_name="latitude", widget=CoordinateWidget())
    longitude = fields.Field(attribute="longitude", column_name="longitude", widget=CoordinateWidget())
    spun_out_year = fields.Field(attribute="spun_out_year", column_name="spun_out_year", widget=YearWidget())
    legal_form = fields.Field(attribute="legal_form", column_name="legal_form", widget=LegalFormWidget())
    status = fields.Field(attribute="trading_status", column_name="status")

    class Meta:
        model = Mutual
        import_id_fields = ["name"]
        fields = [
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
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def before_import(self, dataset, **kwargs):
        self._seen_names, self._seen_slugs = {}, {}
        missing = {"name", "sectors", "region", "town", "latitude", "longitude", "summary"} - set(dataset.headers or [])
        if missing:
            raise ValidationError(f"The file is missing these columns: {', '.join(sorted(missing))}.")

    def before_import_row(self, row, row_number=None, **kwargs):
        """Derive the slug, trim text, and catch what only the whole file shows: duplicates."""
        for key, value in list(row.items()):
            if isinstance(value, str):
                row[key] = value.strip()
        name = row.get("name") or ""
        if not name:
            raise ValidationError({"name": "Every row needs a name."})
        if not row.get("slug"):
            row["slug"] = slugify(name)
        if not row.get("status"):
            row["status"] = Mutual.Trading.LIVE
        errors = {}
        if name.lower() in self._seen_names:
            errors["name"] = f"‘{name}’ is already on row {self._seen_names[name.lower()]} of this file."
        elif row["slug"] in self._seen_slugs:
            errors["slug"] = f"Its web address ‘{row['slug']}’ is already used on row {self._seen_slugs[row['slug']]}."
        elif Mutual.objects.filter(slug=row["slug"]).exclude(name=name).exists():
            errors["slug"] = f"Another mutual already has the web address ‘{row['slug']}’."
        self._seen_names.setdefault(name.lower(), row_number)
        self._seen_slugs.setdefault(row["slug"], row_number)
        try:
            SectorsWidget().clean(row.get("sectors"))
        except ValueError as error:
            errors["sectors"] = str(error)
        if errors:
            raise ValidationError(errors)


def load_dataset(path) -> tablib.Dataset:
    """A CSV (UTF-8) or XLSX file as a tablib Dataset."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return tablib.Dataset().load(path.read_bytes(), format="xlsx")
    return tablib.Dataset().load(path.read_text(encoding="utf-8-sig"), format="csv")


def row_errors(result) -> list[str]:
    """Every problem in an import result as 'Row N: field: message' lines."""
    lines = [f"File: {error.error}" for error in result.base_errors]
    for row in result.invalid_rows:
        for field, messages in row.field_specific_errors.items():
            lines.extend(f"Row {row.number}: {field}: {message}" for message in messages)
        lines.extend(f"Row {row.number}: {message}" for message in row.non_field_specific_errors)
    for number, errors in result.row_errors():
        lines.extend(f"Row {number}: {error.error}" for error in errors)
    return lines


@transaction.atomic
def import_mutuals(*, dataset: tablib.Dataset, publish_rows: bool = False):
    """Import all rows or none: a dry run first, then the real import only if it was clean."""
    resource = MutualResource()
    check = resource.import_data(dataset, dry_run=True)
    if check.has_errors() or check.has_validation_errors():
        return check, False
    result = resource.import_data(dataset, dry_run=False, raise_errors=True)
    if publish_rows:
        ids = [row.object_id for row in result.rows if row.object_id is not None]
        for mutual in Mutual.objects.filter(pk__in=ids).drafts():
            publish(mutual)
    return result, True
