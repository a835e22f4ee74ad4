from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from psm_site.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Editor Markdown, rendered and sanitised."""
    return render_markdown(text)


@register.simple_tag
def uk_date(value, fmt="j F Y"):
    """A date or moment in UK time inside <time datetime="…">: '3 April 2017'."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        local = timezone.localtime(value)
        machine = local.isoformat()
    else:
        local = value
        machine = value.isoformat()
    return format_html('<time datetime="{}">{}</time>', machine, date_format(local, fmt))


@register.simple_tag(takes_context=True)
def nav_active(context, prefix):
    """'page'/'true' for aria-current when the request path is in a navigation section."""
    path = context["request"].path
    return path == prefix or (prefix != "/" and path.startswith(prefix))
