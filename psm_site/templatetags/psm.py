import json
from html import escape  # the standard library's: no lazy-string wrapper, for select_options' loop

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import _json_script_escapes, format_html
from django.utils.safestring import mark_safe

from psm_site import blocks
from psm_site.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Editor Markdown, rendered and sanitised."""
    return render_markdown(text)


@register.simple_tag
def from_app(name):
    """What an app registered under this name (psm_site/blocks.py): HTML to show, or a value with `as`."""
    return blocks.provide(name)


@register.simple_tag
def uk_date(value, fmt="j F Y"):
    """A date or moment in UK time inside <time datetime="…">: '3 April 2017'."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        local = timezone.localtime(value)
        machine = local.isoformat(timespec="seconds")  # no microseconds: the Nu HTML Checker rejects them
    else:
        local = value
        machine = value.isoformat()
    return format_html('<time datetime="{}">{}</time>', machine, date_format(local, fmt))


@register.filter
def json_ld(data):
    """Structured data for a <script type="application/ld+json"> element, escaped like json_script."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_json_script_escapes))


def organisation_data():
    """The publishing organisation as schema.org data (settings.ORGANISATION)."""
    org = settings.ORGANISATION
    return {
        "@type": "GovernmentOrganization",
        "name": org["name"],
        "alternateName": org["abbreviation"],
        "email": org["email"],
        "url": org["url"],
    }


@register.simple_tag
def organisation_json_ld():
    return json_ld({"@context": "https://schema.org", **organisation_data()})


@register.simple_tag
def note_date(note, fmt="j F Y"):
    """A change note's date: '21 August 2017' in <time>, with the time in `datetime` only when it
    was recorded; 'Date not recorded' when there is none."""
    if note is None:
        return ""
    if note.changed_at is None:
        return "Date not recorded"
    if note.time_recorded:
        return uk_date(note.changed_at, fmt)
    return uk_day(note.changed_at, fmt)


@register.simple_tag
def uk_day(value, fmt="j F Y"):
    """A moment shown as its UK day only, with a date-only `datetime`: no time is claimed."""
    if not value:
        return ""
    day = timezone.localtime(value).date() if hasattr(value, "hour") else value
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), date_format(day, fmt))


@register.inclusion_tag("includes/get_emails.html")
def get_emails_link(subject, label="Get emails about this page", **filters):
    """GOV.UK's 'Get emails about this page' link, when an app offers emails about `subject`."""
    from psm_site.pages.follow import link

    return {"url": link(subject, **filters), "label": label}


@register.simple_tag
def admin_change_url(item):
    """The admin page that edits `item` (for the preview banner's 'Edit this page')."""
    opts = item._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])


def option_parts(choices):
    """Each choice as (value, '<option value="…"', '>label</option>'), escaped, for select_options.

    A choice for a row with an ONS code (a region) carries it as data-code, for the regions map.
    """
    parts = []
    for value, label in choices:
        code = getattr(getattr(value, "instance", None), "ons_code", "")
        value = str(value)
        start = f'<option value="{escape(value)}"' + (f' data-code="{escape(code)}"' if code else "")
        parts.append((value, start, f">{escape(str(label))}</option>"))
    return parts


def _chosen_values(field):
    """The bound field's chosen value(s) as a set of strings ('' when none)."""
    value = field.value()
    return {str(item) for item in value} if isinstance(value, list | tuple) else {str(value or "")}


@register.simple_tag
def choice_items(field):
    """A radios or checkboxes field's choices as {id, value, label, checked}, for includes/fields/choices.html.

    The ids are Django's own (id_sector_0, id_sector_1, …); the loop costs a small part of iterating
    the bound field, which draws every choice through the widget's machinery.
    """
    chosen = _chosen_values(field)
    return [
        {"id": f"{field.auto_id}_{index}", "value": str(value), "label": label, "checked": str(value) in chosen}
        for index, (value, label) in enumerate(field.field.choices)
    ]


@register.simple_tag
def select_options(field):
    """A select's <option>s for a form field, drawn in one pass.

    The same markup as looping over the bound field in the template, at a small part of the cost:
    Find a mutual's local authority select has over 300 options, which through Django's
    per-option widget rendering were most of the page's time. A field that keeps its options
    across requests (mutuals.forms.AuthorityChoiceField) gives them ready made as `option_parts()`.
    """
    selected = _chosen_values(field)
    kept = getattr(field.field, "option_parts", None)
    parts = kept() if kept else option_parts(field.field.choices)
    # every value and label was escaped by option_parts
    return mark_safe(
        "".join(start + " selected" + end if value in selected else start + end for value, start, end in parts)
    )
