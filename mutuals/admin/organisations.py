"""The registry's admin: mutuals (with the spreadsheet import and export), changes by import
waiting for a publisher, imports and their withdrawal, sectors and regions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm

from mutuals import background_import
from mutuals.geography import pin_at_postcode
from mutuals.models import ImportBatch, ImportedChange, Mutual, Region, Sector
from mutuals.resources import (
    COLUMNS,
    MutualResource,
    apply_imported_change,
    describe_totals,
    held_columns,
    reject_imported_change,
    withdraw_import,
    withdrawal_plan,
)
from mutuals.spreadsheets import SpreadsheetError, SpreadsheetFormat
from mutuals.widgets import PinMapLatitudeInput
from psm_site.admin import PUBLISHING_FIELDSET, ChangeNoteInline, ChangeTypeForm, PublishableAdmin
from psm_site.publishing.actions import can_publish
from psm_site.spreadsheets import SafeCSV, SafeXLSX


class MutualExportForm(SelectableFieldsExportForm):
    """CSV is chosen already (Excel one click away): no empty '---' format to trip over."""

    def _init_formats(self, formats):
        super()._init_formats(formats)
        field = self.fields["format"]
        field.choices = [choice for choice in field.choices if choice[0] != ""]
        self.initial.setdefault("format", "0")


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
    delete_selected_confirmation_template = "admin/mutuals/mutual/delete_selected_confirmation.html"
    export_formats = [SafeCSV, SafeXLSX]  # cells that cannot run as formulas
    export_form_class = MutualExportForm
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

    def add_success_message(self, result, request):
        batch = getattr(result, "batch", None)
        message = f"Import finished: {describe_totals(result)}."
        if getattr(result, "held", 0):
            message += " Changes to published mutuals wait under ‘Changes by import waiting for review’."
        if batch:
            url = reverse("admin:mutuals_importbatch_change", args=[batch.pk])
            self.message_user(
                request, format_html('{} <a href="{}">See this import, or withdraw it</a>.', message, url)
            )
        else:
            self.message_user(request, message)

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
    take_import_for = forms.MultipleChoiceField(
        label="Changed since the import: take the import’s value for",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Someone changed these columns after the file was imported. Unticked, they keep today’s value.",
    )

    class Meta:
        model = ImportedChange
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        conflicts = [c for c in held_columns(self.instance) if c.conflict] if self.instance.pk else []
        if conflicts:
            self.fields["take_import_for"].choices = [
                (c.column, f"{c.column}: ‘{c.imported}’ from the file instead of ‘{c.now}’ now") for c in conflicts
            ]
        else:
            del self.fields["take_import_for"]


@admin.register(ImportedChange)
class ImportedChangeAdmin(admin.ModelAdmin):
    """Spreadsheet rows that would change a published mutual: a publisher applies or rejects them,
    seeing each column against the mutual as it is now (a column changed since the import is a
    conflict, never silently overwritten)."""

    form = ImportedChangeForm
    change_form_template = "admin/mutuals/importedchange/change_form.html"
    list_display = ["mutual", "file_name", "imported_by", "imported_at", "column_list"]
    list_select_related = ["mutual", "imported_by"]
    readonly_fields = ["mutual", "file_name", "imported_by", "imported_at", "change_table"]
    actions = ["apply_minor"]

    def get_fields(self, request, obj=None):
        form_fields = ["change_type", "change_note"]
        if obj is not None and any(c.conflict for c in held_columns(obj)):
            form_fields.insert(0, "take_import_for")
        return [*self.readonly_fields, *form_fields]

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
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    c.column,
                    c.at_import,
                    c.now,
                    c.imported,
                    "Conflict: changed since the import; kept unless you choose the import’s value below"
                    if c.conflict
                    else ("Already the same" if c.done else "Will change"),
                )
                for c in held_columns(obj)
            ),
        )
        return format_html(
            "<table class='psm-held-change'><thead><tr><th scope='col'>Column</th>"
            "<th scope='col'>When imported</th><th scope='col'>Now</th><th scope='col'>In the file</th>"
            "<th scope='col'>What applying does</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_reject" in request.POST and object_id:
            change = self.get_object(request, object_id)
            if change is None or not self.has_delete_permission(request, change):
                raise PermissionDenied
            self.log_deletions(request, [change])
            reject_imported_change(change, user=request.user)
            self.message_user(request, f"Rejected the import’s change to {change.mutual}. Nothing was changed.")
            return self.response_post_save_change(request, change)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        note = form.cleaned_data["change_note"].strip() if form.cleaned_data["change_type"] == "major" else ""
        take = form.cleaned_data.get("take_import_for") or []
        try:
            kept = apply_imported_change(obj, user=request.user, note=note, take_import_for=take)
        except ValidationError as error:
            self.message_user(request, "Not applied: " + " ".join(error.messages), messages.ERROR)
            return
        message = f"Applied to {obj.mutual} as a {form.cleaned_data['change_type']} change."
        if kept:
            message += f" Kept today’s value, changed since the import, for: {', '.join(kept)}."
        self.message_user(request, message, messages.WARNING if kept else messages.SUCCESS)

    def response_change(self, request, obj):
        return self.response_post_save_change(request, obj)

    @admin.action(description="Apply the selected changes as minor changes", permissions=["change"])
    def apply_minor(self, request, queryset):
        applied = 0
        for change in queryset.select_related("mutual"):
            try:
                kept = apply_imported_change(change, user=request.user)
                applied += 1
            except ValidationError as error:
                self.message_user(request, f"{change.mutual}: not applied: {' '.join(error.messages)}", messages.ERROR)
                continue
            if kept:
                self.message_user(
                    request,
                    f"{change.mutual}: kept today’s value, changed since the import, for: {', '.join(kept)}.",
                    messages.WARNING,
                )
        self.message_user(request, f"Applied {applied} change(s) as minor changes.", messages.SUCCESS)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Every registry import, with what it did; a publisher can withdraw one (withdraw_import)."""

    change_form_template = "admin/mutuals/importbatch/change_form.html"
    list_display = [
        "__str__",
        "source",
        "imported_by",
        "created_count",
        "updated_count",
        "held_count",
        "withdrawn_at",
    ]
    list_filter = ["source", ("withdrawn_at", admin.EmptyFieldListFilter)]
    list_select_related = ["imported_by"]
    search_fields = ["file_name"]
    fields = readonly_fields = [
        "file_name",
        "source",
        "imported_by",
        "imported_at",
        "created_count",
        "updated_count",
        "held_count",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawal",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("mutuals.view_mutual")

    def get_urls(self):
        return [
            path(
                "<int:batch_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="mutuals_importbatch_withdraw",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_withdraw": can_publish(request.user, Mutual)}
        return super().change_view(request, object_id, form_url, extra_context)

    def withdraw_view(self, request, batch_id):
        if not can_publish(request.user, Mutual):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=batch_id)
        if request.method == "POST" and not batch.withdrawn_at:
            try:
                withdrawal = withdraw_import(batch, user=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"Withdrawn: {withdrawal}.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:mutuals_importbatch_change", args=[batch.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Withdraw the import of {batch.file_name or 'a spreadsheet'}",
            "batch": batch,
            "plan": withdrawal_plan(batch),
        }
        return TemplateResponse(request, "admin/mutuals/importbatch/withdraw.html", context)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_code", "slug"]
