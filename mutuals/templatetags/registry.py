from django import template

from mutuals.registry import live_count

register = template.Library()


@register.inclusion_tag("mutuals/includes/registry_count_sentence.html")
def registry_count():
    """How many published, live mutuals the registry holds: one query, never a typed number."""
    return {"count": live_count()}
