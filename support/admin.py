from django.contrib import admin
from django.utils.html import format_html

from psm_site.admin import PUBLISHING_FIELDSET, ChangeNoteInline, PublishableAdmin
from psm_site.models import Publishable
from psm_site.publishing.actions import can_publish, publish
from support import uktime
from support.forms import ConsortiumForm, FundRoundForm, FundRoundFormSet
from support.models import Consortium, Fund, FundRound, Programme, rounds_prefetch
from support.status import Availability

CLOSED_FIELDSET = (
    "Closed for good",
    {
        "fields": ["closed_for_good", "closed_reason", "closed_on"],
        "description": "Only when no further rounds or applications will follow. Otherwise the dates decide.",
    },
)


def status_tag(status):
    if status is None:
        return "Not known"
    return format_html("<strong>{}</strong>", status.label)


class StatusFilter(admin.SimpleListFilter):
    """Filter by the status computed from today's date, translated into a date query."""

    title = "status today"
    parameter_name = "open_status"

    def lookups(self, request, model_admin):
        return Availability.choices

    def queryset(self, request, queryset):
        if self.value() in Availability.values:
            return queryset.with_status(self.value())
        return queryset


def _publish_new_rounds(formset):
    """Rounds a publisher has just set to 'published' go through publish(), for their dates and note."""
    publishing = []
    for form in formset.forms:
        if "status" not in form.changed_data or formset._should_delete_form(form):
            continue
        if form.instance.status == Publishable.Status.PUBLISHED:
            form.instance.status = Publishable.Status.DRAFT
            publishing.append(form.instance)
    return publishing


# --- Funds and rounds -------------------------------------------------------------------------


class FundRoundInline(admin.StackedInline):
    model = FundRound
    form = FundRoundForm
    formset = FundRoundFormSet
    extra = 0
    fields = ["number", "opens_at", "closes_at", "status_today", "budget", "notes", "how_to_apply", "status"]
    readonly_fields = ["status_today"]
    verbose_name_plural = "rounds (each with its own dates; a round shows on the site only once published)"
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not can_publish(request.user, FundRound) or getattr(request, "psm_revision_layout", False):
            readonly.append("status")  # a draft revision leaves publishing to the publisher's decision
        return readonly

    @admin.display(description="Status today")
    def status_today(self, obj):
        return status_tag(obj.availability) if obj.pk and obj.closes_at else "Shown after saving"


@admin.register(Fund)
class FundAdmin(PublishableAdmin):
    list_display = ["name", "programme", "status_today", "next_deadline", "published_tick"]
    list_filter = [StatusFilter, "status", "programme"]
    list_select_related = ["programme"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["programme"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "programme", "summary"]}),
        ("Grants", {"fields": ["max_grant", "min_grant", "total_pot"]}),
        ("For applicants", {"fields": ["uses", "who_can_apply", "how_to_apply"]}),
        CLOSED_FIELDSET,
        PUBLISHING_FIELDSET,
    ]
    inlines = [FundRoundInline, ChangeNoteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(rounds_prefetch())

    @admin.display(description="Status on the site today")
    def status_today(self, obj):
        return status_tag(obj.availability)

    @admin.display(description="Next deadline (UK time)")
    def next_deadline(self, obj):
        current = obj.current_rounds
        return f"{current[0].title}: {current[0].deadline_text}" if current else "–"

    def save_formset(self, request, form, formset, change):
        publishing = _publish_new_rounds(formset) if formset.model is FundRound else []
        super().save_formset(request, form, formset, change)
        for fund_round in publishing:
            publish(fund_round)


@admin.register(FundRound)
class FundRoundAdmin(PublishableAdmin):
    """Every round in one list, with its status today; rounds are also edited on their fund's page."""

    form = FundRoundForm
    list_display = ["__str__", "fund", "opens", "closes", "status_today", "published_tick"]
    list_display_links = ["__str__"]
    list_filter = [StatusFilter, "status", "fund"]
    list_select_related = ["fund"]
    search_fields = ["fund__name", "notes"]
    autocomplete_fields = ["fund"]
    ordering = ["-closes_at"]
    fieldsets = [
        (None, {"fields": ["fund", "number", "opens_at", "closes_at", "budget"]}),
        ("For applicants", {"fields": ["notes", "how_to_apply"]}),
        PUBLISHING_FIELDSET,
    ]
    inlines = [ChangeNoteInline]

    @admin.display(description="Opens (UK time)", ordering="opens_at")
    def opens(self, obj):
        return uktime.opening(obj.opens_at) if obj.opens_at else "Not recorded"

    @admin.display(description="Closes (UK time)", ordering="closes_at")
    def closes(self, obj):
        return obj.deadline_text

    @admin.display(description="Status today")
    def status_today(self, obj):
        return status_tag(obj.availability)


# --- Programmes -------------------------------------------------------------------------------


class ConsortiumInline(admin.StackedInline):
    """Consortia with their members as a typed list: one screen for the whole programme."""

    model = Consortium
    form = ConsortiumForm
    extra = 0
    fields = ["name", "position", "members_text"]
    verbose_name_plural = "delivery partners (consortia and their member organisations)"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members")


@admin.register(Programme)
class ProgrammeAdmin(PublishableAdmin):
    list_display = ["name", "audience", "status_today", "published_tick"]
    list_filter = ["status", "audience", "closed_for_good"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "audience", "total_funding"]}),
        ("About", {"fields": ["body", "offers", "eligibility", "how_to_apply", "contact"]}),
        (
            "Dates",
            {
                "fields": [
                    ("launched_on", "launched_text"),
                    ("opens_on", "opens_text"),
                    ("closes_on", "closes_text"),
                ],
                "description": "Give a date when the day is known. When only 'January 2018' or 'early 2018' was "
                "announced, leave the date empty and type that beside it. Dates are UK dates.",
            },
        ),
        CLOSED_FIELDSET,
        PUBLISHING_FIELDSET,
    ]
    inlines = [ConsortiumInline, ChangeNoteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_public_funds()

    @admin.display(description="Status on the site today")
    def status_today(self, obj):
        return status_tag(obj.availability)
