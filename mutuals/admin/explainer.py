"""The explainer's admin: guides with their sections, criteria and benefits; research publications
with their PDF attachments and findings."""

from django import forms
from django.contrib import admin
from django.db import models

from mutuals.models import Attachment, Benefit, Criterion, Finding, Guide, GuideSection, Publication
from psm_site.admin import PUBLISHING_FIELDSET, ChangeNoteInline, PublishableAdmin


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
