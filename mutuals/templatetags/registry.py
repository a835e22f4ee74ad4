from django import template

from mutuals.models import Mutual

register = template.Library()


@register.inclusion_tag("mutuals/includes/registry_count_sentence.html")
def registry_count(historical=False):
    """How many published, live mutuals the registry holds: one query, never a typed number.

    On a page from a past government (history mode) the count is labelled as today's figure.
    """
    return {"count": Mutual.objects.published().live().count(), "historical": historical}
