"""`{% page_title %}`: the page's title block once more, for its <h1>.

A template writes its title once, in `{% block page_title %}`, which base.html puts in <title> (and
in og:title). The heading repeats it with this tag instead of a second copy of the words. It
imports nothing of the project, so error pages can use it too.
"""

from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def page_title(context):
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    node = blocks.get_block("page_title") if blocks is not None else None
    return mark_safe(node.render(context)) if node is not None else ""  # a rendered template: already escaped
