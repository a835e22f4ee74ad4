from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from mutuals import background_import
from mutuals.geography import pin_at_postcode
from mutuals.models import (
    Attachment,
    Benefit,
    Criterion,
    Finding,
    Guide,
    GuideSection,
    ImportedChange,
    Mutual,
    Publication,
    Region,
    Sector,
)
from mutuals.resources import COLUMNS, MutualResource, apply_imported_change
from mutuals.spreadsheets import SpreadsheetError, SpreadsheetFormat
from mutuals.widgets import PinMapLatitudeInput
from psm_site.admin import PUBLISHING_FIELDSET, ChangeNoteInline, ChangeTypeForm, PublishableAdmin
from psm_site.publishing import can_publish
from psm_site.spreadsheets import SafeCSV, SafeXLSX


class GuideSectionInline(admin.StackedInline):
    model = GuideSection
    extra = 0
    fields = ["position", "heading", "body", "block", "publication", "body_after"]
    autocomplete_fields = ["publication"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "text"]
    formfield_overrides = {models.CharField: {"widget": forms.Textarea(attrs={"rows": 3})}}
    verbose_name_plural = "definition criteria (a numbered list, in this order)"


class BenefitInline(admin.TabularInline):
    model = Benefit
    extra = 0
    fields = ["position", "audience", "text"]


@admin.register(Guide)
class GuideAdmin(PublishableAdmin):
    list_display = ["title", "slug", "published_tick", "first_published_at"]
    list_filter = ["status"]
    search_fields = ["title", "summary", "sections__heading", "sections__body"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "organisation", "government", "applies_to"]}),
        PUBLISHING_FIELDSET,
    ]
    inlines = [GuideSectionInline, CriterionInline, BenefitInline, ChangeNoteInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def history_parts(self, obj):
        """Sections, criteria and benefits, and the findings its charts show."""
        publications = [pk for pk in obj.sections.values_list("publication_id", flat=True) if pk]
        return [*super().history_parts(obj), ("Finding", Finding.history.filter(publication_id__in=publications))]


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["group", "position", "percentage", "statement"]


class AttachmentForm(forms.ModelForm):
    """Size and page count come from the file; they can be typed only for a record without one."""

    class Meta:
        model = Attachment
        fields = ["title", "file", "position", "size_bytes", "page_count"]
        labels = {
            "size_bytes": "Size in bytes (only for an attachment without a file)",
            "page_count": "Number of pages (only for an attachment without a file)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.file:
            for name in ("size_bytes", "page_count"):
                field = self.fields[name]
                field.disabled = True
                field.label = {"size_bytes": "Size in bytes", "page_count": "Number of pages"}[name]
                field.help_text = "Read from the attached file; it cannot be typed over."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("file") and not self.instance.file:
            # A new upload: its own facts replace anything typed (Attachment.save reads them).
            cleaned["size_bytes"] = cleaned["page_count"] = None
        return cleaned


class AttachmentInline(admin.StackedInline):
    model = Attachment
    form = AttachmentForm
    extra = 0
    fields = ["title", "file", "position", "size_bytes", "page_count"]


@admin.register(Publication)
class PublicationAdmin(PublishableAdmin):
    list_display = ["title", "organisation", "published_on", "published_tick"]
    list_filter = ["status", "organisation"]
    search_fields = ["title", "summary", "organisation"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "published_on",
                    "month_only",
                    "organisation",
                    "government",
                    "summary",
                    "body",
                ]
            },
        ),
        PUBLISHING_FIELDSET,
    ]
    inlines = [AttachmentInline, FindingInline, ChangeNoteInline]


