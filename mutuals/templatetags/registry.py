from django import template

from mutuals.models import region_in_sentence
from mutuals.registry import live_count

register = template.Library()


@register.filter
def in_sentence(region_name):
    """'the North East' for 'North East': a region's name mid-sentence."""
    return region_in_sentence(region_name)


@register.inclusion_tag("mutuals/includes/registry_count_sentence.html")
def registry_count(historical=False):
    """How many published, live mutuals the registry holds: one query, never a typed number.

    On a page from a past government (history mode) the count is labelled as today's figure.
    """
    return {"count": live_count(), "historical": historical}
