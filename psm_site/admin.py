"""Admin pieces shared by every publishable model: publishing rights, change notes, history."""

from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from psm_site.models import ChangeNote, Feedback, Government, Page, Publishable
from psm_site.publishing import add_change_note, can_publish, publish, unpublish

admin.site.site_header = "Public Service Mutuals: content admin"
admin.site.site_title = "Public Service Mutuals admin"
admin.site.index_title = "Edit the site"


class DayOrMomentField(forms.SplitDateTimeField):
    """A date with an optional time: an empty time means only the day is known (kept as the
    start of that day, never shown as a time)."""

    widget = AdminSplitDateTime

    def __init__(self, **kwargs):
        super().__init__(require_all_fields=False, required=False, **kwargs)
        self.fields[1].required = False

    def compress(self, data_list):
        if not data_list or data_list[0] in self.empty_values:
            if data_list and data_list[1] not in self.empty_values:
                raise forms.ValidationError("Enter the date as well as the time.", code="incomplete")
            return None
        day, clock = data_list
        return timezone.make_aware(datetime.combine(day, clock or time(0)))


class ChangeNoteForm(forms.ModelForm):
    changed_at = DayOrMomentField(
        label="Date of change",
        help_text="Leave the time empty if only the day is known, and both empty if the date was never recorded.",
    )

    class Meta:
        model = ChangeNote
        fields = ["changed_at", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        note = self.instance
        if note.pk and note.changed_at and not note.time_recorded:
            self.initial["changed_at"] = [timezone.localtime(note.changed_at).date(), None]
        elif note.pk and note.changed_at is None:
            self.initial["changed_at"] = None

    def clean(self):
        cleaned = super().clean()
        raw_time = self.fields["changed_at"].widget.value_from_datadict(
            self.data, self.files, self.add_prefix("changed_at")
        )
        self.instance.time_recorded = bool(cleaned.get("changed_at")) and bool((raw_time[1] or "").strip())
        return cleaned


class ChangeNoteInline(GenericTabularInline):
    model = ChangeNote
    form = ChangeNoteForm
    extra = 0
    fields = ["changed_at", "note"]
    verbose_name_plural = "public change notes (shown under 'show all updates', newest first)"


class ChangeTypeForm(forms.ModelForm):
    """Adds the GOV.UK major/minor choice when an editor saves something already published."""

    change_type = forms.ChoiceField(
        label="Is this a major or a minor change?",
        choices=[
            ("major", "Major: people need to know. A public change note is added and 'Last updated' moves."),
            ("minor", "Minor: a typo or a small fix. Nothing public about the change is shown."),
        ],
        widget=forms.RadioSelect,
        required=True,
    )
    change_note = forms.CharField(
        label="Public change note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required for a major change. Say what changed in one or two sentences, for the public.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("change_type") == "major" and not (cleaned.get("change_note") or "").strip():
            self.add_error("change_note", "Write a public change note for a major change, or choose 'minor'.")
        return cleaned


class PublishableAdmin(SimpleHistoryAdmin):
    """Editors create and change drafts; only Publishers publish or unpublish, by any route."""

    actions = ["publish_selected", "unpublish_selected"]
    change_form_fieldset = (
        "Change note",
        {
            "fields": ["change_type", "change_note"],
            "description": "This item is live. Say whether your change is major (with a public note) or minor.",
        },
    )

    def has_publish_permission(self, request):
        return can_publish(request.user, self.model)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj)) + ["first_published_at"]
        if not self.has_publish_permission(request):
            readonly.append("status")
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.is_published:
            fieldsets.append(self.change_form_fieldset)
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.is_published:
            kwargs["form"] = type("ChangeForm", (ChangeTypeForm, self.form), {})
        return super().get_form(request, obj, change, **kwargs)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        status_changed = "status" in form.changed_data
        if status_changed and not self.has_publish_permission(request):
            raise PermissionDenied  # status is read-only for editors; this guards a forged form
        publishing = status_changed and obj.status == Publishable.Status.PUBLISHED
        if publishing:
            obj.status = Publishable.Status.DRAFT  # publish() below moves it, with its dates and note
        super().save_model(request, obj, form, change)
        if publishing:
            publish(obj)
        elif form.cleaned_data.get("change_type") == "major" and obj.is_published:
            add_change_note(obj, note=form.cleaned_data["change_note"].strip())

    @admin.action(description="Publish selected items", permissions=["publish"])
    def publish_selected(self, request, queryset):
        for item in queryset:
            publish(item)
        self.message_user(request, f"Published {len(queryset)} item(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected items (take off the public site)", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        for item in queryset.published():
            unpublish(item)
        self.message_user(request, "Selected items are now drafts.", messages.SUCCESS)

    @admin.display(boolean=True, description="Published", ordering="status")
    def published_tick(self, obj):
        return obj.is_published


@admin.register(Page)
class PageAdmin(PublishableAdmin):
    list_display = ["title", "slug", "published_tick", "last_reviewed"]
    list_filter = ["status"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "facts", "last_reviewed"]}),
        ("Publishing", {"fields": ["status", "first_published_at"]}),
    ]
    inlines = [ChangeNoteInline]


@admin.register(Government)
class GovernmentAdmin(SimpleHistoryAdmin):
    """Governments for GOV.UK's history mode: guides and research name the one they were published under."""

    list_display = ["name", "started_on", "ended_on", "left_office", "in_office_now"]
    search_fields = ["name"]
    fields = ["name", "started_on", "ended_on", "left_office"]

    @admin.display(boolean=True, description="In office today")
    def in_office_now(self, obj):
        return obj.in_office


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-only: feedback is what the public said, kept as they said it."""

    list_display = ["created_at", "path", "useful", "what_wrong"]
    list_filter = ["useful", "created_at"]
    search_fields = ["path", "what_wrong"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "path", "useful", "what_wrong"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
