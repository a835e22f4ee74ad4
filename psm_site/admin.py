"""Admin pieces shared by every publishable model: publishing rights, change notes, history."""

from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminErrorList
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.redirects.admin import RedirectAdmin
from django.contrib.redirects.models import Redirect
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.forms.formsets import all_valid
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from psm_site.models import ChangeNote, Feedback, Government, Page, Publishable
from psm_site.publishing.actions import add_change_note, can_publish, publish, unpublish
from psm_site.publishing.history import Change, shown, timeline, word_diff
from psm_site.publishing.review import approve, last_decision, send_back, submit_for_review, waiting_review
from psm_site.publishing.revisions import as_submitted, discard_revision, revision_for, save_revision

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
        required=False,
    )
    change_note = forms.CharField(
        label="Public change note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required for a major change. Say what changed in one or two sentences, for the public.",
    )

    # Changing only when an item goes live or comes off is not a change to what it says.
    not_content = {"status", "publish_at", "unpublish_at", "change_type", "change_note"}

    def clean(self):
        cleaned = super().clean()
        content_changed = bool(set(self.changed_data) - self.not_content) or self.instance.pk is None
        if not cleaned.get("change_type") and (content_changed or not self.changed_data):
            self.add_error("change_type", forms.ValidationError("This field is required.", code="required"))
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


class RevisionDecisionForm(DecisionForm):
    """The decision on a draft revision: approving it chooses major or minor, as a direct save does."""

    change_type = ChangeTypeForm.declared_fields["change_type"]
    change_note = ChangeTypeForm.declared_fields["change_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_type"].required = False
        self.fields["change_type"].label = "If you approve: is this a major or a minor change?"
        self.fields["change_note"].help_text = "Required for a major change. The editor's suggestion is filled in."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "approve":
            if not cleaned.get("change_type"):
                self.add_error("change_type", "Choose major or minor before you approve.")
            elif cleaned["change_type"] == "major" and not (cleaned.get("change_note") or "").strip():
                self.add_error("change_note", "Write a public change note for a major change, or choose 'minor'.")
        return cleaned


