"""Publishing actions and the public/preview lookup used by every detail view."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Min
from django.dispatch import Signal
from django.http import Http404
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from psm_site.blocks import per_generation
from psm_site.models import ChangeNote, Publishable
from psm_site.permissions import SecondFactorRequired, needs_second_factor_for, staff_may
from psm_site.publishing.content import publishable_models
from psm_site.publishing.revisions import draft_for_preview, revision_for

FIRST_PUBLISHED_NOTE = "First published."

# Sent once the transaction that added a public change note commits, with `note` (a ChangeNote)
# and `first` (the note of the item's first publication). Apps that act on changes (alerts) listen
# here: the content apps never import them.
change_noted = Signal()


def publish_permission(model) -> str:
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def can_publish(user, model) -> bool:
    return user.has_perm(publish_permission(model))


@transaction.atomic
def publish(item: Publishable, *, when=None, note: str = "") -> Publishable:
    """Publish an item. The first publication is dated and noted 'First published.'.

    An item scheduled to go live later is first published at its 'publish at' time.
    """
    when = when or timezone.now()
    if item.publish_at is not None and item.publish_at > when:
        when = item.publish_at
    was_published = item.is_published
    item.status = Publishable.Status.PUBLISHED
    first = item.first_published_at is None
    if first:
        item.first_published_at = when
    item.save()
    if first:
        add_change_note(item, note=FIRST_PUBLISHED_NOTE, when=when, first=True)
    elif note and not was_published:
        add_change_note(item, note=note, when=when)
    return item


@transaction.atomic
def unpublish(item: Publishable) -> Publishable:
    """Take an item off the public site; its history and first publication date stay."""
    item.status = Publishable.Status.DRAFT
    item.save()
    return item


def add_change_note(item: Publishable, *, note: str, when=None, first=False) -> ChangeNote:
    change_note = ChangeNote.objects.create(
        content_type=ContentType.objects.get_for_model(item, for_concrete_model=False),
        object_id=item.pk,
        note=note,
        changed_at=when or timezone.now(),
        first_publication=first,
    )
    # After the commit: by then the item's inline parts and many-to-many rows are saved too.
    transaction.on_commit(lambda: change_noted.send(sender=type(item), note=change_note, first=first))
    return change_note


def get_for_request(request, queryset, *, kept_as=None, **lookup):
    """The published object for the public, or any object for staff who may preview it.

    Returns (object, is_preview). Staff previews of drafts are never cached. A published item
    with a draft revision (psm_site/publishing/revisions.py) is shown to staff as that revision. Preview
    needs both factors (psm_site.permissions.is_verified_staff): a password-only staff session
    asking for a draft, or a page with a draft revision, is sent to the two-factor page.

    `kept_as` names the queryset (one name for each shape a view asks for): the public's item, with
    everything the queryset prefetches, is then read once per content generation in each process
    (psm_site/blocks.per_generation), the generation the page cache keys its pages by, so a page
    drawn without the page cache costs no queries for its item.
    """
    model = queryset.model
    opts = model._meta
    permission = f"{opts.app_label}.view_{opts.model_name}"
    if staff_may(request, permission):
        try:
            item = queryset.get(**lookup)
        except (model.DoesNotExist, ValueError):
            raise Http404(f"No {opts.verbose_name} found.") from None
        is_preview = draft_for_preview(request, item) is not None or not item.is_published
        if is_preview:
            request.preview_item = item  # the preview banner links to its edit page
        return item, is_preview

    def published_item():
        return queryset.published().get(**lookup)

    try:
        item = per_generation((kept_as, *sorted(lookup.items())), published_item) if kept_as else published_item()
    except (model.DoesNotExist, ValueError):
        if needs_second_factor_for(request, permission):
            raise SecondFactorRequired from None
        raise Http404(f"No {opts.verbose_name} found.") from None
    if needs_second_factor_for(request, permission) and revision_for(item) is not None:
        raise SecondFactorRequired
    return item, False


def preview_aware(response, is_preview):
    """Staff previews must never be cached by a browser or a proxy."""
    if is_preview:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
    return response


def next_schedule_change(now=None):
    """The next moment any item goes live or leaves by its schedule (None if nothing is due).

    A page cache keyed on a content version can expire its entries at this moment.
    """
    now = now or timezone.now()
    moments = []
    for model in publishable_models():
        scheduled = model.objects.filter(status=Publishable.Status.PUBLISHED)
        moments += [
            scheduled.filter(publish_at__gt=now).aggregate(next=Min("publish_at"))["next"],
            scheduled.filter(unpublish_at__gt=now).aggregate(next=Min("unpublish_at"))["next"],
        ]
    return min((moment for moment in moments if moment is not None), default=None)
