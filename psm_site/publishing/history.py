"""One timeline of everything that happened to an item and its parts, for its History page.

A guide's sections, criteria and benefits (and the findings its charts show) are edited inline,
so their history lives in their own tables; this puts them together with the guide's, newest
first, with the text that changed shown as a word-by-word difference, who, when, whether the
change was major or minor (and its note), and each step of a review.
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from psm_site.models import ReviewRequest

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
SKIPPED_FIELDS = {"id", "first_published_at"}


@dataclass
class Change:
    label: str
    diff: str  # HTML, escaped: <del> for removed words, <ins> for added ones


@dataclass
class Entry:
    when: datetime
    who: object
    what: str
    action: str
    note: str = ""
    changes: list[Change] = field(default_factory=list)


def word_diff(old, new) -> str:
    """The two texts as one, removed words in <del> and added words in <ins> (escaped)."""
    old_words = re.findall(r"\S+|\s+", str(old or ""))
    new_words = re.findall(r"\S+|\s+", str(new or ""))
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            out.append(format_html("<del>{}</del>", "".join(old_words[a1:a2])))
            if b2 > b1:
                out.append(" ")
        if b2 > b1:
            out.append(format_html("<ins>{}</ins>", "".join(new_words[b1:b2])))
    return mark_safe("".join(out))  # every piece was escaped above


def shown(record, name):
    """A field's value as an editor reads it: choice labels, related names, empty as ''.

    `record` is a historical record or a model instance (a draft revision's, psm_site/admin.py).
    """
    model_field = getattr(record, "instance", record)._meta.get_field(name)
    value = getattr(record, model_field.attname)
    if model_field.choices:
        value = dict(model_field.flatchoices).get(value, value)
    elif model_field.is_relation and value is not None:
        try:
            value = str(getattr(record, name))
        except Exception:  # noqa: BLE001 - a deleted related row still has a history line
            value = f"#{value}"
    return "" if value is None else str(value)


def label_of(record, name):
    return str(record.instance._meta.get_field(name).verbose_name).capitalize()


def record_changes(record, parent=None) -> list[Change]:
    fields = [
        f.name
        for f in record.instance._meta.concrete_fields
        if f.name not in SKIPPED_FIELDS and not (f.is_relation and parent is not None and f.related_model is parent)
    ]
    previous = record.prev_record
    if record.history_type == "~" and previous is not None:
        delta = record.diff_against(previous, included_fields=fields)
        names = [change.field for change in delta.changes]
        return [Change(label_of(record, n), word_diff(shown(previous, n), shown(record, n))) for n in names]
    # A change with no earlier record (content loaded before it had a history) shows the values it left.
    if record.history_type == "+" or (record.history_type == "~" and previous is None):
        return [Change(label_of(record, n), word_diff("", shown(record, n))) for n in fields if shown(record, n)]
    return []


def record_entries(records, describe, parent=None) -> list[Entry]:
    entries = []
    for record in records:
        changes = record_changes(record, parent)
        if record.history_type == "~" and not changes and not record.history_change_reason:
            continue  # a save that changed nothing
        entries.append(
            Entry(
                when=record.history_date,
                who=record.history_user,
                what=describe(record),
                action=ACTIONS[record.history_type],
                note=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def review_entries(item) -> list[Entry]:
    entries = []
    reviews = ReviewRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    ).select_related("requested_by", "decided_by")
    for review in reviews:
        entries.append(
            Entry(review.requested_at, review.requested_by, "Review", "Submitted for review", review.message)
        )
        if review.decided_at:
            action = "Approved and published" if review.state == review.State.APPROVED else "Sent back to the editor"
            entries.append(Entry(review.decided_at, review.decided_by, "Review", action, review.comment))
    return entries


def timeline(item, parts=()) -> list[Entry]:
    """Entries for `item` and for each (label, historical records) in `parts`, newest first."""
    entries = record_entries(
        item.history.select_related("history_user"), lambda r: item._meta.verbose_name.capitalize()
    )
    for label, records in parts:
        entries += record_entries(
            records.select_related("history_user"),
            lambda r, label=label: f"{label}: {str(r.instance)[:80]}",
            parent=type(item),
        )
    entries += review_entries(item)
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