def _as_text(value) -> str:
    """A form value as an editor reads it (a list of related rows as their names)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | models.QuerySet):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


# Every publishable model's admin ends its fieldsets with this one (PublishableAdmin adds the schedule).
PUBLISHING_FIELDSET = ("Publishing", {"fields": ["status", "first_published_at"]})


class PublishableAdmin(SimpleHistoryAdmin):
    """Editors create and change drafts; only Publishers publish or unpublish, by any route.

    The major/minor choice sits beside the Save buttons (admin/publishable/change_form.html);
    History shows the item's parts too (psm_site.publishing.history); editors can submit for review and
    publishers approve or send back.
    """

    actions = ["publish_selected", "unpublish_selected"]
    change_form_template = "admin/publishable/change_form.html"
    object_history_template = "admin/publishable/history.html"
    schedule_fields = ["publish_at", "unpublish_at"]

    class Media:
        css = {"all": ["css/admin-psm.css"]}

    def has_publish_permission(self, request):
        # While a draft revision is shown or applied, the form is the editor's: publishing status
        # and schedule are not part of a revision (psm_site/publishing/revisions.py).
        return can_publish(request.user, self.model) and not getattr(request, "psm_revision_layout", False)

    # A forged request (a field or an action the page did not offer) is refused with a 403 and
    # changes nothing, rather than being quietly ignored.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if request.method == "POST" and "status" in request.POST and not self.has_publish_permission(request):
            current = obj.status if obj is not None else Publishable.Status.DRAFT
            if request.POST["status"] != current:
                raise PermissionDenied
        if obj is not None:
            revision = revision_for(obj)
            request.psm_revision = revision
            request.psm_as_revision = self.makes_revisions(request, obj)
            if revision is not None or request.psm_as_revision:
                request.psm_revision_layout = True
                if revision is not None and request.method != "POST":
                    request.psm_form_data = as_submitted(revision)
            version = self.current_version(obj, revision)
            request.psm_version = version
            opened_at = request.POST.get("_psm_version") if request.method == "POST" else None
            if opened_at is not None and opened_at != version["token"]:
                request.psm_stale = version
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and set(request.POST.getlist("action")) - {""} - set(self.get_actions(request)):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

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
        if obj is not None and obj.pk is not None and obj.status == Publishable.Status.PUBLISHED:
            kwargs["form"] = type("ChangeForm", (ChangeTypeForm, self.form), {})
        form_class = super().get_form(request, obj, change, **kwargs)
        shown = getattr(request, "psm_form_data", None)
        stale = getattr(request, "psm_stale", None)
        if shown is None and stale is None:
            return form_class
        model_admin = self

        class ShownForm(form_class):
            """Bound to a stored revision when there is no submission; refuses a save over a newer version."""

            def __init__(self, data=None, files=None, *args, **kwargs):
                if data is None and shown is not None:
                    data, files = shown
                super().__init__(data, files, *args, **kwargs)

            def clean(self):
                cleaned = super().clean()
                if stale is not None:
                    raise forms.ValidationError(model_admin.stale_message(stale), code="stale")
                return cleaned

        return ShownForm

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        shown = getattr(request, "psm_form_data", None)
        if shown is not None:
            kwargs.update(data=shown[0].copy(), files=shown[1])
        return kwargs

    def change_reason(self, form, *, publishing: bool, request=None) -> str:
        if publishing:
            return "Published"
        kind = form.cleaned_data.get("change_type")
        if kind == "major":
            reason = f"Major change: {form.cleaned_data['change_note'].strip()}"
        elif kind == "minor":
            reason = "Minor change"
        elif set(self.schedule_fields) & set(form.changed_data):
            return "Publishing schedule changed"
        else:
            return ""
        approving = getattr(request, "psm_approving", None)
        if approving is not None:
            return f"{reason} (draft revision by {approving.updated_by or 'an editor'}, approved)"
        if form.instance.pk is not None and can_publish(request.user, self.model) and request.psm_was_published:
            return f"{reason} (saved straight to live by a publisher)"
        return reason

    def makes_revisions(self, request, obj) -> bool:
        """An editor's save of a published item becomes a draft revision; the live item stays."""
        return obj.status == Publishable.Status.PUBLISHED and not can_publish(request.user, self.model)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if getattr(request, "psm_as_revision", False):
            request.psm_saved_revision, _ = save_revision(
                obj,
                user=request.user,
                post=request.POST,
                files=request.FILES,
                based_on=self.current_version(obj)["token"],
            )
            return
        status_changed = "status" in form.changed_data
        schedule_changed = bool(set(self.schedule_fields) & set(form.changed_data))
        if (status_changed or schedule_changed) and not self.has_publish_permission(request):
            raise PermissionDenied  # read-only for editors; this guards a forged form
        publishing = status_changed and obj.status == Publishable.Status.PUBLISHED
        if publishing:
            obj.status = Publishable.Status.DRAFT  # publish() below moves it, with its dates and note
        request.psm_was_published = form.initial.get("status", obj.status) == Publishable.Status.PUBLISHED
        request.psm_change_reason = self.change_reason(form, publishing=publishing, request=request)
        obj._change_reason = request.psm_change_reason or None
        super().save_model(request, obj, form, change)
        if publishing:
            publish(obj)
        elif form.cleaned_data.get("change_type") == "major" and obj.is_published:
            add_change_note(obj, note=form.cleaned_data["change_note"].strip())

    def save_related(self, request, form, formsets, change):
        if getattr(request, "psm_as_revision", False):
            return  # kept in the revision; the live item's parts stay as they are
        super().save_related(request, form, formsets, change)
        revision = getattr(request, "psm_revision", None)
        if revision is not None and getattr(request, "psm_approving", None) is None:
            discard_revision(revision)  # a publisher saved the form that showed it: it is live now

    def save_formset(self, request, form, formset, change):
        """Inline rows carry the same major/minor reason as the item, for History."""
        reason = getattr(request, "psm_change_reason", "") or None
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)

    def response_change(self, request, obj):
        revision = getattr(request, "psm_saved_revision", None)
        if revision is None:
            return super().response_change(request, obj)
        review_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_review", args=[obj.pk])
        self.message_user(
            request,
            format_html(
                "Saved as a draft revision. The live page has not changed: a publisher must approve it first. "
                '<a href="{}">Submit it for review</a> when it is ready.',
                review_url,
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(request.path)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "psm_as_revision", False):
            return [{"changed": {"fields": ["draft revision"]}}]  # the parts were not saved
        return super().construct_change_message(request, form, formsets, add)

    # --- Versions: a save over a newer version is refused ------------------------------------------

    def current_version(self, obj, revision=None) -> dict:
        """The item's version now: its newest history record, its parts' and its draft revision's."""
        records = [obj.history.select_related("history_user").order_by("-history_id").first()]
        records += [
            parts.select_related("history_user").order_by("-history_id").first() for _, parts in self.history_parts(obj)
        ]
        records = [record for record in records if record is not None]
        token = ".".join(str(record.history_id) for record in records)
        newest = max(records, key=lambda record: record.history_date, default=None)
        who, when = (newest.history_user, newest.history_date) if newest is not None else (None, None)
        if revision is not None:
            token += f"-r{revision.pk}.{revision.updated_at.timestamp()}"
            if when is None or revision.updated_at > when:
                who, when = revision.updated_by, revision.updated_at
        return {"token": token, "who": who, "when": when, "pk": obj.pk}

    def stale_message(self, version):
        history_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[version["pk"]])
        when = timezone.localtime(version["when"]).strftime("%-d %B %Y at %H:%M") if version["when"] else "recently"
        return format_html(
            "Not saved: {} changed this {} on {} (UK time), after you opened it. Your changes are still in the "
            'form below, and theirs are kept. <a href="{}">Compare in History</a>, then open the item again and '
            "make your change.",
            version["who"] or "someone",
            self.opts.verbose_name,
            when,
            history_url,
        )

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
        """Editors submit for review; publishers see what a draft revision changes, then approve
        (applying it, as major or minor) or send it back."""
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
        revision = revision_for(obj)
        if request.method == "POST" and "_discard" in request.POST and revision is not None:
            with transaction.atomic():
                discard_revision(revision)
                if deciding:
                    send_back(waiting, user=request.user, comment="The draft revision was discarded.")
            self.message_user(request, f"Draft revision discarded: {obj} is as it is live.", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        if deciding and revision is not None:
            suggested = {key: (revision.data.get(key) or [""])[0] for key in ("change_type", "change_note")}
            form = RevisionDecisionForm(request.POST or None, initial=suggested)
        else:
            form = (DecisionForm if deciding else ReviewForm)(request.POST or None)
        draft_errors = None
        live = self.current_version(obj)
        live_changed = live if revision is not None and revision.based_on != live["token"] else None
        if request.method == "POST" and form.is_valid():
            absolute_change_url = request.build_absolute_uri(change_url)
            if not deciding:
                _, emailed = submit_for_review(
                    obj, user=request.user, message=form.cleaned_data["message"], change_url=absolute_change_url
                )
                self.message_user(
                    request,
                    "Submitted for review. Publishers will see it under ‘Waiting for review’"
                    + (" and have been emailed." if emailed else "."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
            if form.cleaned_data["decision"] == "approve" and live_changed:
                form.add_error(None, "Not approved: the live version changed after this draft was saved (see above).")
            elif form.cleaned_data["decision"] == "approve":
                with transaction.atomic():
                    if revision is not None:
                        draft_errors = self.apply_revision(
                            request,
                            obj,
                            revision,
                            change_type=form.cleaned_data["change_type"],
                            change_note=form.cleaned_data["change_note"],
                        )
                    if draft_errors is None:
                        approve(
                            waiting,
                            user=request.user,
                            comment=form.cleaned_data["comment"],
                            change_url=absolute_change_url,
                        )
                if draft_errors is None:
                    self.message_user(request, f"Approved and published: {obj}.", messages.SUCCESS)
                    return HttpResponseRedirect(change_url)
            else:
                send_back(
                    waiting, user=request.user, comment=form.cleaned_data["comment"], change_url=absolute_change_url
                )
                self.message_user(request, f"Sent back to the editor: {obj}.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": ("Review: " if deciding else "Submit for review: ") + str(obj),
            "object": obj,
            "opts": opts,
            "form": form,
            "review": waiting,
            "revision": revision,
            "draft_errors": draft_errors,
            "live_changed": live_changed,
            "change_url": change_url,
            "history_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]),
        }
        if revision is not None:
            context["revision_changes"] = self.revision_changes(request, obj, revision)
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/publishable/review.html", context)

    # --- Draft revisions: shown, compared and applied through this admin's own forms ------------------

    def revision_forms(self, request, obj, submitted):
        """The change form and inline formsets bound to a revision's data, for the live `obj`.

        Validating them sets the draft's values on `obj` and on each part's instance (nothing is saved).
        """
        request.psm_revision_layout = True
        request.psm_form_data = submitted
        try:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
            form = self.get_form(request, obj, change=True, fields=fields)(instance=obj)
            valid = form.is_valid()
            formsets, _ = self._create_formsets(request, form.instance, change=True)
            valid = all_valid(formsets) and valid
        finally:
            del request.psm_form_data
            request.psm_revision_layout = False
        return form, formsets, valid

    def show_revision(self, request, obj, revision) -> bool:
        """Set a draft revision's values on `obj` and its inline parts, for a staff preview.

        Returns False (and leaves what the page shows live) when the revision no longer fits.
        """
        form, formsets, valid = self.revision_forms(request, obj, as_submitted(revision))
        if not valid:
            return False
        for name, value in form.cleaned_data.items():
            model_field = next((f for f in self.model._meta.many_to_many if f.name == name), None)
            if model_field is not None:
                obj._prefetched_objects_cache = getattr(obj, "_prefetched_objects_cache", {})
                obj._prefetched_objects_cache[name] = value
        for formset in formsets:
            fk = getattr(formset, "fk", None)
            if fk is None:
                continue  # change notes: the public ones stay as they are until approval
            rows = [
                f.instance
                for f in formset.forms
                if not formset._should_delete_form(f) and (f.instance.pk is not None or f.has_changed())
            ]
            obj.show_draft_parts(fk.remote_field.get_accessor_name(), rows)
        return True

    def revision_changes(self, request, obj, revision):
        """What the draft revision changes, part by part: (what, action, [Change])."""
        live = self.model._default_manager.get(pk=obj.pk)
        draft = self.model._default_manager.get(pk=obj.pk)
        form, formsets, _ = self.revision_forms(request, draft, as_submitted(revision))
        skip = {"change_type", "change_note"}
        result = []
        own = [self.field_change(form, name, live, form.instance) for name in form.changed_data if name not in skip]
        if own:
            result.append((obj._meta.verbose_name.capitalize(), "Changed", own))
        for formset in formsets:
            label = formset.model._meta.verbose_name.capitalize()
            for part in formset.forms:
                before = part.instance.pk and formset.model._default_manager.filter(pk=part.instance.pk).first()
                if formset._should_delete_form(part):
                    if before:
                        result.append((f"{label}: {before}", "Removed", []))
                elif not before and part.has_changed():
                    changes = [self.field_change(part, n, None, part.instance) for n in part.changed_data]
                    result.append((f"{label}: {part.instance}", "Added", [c for c in changes if c.diff]))
                elif before and part.has_changed():
                    changes = [self.field_change(part, n, before, part.instance) for n in part.changed_data]
                    result.append((f"{label}: {before}", "Changed", changes))
        return result

    @staticmethod
    def field_change(form, name, before, after) -> Change:
        """One field's change: word by word for text, before and after for anything else."""
        field = form.fields[name]
        label = str(field.label or name).capitalize()
        model_fields = {f.name: f for f in after._meta.concrete_fields}
        if name in model_fields:
            old = shown(before, name) if before is not None else ""
            new = shown(after, name)
            is_text = (
                isinstance(model_fields[name], models.CharField | models.TextField) and not model_fields[name].choices
            )
        else:
            old = _as_text(form.initial.get(name)) if before is not None else ""
            new = _as_text(form.cleaned_data.get(name))
            is_text = isinstance(field, forms.CharField)
        if is_text or not old:
            return Change(label, word_diff(old, new) if (old or new) else "")
        return Change(label, format_html("Before: <del>{}</del> After: <ins>{}</ins>", old, new or "(empty)"))

    def apply_revision(self, request, obj, revision, *, change_type: str, change_note: str):
        """Make a draft revision live through the change form, as the publisher's save with their
        major/minor choice. Returns None when applied, or the form's errors when it no longer fits."""
        data, files = as_submitted(revision)
        data["change_type"], data["change_note"] = change_type, change_note
        form, formsets, valid = self.revision_forms(request, obj, (data, files))
        if not valid:
            return AdminErrorList(form, formsets)
        request.psm_approving, request.psm_revision, request.psm_as_revision = revision, revision, False
        obj = self.save_form(request, form, change=True)
        self.save_model(request, obj, form, True)
        self.save_related(request, form, formsets, True)
        self.log_change(request, obj, self.construct_change_message(request, form, formsets))
        discard_revision(revision)
        return None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["review"] = waiting_review(obj)
            context["last_review"] = last_decision(obj)
            context["can_publish"] = can_publish(request.user, self.model)
            context["revision"] = revision = getattr(request, "psm_revision", None)
            if revision is not None:
                context["revision_behind"] = revision.based_on != self.current_version(obj)["token"]
            version = getattr(request, "psm_version", None)
            opened = request.POST.get("_psm_version") if request.method == "POST" else None
            context["psm_version"] = opened or (version or {}).get("token", "")
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description="Publish selected items", permissions=["publish"])
    def publish_selected(self, request, queryset):
        for item in queryset:
            item._change_reason = "Published (with ‘Publish selected items’)"
            publish(item)
        self.message_user(request, f"Published {len(queryset)} item(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected items (take off the public site)", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        for item in queryset.filter(status=Publishable.Status.PUBLISHED):
            item._change_reason = "Unpublished (with ‘Unpublish selected items’)"
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
        PUBLISHING_FIELDSET,
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
