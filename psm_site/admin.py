"""Admin pieces shared by every publishable model: publishing rights, change notes, history."""

from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.redirects.admin import RedirectAdmin
from django.contrib.redirects.models import Redirect
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from psm_site.history import timeline
from psm_site.models import ChangeNote, Feedback, Government, Page, Publishable
from psm_site.publishing import add_change_note, can_publish, publish, unpublish
from psm_site.review import approve, last_decision, send_back, submit_for_review, waiting_review

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


class ReviewForm(forms.Form):
    message = forms.CharField(
        label="Message to the publisher (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you changed and anything they should check.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve and publish"), ("send_back", "Send back to the editor")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Comment for the editor",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you send it back: say what to change.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "send_back" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "Say what the editor should change before you send it back.")
        return cleaned


class PublishableAdmin(SimpleHistoryAdmin):
    """Editors create and change drafts; only Publishers publish or unpublish, by any route.

    The major/minor choice sits beside the Save buttons (admin/publishable/change_form.html);
    History shows the item's parts too (psm_site.history); editors can submit for review and
    publishers approve or send back.
    """

    actions = ["publish_selected", "unpublish_selected"]
    change_form_template = "admin/publishable/change_form.html"
    object_history_template = "admin/publishable/history.html"
    schedule_fields = ["publish_at", "unpublish_at"]

    class Media:
        css = {"all": ["css/admin-psm.css"]}

    def has_publish_permission(self, request):
        return can_publish(request.user, self.model)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj)) + ["first_published_at"]
        if not self.has_publish_permission(request):
            readonly += ["status", *self.schedule_fields]
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = list(options.get("fields", []))
            if "status" in fields:
                fields += [f for f in self.schedule_fields if f not in fields]
                options = {
                    **options,
                    "fields": fields,
                    "description": "Times are UK time. A published item with a 'publish at' time stays off the "
                    "public site until then; 'unpublish at' takes it off at that time.",
                }
            fieldsets.append((name, options))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.is_published:
            kwargs["form"] = type("ChangeForm", (ChangeTypeForm, self.form), {})
        return super().get_form(request, obj, change, **kwargs)

    def change_reason(self, form, *, publishing: bool) -> str:
        if publishing:
            return "Published"
        if form.cleaned_data.get("change_type") == "major":
            return f"Major change: {form.cleaned_data['change_note'].strip()}"
        if form.cleaned_data.get("change_type") == "minor":
            return "Minor change"
        return ""

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        status_changed = "status" in form.changed_data
        schedule_changed = bool(set(self.schedule_fields) & set(form.changed_data))
        if (status_changed or schedule_changed) and not self.has_publish_permission(request):
            raise PermissionDenied  # read-only for editors; this guards a forged form
        publishing = status_changed and obj.status == Publishable.Status.PUBLISHED
        if publishing:
            obj.status = Publishable.Status.DRAFT  # publish() below moves it, with its dates and note
        request.psm_change_reason = self.change_reason(form, publishing=publishing)
        obj._change_reason = request.psm_change_reason or None
        super().save_model(request, obj, form, change)
        if publishing:
            publish(obj)
        elif form.cleaned_data.get("change_type") == "major" and obj.is_published:
            add_change_note(obj, note=form.cleaned_data["change_note"].strip())

    def save_formset(self, request, form, formset, change):
        """Inline rows carry the same major/minor reason as the item, for History."""
        reason = getattr(request, "psm_change_reason", "") or None
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)

    def history_parts(self, obj):
        """(label, historical records) for each inline part with a history of its own."""
        parts = []
        for inline in self.inlines:
            model = inline.model
            if not hasattr(model, "history"):
                continue
            fk = next(
                (f for f in model._meta.concrete_fields if f.is_relation and f.related_model is self.model),
                None,
            )
            if fk is not None:
                parts.append((model._meta.verbose_name.capitalize(), model.history.filter(**{fk.attname: obj.pk})))
        return parts

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return super().history_view(request, object_id, extra_context)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.model._meta,
            "entries": timeline(obj, self.history_parts(obj)),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    # --- Review ----------------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{opts.app_label}_{opts.model_name}_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id):
        """Editors submit for review; publishers approve or send back a waiting request."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item: it may have been deleted.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        waiting = waiting_review(obj)
        deciding = waiting is not None
        if deciding and not self.has_publish_permission(request):
            self.message_user(request, "This is already waiting for a publisher's review.", messages.INFO)
            return HttpResponseRedirect(change_url)
        form_class = DecisionForm if deciding else ReviewForm
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if not deciding:
                _, emailed = submit_for_review(
                    obj,
                    user=request.user,
                    message=form.cleaned_data["message"],
                    change_url=request.build_absolute_uri(change_url),
                )
                self.message_user(
                    request,
                    "Submitted for review. Publishers will see it under ‘Waiting for review’"
                    + (" and have been emailed." if emailed else "."),
                    messages.SUCCESS,
                )
            elif form.cleaned_data["decision"] == "approve":
                approve(waiting, user=request.user, comment=form.cleaned_data["comment"])
                self.message_user(request, f"Approved and published: {obj}.", messages.SUCCESS)
            else:
                send_back(waiting, user=request.user, comment=form.cleaned_data["comment"])
                self.message_user(request, f"Sent back to the editor: {obj}.", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": ("Review: " if deciding else "Submit for review: ") + str(obj),
            "object": obj,
            "opts": opts,
            "form": form,
            "review": waiting,
            "change_url": change_url,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/publishable/review.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["review"] = waiting_review(obj)
            context["last_review"] = last_decision(obj)
            context["can_publish"] = self.has_publish_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description="Publish selected items", permissions=["publish"])
    def publish_selected(self, request, queryset):
        for item in queryset:
            publish(item)
        self.message_user(request, f"Published {len(queryset)} item(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected items (take off the public site)", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        for item in queryset.filter(status=Publishable.Status.PUBLISHED):
            unpublish(item)
        self.message_user(request, "Selected items are now drafts.", messages.SUCCESS)

    @admin.display(boolean=True, description="Live now", ordering="status")
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


admin.site.unregister(Redirect)


@admin.register(Redirect)
class PublisherRedirectAdmin(RedirectAdmin):
    """Publishers add, change and remove redirects; Editors can see them (by their group rights)."""

    list_display = ["old_path", "new_path"]
    search_fields = ["old_path", "new_path"]
    fields = ["site", "old_path", "new_path"]
