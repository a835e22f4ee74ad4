"""What every publishable model shares, site-wide: the list of them and their public change notes."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Q
from django.urls import reverse

from psm_site.models import ChangeNote, Publishable


def publishable_models(app_label=None):
    """Every concrete Publishable model, optionally of one app."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, Publishable) and (app_label is None or model._meta.app_label == app_label)
    ]


def models_with_pages():
    """Publishable models whose items have a page of their own (a fund round lives on its fund's page)."""
    return [model for model in publishable_models() if getattr(model, "has_own_page", True)]


def public_change_notes(app_label=None):
    """Change notes of published items only, newest first in their real order (an undated note
    between its dated neighbours: ChangeNote.objects.in_real_order), with their items prefetched.

    Each item comes with the rows its name and address read (a model's `item_related`, such as a
    fund round's fund and programme), in the same query as the item.
    """
    condition = Q(pk__in=[])
    items = []
    for model in publishable_models(app_label):
        content_type = ContentType.objects.get_for_model(model)
        condition |= Q(content_type=content_type, object_id__in=model.objects.public().values("pk"))
        items.append(model._base_manager.select_related(*getattr(model, "item_related", ())))
    return ChangeNote.objects.filter(condition).in_real_order().prefetch_related(GenericPrefetch("item", items))


SLUG_PLACEHOLDER = "psm-slug-placeholder"


def address_maker(model):
    """slug -> the address of `model`'s page for that slug, from one reverse() (thousands of
    addresses in a sitemap or a search cost no more than one); None where an address needs more
    than the slug (the model has no `page_url_name`)."""
    name = getattr(model, "page_url_name", None)
    if name is None:
        return None
    pattern = reverse(name, kwargs={"slug": SLUG_PLACEHOLDER})
    return lambda slug: pattern.replace(SLUG_PLACEHOLDER, slug)
