"""Editor Markdown to safe GOV.UK HTML.

Editors write Markdown; python-markdown turns it into HTML (raw HTML included), and nh3 then
keeps only the tags and URL schemes below and stamps GOV.UK classes on them. Nothing an editor
types reaches a page without passing nh3, so a <script>, an onclick or a javascript: link never does.
"""

from functools import lru_cache

import markdown as python_markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "a",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "br",
    "abbr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
GOVUK_CLASSES = {
    "p": {"class": "govuk-body"},
    "a": {"class": "govuk-link"},
    "ul": {"class": "govuk-list govuk-list--bullet"},
    "ol": {"class": "govuk-list govuk-list--number"},
    "h2": {"class": "govuk-heading-m"},
    "h3": {"class": "govuk-heading-s"},
    "h4": {"class": "govuk-heading-s"},
    "blockquote": {"class": "govuk-inset-text"},
    "table": {"class": "govuk-table"},
    "tr": {"class": "govuk-table__row"},
    "th": {"class": "govuk-table__header"},
    "td": {"class": "govuk-table__cell"},
}


def render_markdown(text: str) -> SafeString:
    """Render editor Markdown to sanitised HTML with GOV.UK classes.

    Works on any text, saved or not (a draft's preview). Each process converts a given text once:
    converting and sanitising took about 3 ms of the explainer's 30, on every request.
    """
    if not text:
        return mark_safe("")
    return mark_safe(_converted(text))  # nh3 output: only the allowlist above survives


@lru_cache(maxsize=1024)  # the site's texts are a few hundred; an edit is a new text, the old one ages out
def _converted(text: str) -> str:
    html = python_markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        set_tag_attribute_values=GOVUK_CLASSES,
        link_rel=None,
    )
