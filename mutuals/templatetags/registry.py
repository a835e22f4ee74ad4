from django import template

from mutuals.models import Mutual

register = template.Library()


@register.inclusion_tag("mutuals/includes/registry_count_sentence.html")
def registry_count():
    """How many published, live mutuals the registry holds: one query, never a typed number."""
    return {"count": Mutual.objects.published().live().count()}
