"""Helpers for tests that drive the admin like an editor: read a form, change it, post it."""

import re
from html.parser import HTMLParser

from django.forms import MultiWidget


def admin_form_data(response):
    """The POST data the admin change form in `response` would send unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            widget = form.fields[name].widget
            if isinstance(widget, MultiWidget) and value is not None:
                parts = value if isinstance(value, list) else widget.decompress(value)
                for index, (sub, part) in enumerate(zip(widget.widgets, parts, strict=False)):
                    data[f"{form.add_prefix(name)}_{index}"] = sub.format_value(part) or ""
                continue
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            if isinstance(value, list | tuple):
                value = [str(v) for v in value]
            data[form.add_prefix(name)] = value
    return {k: v for k, v in data.items() if v != ""}


class _TagCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.counts = {}

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1


def count_tags(html: str, tag: str) -> int:
    parser = _TagCounter()
    parser.feed(html)
    return parser.counts.get(tag, 0)


def page_title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    return " ".join(match.group(1).split()) if match else ""


def settle_content_version():
    """Work out the content version (and its next clock boundary) before counting a page's queries.

    After a change to content the first anonymous request reads the version row and asks each
    boundary source; later ones find it in the cache beside the generation, with no query.
    """
    from psm_site.web.cache import version_now

    version_now()


def body(response):
    """A response's bytes, streamed (the CSV) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content
