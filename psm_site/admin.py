"""Admin pieces shared by every publishable model: publishing rights, change notes, history."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from psm_site.models import ChangeNote, Feedback, Page, Publishable
from psm_site.publishing import add_change_note, can_publish, publish, unpublish

admin.site.site_header = "Public Service Mutuals: content admin"
admin.site.site_title = "Public Service Mutuals admin"
admin.site.index_title = "Edit the site"


class ChangeNoteInline(GenericTabularInline):
    model = ChangeNote
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

    # A forged request (a field or an action the page did not offer) is refused with a 403 and
    # changes nothing, rather than being quietly ignored.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "status" in request.POST and not self.has_publish_permission(request):
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            current = obj.status if obj is not None else Publishable.Status.DRAFT
            if request.POST["status"] != current:
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and set(request.POST.getlist("action")) - {""} - set(self.get_actions(request)):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

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
        (None, {"fields": ["title", "slug", "summary", "body", "last_reviewed"]}),
        ("Publishing", {"fields": ["status", "first_published_at"]}),
    ]
    inlines = [ChangeNoteInline]


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