class MutualForm(forms.ModelForm):
    """With a postcode and no coordinates, the pin goes at the postcode's centre (and the admin says so)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pin_from_postcode = False
        for name in ("latitude", "longitude"):
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        if data.get("latitude") is None and data.get("longitude") is None and "latitude" not in self.errors:
            pin = pin_at_postcode(data.get("postcode"))
            if pin is None:
                raise forms.ValidationError(
                    {"latitude": "Place the pin on the map, type the latitude and longitude, or give a postcode."}
                )
            data["latitude"], data["longitude"] = pin
            self.pin_from_postcode = True
        elif data.get("latitude") is None or data.get("longitude") is None:
            raise forms.ValidationError({"latitude": "Give both the latitude and the longitude, or neither."})
        return data

    class Meta:
        model = Mutual
        fields = "__all__"  # noqa: DJ007 - the admin picks fields through its fieldsets
        widgets = {
            "latitude": PinMapLatitudeInput(),
            "longitude": forms.NumberInput(attrs={"step": "0.00001"}),
            "sectors": forms.CheckboxSelectMultiple,
        }


@admin.register(Mutual)
class MutualAdmin(ImportExportMixin, PublishableAdmin):
    form = MutualForm
    resource_classes = [MutualResource]
    import_formats = [SpreadsheetFormat]
    import_template_name = "admin/mutuals/mutual/import.html"
    export_formats = [SafeCSV, SafeXLSX]  # cells that cannot run as formulas
    list_display = [
        "name",
        "town",
        "region",
        "sector_list",
        "spun_out_year",
        "trading_status",
        "published_tick",
        "verified_on",
    ]
    list_filter = ["sectors", "region", "trading_status", "status", "legal_form"]
    list_select_related = ["region"]
    readonly_fields = ["local_authority_display"]
    search_fields = ["name", "town", "summary", "parent_body"]
    prepopulated_fields = {"slug": ["name"]}
    list_per_page = 100
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "description", "sectors"]}),
        (
            "Where",
            {"fields": ["region", "town", "address", "postcode", "latitude", "longitude", "local_authority_display"]},
        ),
        (
            "Organisation",
            {
                "fields": [
                    "trading_status",
                    "status_reason",
                    ("status_changed_on", "status_changed_month_only"),
                    "status_source_url",
                    "spun_out_year",
                    "parent_body",
                    "legal_form",
                    "ownership",
                    "website",
                    "email",
                    "companies_house_number",
                    "mutuals_register_number",
                    "charity_number",
                ]
            },
        ),
        ("Checking", {"fields": ["source_url", "verified_on"]}),
        PUBLISHING_FIELDSET,
    ]
    inlines = [ChangeNoteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sectors")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "pin_from_postcode", False):
            messages.info(
                request,
                f"The pin was placed at the centre of {obj.postcode} ({obj.latitude}, {obj.longitude}), "
                "from the ONS Postcode Directory. Move it to the head office if you know where that is.",
            )

    @admin.display(description="Local authority")
    def local_authority_display(self, obj):
        """Read-only: worked out from the postcode, or else the pin, each time either changes."""
        authority = obj.local_authority if obj and obj.pk else None
        if authority is None:
            return "Worked out from the postcode, or else the pin, when you save."
        upper = "" if authority.upper_tier_code == authority.code else f" (in {authority.upper_tier_name})"
        source = "its postcode" if obj.postcode else "its pin (the nearest postcode sector)"
        return f"{authority.name}{upper}, {authority.code}: from {source}. Source: ONS Postcode Directory (OGL)."

    @admin.display(description="Sectors")
    def sector_list(self, obj):
        return ", ".join(obj.sector_names())

    # --- Import: explained on its page, read whatever Excel saved, problems in plain words ---

    def get_urls(self):
        return [
            path(
                "import/template.<str:extension>",
                self.admin_site.admin_view(self.import_template_view),
                name="mutuals_mutual_import_template",
            ),
            path(
                "import/<uuid:result_id>/",
                self.admin_site.admin_view(self.import_status_view),
                name="mutuals_mutual_import_status",
            ),
            *super().get_urls(),
        ]

    # Large files are checked and imported on the task worker (mutuals/background_import.py).
    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                started = background_import.start_if_large(request, self, upload)
                if started:
                    return started
        return super().import_action(request, **kwargs)

    def import_status_view(self, request, result_id):
        return background_import.status_view(self, request, result_id)

    def import_template_view(self, request, extension):
        if not self.has_import_permission(request):
            raise PermissionDenied
        formats = {"csv": CSV(), "xlsx": XLSX()}
        if extension not in formats:
            return HttpResponse("Choose the CSV or the XLSX template.", status=404, content_type="text/plain")
        file_format = formats[extension]
        data = file_format.export_data(MutualResource().template_dataset())
        if extension == "csv":
            data = "\ufeff" + data  # a byte-order mark, so Excel opens the file as UTF-8
        response = HttpResponse(data, content_type=file_format.get_content_type())
        response["Content-Disposition"] = f'attachment; filename="mutuals-import-template.{extension}"'
        return response

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        context["columns"] = [
            {"column": column, "allowed": column.allowed() if column.allowed else None} for column in COLUMNS
        ]
        return context

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", str(e))
        else:
            form.add_error("import_file", "The file could not be read. Save it as CSV or .xlsx and choose it again.")


class ImportedChangeForm(ChangeTypeForm):
    class Meta:
        model = ImportedChange
        fields = []


@admin.register(ImportedChange)
class ImportedChangeAdmin(admin.ModelAdmin):
    """Spreadsheet rows that would change a published mutual: a publisher applies or discards them."""

    form = ImportedChangeForm
    list_display = ["mutual", "file_name", "imported_by", "imported_at", "column_list"]
    list_select_related = ["mutual", "imported_by"]
    readonly_fields = ["mutual", "file_name", "imported_by", "imported_at", "change_table"]
    fields = [*readonly_fields, "change_type", "change_note"]
    actions = ["apply_minor"]

    def has_add_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("mutuals.view_mutual")

    def has_change_permission(self, request, obj=None):
        return can_publish(request.user, Mutual)

    def has_delete_permission(self, request, obj=None):
        return can_publish(request.user, Mutual)

    @admin.display(description="Columns it changes")
    def column_list(self, obj):
        return ", ".join(column for column, _, _ in obj.changes)

    @admin.display(description="What the import would change")
    def change_table(self, obj):
        rows = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>", obj.changes)
        return format_html(
            "<table><thead><tr><th scope='col'>Column</th><th scope='col'>Now</th>"
            "<th scope='col'>After the change</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def save_model(self, request, obj, form, change):
        note = form.cleaned_data["change_note"].strip() if form.cleaned_data["change_type"] == "major" else ""
        try:
            apply_imported_change(obj, user=request.user, note=note)
        except ValidationError as error:
            self.message_user(request, "Not applied: " + " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"Applied to {obj.mutual} as a {form.cleaned_data['change_type']} change.")

    def response_change(self, request, obj):
        return self.response_post_save_change(request, obj)

    @admin.action(description="Apply the selected changes as minor changes", permissions=["change"])
    def apply_minor(self, request, queryset):
        applied = 0
        for change in queryset.select_related("mutual"):
            try:
                apply_imported_change(change, user=request.user)
                applied += 1
            except ValidationError as error:
                self.message_user(request, f"{change.mutual}: not applied: {' '.join(error.messages)}", messages.ERROR)
        self.message_user(request, f"Applied {applied} change(s) as minor changes.", messages.SUCCESS)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_code", "slug"]
