"""Admin forms: round dates entered in UK time, rounds checked against each other, consortium
members typed as a list."""

from datetime import UTC, datetime, time

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from support.models import Consortium, FundRound
from support.status import UK, closing_moment


class UKSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, showing a saved moment in UK time and saying so."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["time_label"] = "Time, UK time (Europe/London):"
        return context

    def decompress(self, value):
        if value is None:
            return [None, None]
        if timezone.is_aware(value):
            value = timezone.localtime(value, UK)
        return [value.date(), value.time().replace(microsecond=0)]


class UKDateTimeField(forms.SplitDateTimeField):
    """A date and a time read as UK time, whatever TIME_ZONE says; an empty time is `default_time`."""

    widget = UKSplitDateTime

    def __init__(self, *, default_time=time(0), **kwargs):
        self.default_time = default_time  # None: an empty time means 'no time', see FundRoundForm
        super().__init__(require_all_fields=False, **kwargs)
        date_field, time_field = self.fields
        date_field.error_messages["incomplete"] = "Enter the date as well as the time."
        time_field.required = False

    def compress(self, data_list):
        if not data_list or data_list[0] in self.empty_values:
            return None
        day, clock = data_list[0], data_list[1] or self.default_time
        if clock is None:
            return closing_moment(day)
        moment = datetime.combine(day, clock, tzinfo=UK)
        round_trip = moment.astimezone(UTC).astimezone(UK).replace(tzinfo=None)
        if round_trip != moment.replace(tzinfo=None):
            raise ValidationError(
                "That time does not exist in the UK on that day: the clocks go forward. Choose another time.",
                code="imaginary",
            )
        if moment.replace(fold=1).utcoffset() != moment.utcoffset():
            raise ValidationError(
                "That time happens twice in the UK on that day: the clocks go back. Choose another time.",
                code="ambiguous",
            )
        return moment


def _help(name):
    return FundRound._meta.get_field(name).help_text


class FundRoundForm(forms.ModelForm):
    """A round's dates in UK time. The closing time is optional: without one the round closes at
    the end of the day (support.status.closing_moment) and says so, naming no time."""

    opens_at = UKDateTimeField(label="Opens", required=False, help_text=_help("opens_at"))
    closes_at = UKDateTimeField(label="Closes", default_time=None, help_text=_help("closes_at"))

    class Meta:
        model = FundRound
        fields = ["fund", "number", "opens_at", "closes_at", "budget", "notes", "how_to_apply", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fund_round = self.instance
        if fund_round.pk and fund_round.closes_at and not fund_round.closing_time_recorded:
            self.initial["closes_at"] = [fund_round.closing_day, None]  # shown as typed: a day, no time

    def clean(self):
        cleaned = super().clean()
        raw = self.fields["closes_at"].widget.value_from_datadict(self.data, self.files, self.add_prefix("closes_at"))
        self.instance.closing_time_recorded = bool(raw and len(raw) > 1 and (raw[1] or "").strip())
        return cleaned


class FundRoundFormSet(BaseInlineFormSet):
    """A fund's rounds as submitted together: no two may overlap.

    Each round's own clean() checks saved rounds; here the check uses the values on the page, so
    moving two rounds in one save is judged on the result.
    """

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.checked_with_siblings = True
        return form

    def clean(self):
        super().clean()
        kept = [
            form for form in self.forms if form.cleaned_data and form.is_valid() and not self._should_delete_form(form)
        ]
        kept.sort(key=lambda form: form.cleaned_data["closes_at"])
        for index, form in enumerate(kept):
            current = form.instance
            other = current.overlapping(f.instance for f in kept[:index])
            if other is not None:
                field = "opens_at" if current.opens_at else "closes_at"
                form.add_error(field, current.overlap_message(other))


class ConsortiumForm(forms.ModelForm):
    """A consortium with its members typed one per line, so editors need no second screen."""

    members_text = forms.CharField(
        label="Member organisations",
        widget=forms.Textarea(attrs={"rows": 6, "cols": 50}),
        required=False,
        help_text="One organisation per line, in the order to show them.",
    )

    class Meta:
        model = Consortium
        fields = ["name", "position", "members_text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["members_text"] = "\n".join(m.name for m in self.instance.members.all())

    def clean_members_text(self):
        names = [" ".join(line.split()) for line in self.cleaned_data["members_text"].splitlines()]
        names = [name for name in names if name]
        too_long = [name for name in names if len(name) > 200]
        if too_long:
            raise ValidationError(f"Shorten this name to 200 characters or fewer: {too_long[0][:40]}…")
        duplicates = {name for name in names if names.count(name) > 1}
        if duplicates:
            raise ValidationError(f"This organisation is listed twice: {sorted(duplicates)[0]}.")
        return names

    def _save_m2m(self):
        # Runs after the consortium is saved, whether the admin saves with commit or not.
        super()._save_m2m()
        names = self.cleaned_data.get("members_text", [])
        existing = {member.name: member for member in self.instance.members.all()}
        for member in existing.values():
            if member.name not in names:
                member.delete()
        for position, name in enumerate(names):
            member = existing.get(name)
            if member is None:
                self.instance.members.create(name=name, position=position)
            elif member.position != position:
                member.position = position
                member.save(update_fields=["position"])
