from django.contrib import admin

from mutuals.models import Attachment, Benefit, Criterion, Finding, Guide, GuideSection, Publication
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
