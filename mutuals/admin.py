from django import forms
from django.contrib import admin
from django.urls import path
from import_export.admin import ImportExportMixin

from mutuals import background_import
from mutuals.models import (
    Attachment,
    Benefit,
    Criterion,
    Finding,
    Guide,
    GuideSection,
    Mutual,
    Publication,
    Region,
    Sector,
)
from mutuals.resources import MutualResource
from mutuals.widgets import PinMapLatitudeInput
from psm_site.admin import ChangeNoteInline, PublishableAdmin

PUBLISHING_FIELDSET = ("Publishing", {"fields": ["status", "first_published_at"]})


class GuideSectionInline(admin.StackedInline):
    model = GuideSection
    extra = 0
    fields = ["position", "heading", "body", "block", "publication", "body_after"]
    autocomplete_fields = ["publication"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "text"]
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
        (None, {"fields": ["title", "slug", "summary", "organisation", "applies_to"]}),
        PUBLISHING_FIELDSET,
    ]
    inlines = [GuideSectionInline, CriterionInline, BenefitInline, ChangeNoteInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["group", "position", "percentage", "statement"]


class AttachmentInline(admin.StackedInline):
    model = Attachment
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
        (None, {"fields": ["title", "slug", "published_on", "month_only", "organisation", "summary", "body"]}),
        PUBLISHING_FIELDSET,
    ]
    inlines = [AttachmentInline, FindingInline, ChangeNoteInline]


class MutualForm(forms.ModelForm):
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
    search_fields = ["name", "town", "summary", "parent_body"]
    prepopulated_fields = {"slug": ["name"]}
    list_per_page = 100
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "description", "sectors"]}),
        ("Where", {"fields": ["region", "town", "address", "postcode", "latitude", "longitude"]}),
        (
            "Organisation",
            {
                "fields": [
                    "trading_status",
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

    @admin.display(description="Sectors")
    def sector_list(self, obj):
        return ", ".join(obj.sector_names())

    # Large files are checked and imported on the task worker (mutuals/background_import.py).
    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
                if not input_format.is_binary():
                    input_format.encoding = self.from_encoding
                try:
                    dataset = input_format.create_dataset(upload.read())
                except Exception:  # unreadable: the standard page explains it
                    dataset = None
                upload.seek(0)
                if dataset is not None and background_import.is_large(dataset):
                    return background_import.start(request, self, dataset)
        return super().import_action(request, **kwargs)

    def get_urls(self):
        def status(request, result_id):
            return background_import.status_view(self, request, result_id)

        name = f"{self.opts.app_label}_{self.opts.model_name}_import_status"
        return [path("import/<uuid:result_id>/", self.admin_site.admin_view(status), name=name), *super().get_urls()]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_code", "slug"]
