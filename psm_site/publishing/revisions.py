"""Draft revisions of published items: an editor's save waits here until a publisher applies it.

A revision is the editor's submitted change form, kept as it was posted (the item's fields and
every inline part: sections, rounds, attachments), with any uploaded file stored aside. Showing it
in the admin, previewing it, comparing it with the live version and applying it all go through
the item's own admin form and inline formsets (PublishableAdmin), so a revision is validated and
saved exactly as a direct save would be, with its history, change note and many-to-many rows.
"""

import uuid
from pathlib import PurePosixPath

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from psm_site.models import Revision

# Keys of the admin's change form that are the request's, not the item's.
NOT_CONTENT = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "_saveasnew", "_psm_version"}


def revision_for(item) -> Revision | None:
    if item is None or item.pk is None:
        return None
    return (
        Revision.objects.filter(content_type=ContentType.objects.get_for_model(item), object_id=item.pk)
        .select_related("created_by", "updated_by")
        .first()
    )


def submitted_data(post) -> dict[str, list[str]]:
    return {key: post.getlist(key) for key in post if key not in NOT_CONTENT}


def stored_files(files) -> dict[str, list[str]]:
    """Keep each uploaded file aside (the live item's files are untouched) and say where."""
    kept = {}
    for key, upload in files.items():
        name = default_storage.save(f"revisions/{uuid.uuid4().hex}/{PurePosixPath(upload.name).name}", upload)
        kept[key] = [name, upload.content_type or "application/octet-stream"]
    return kept


def as_submitted(revision: Revision) -> tuple[QueryDict, MultiValueDict]:
    """The revision as request.POST and request.FILES would carry it."""
    data = QueryDict(mutable=True)
    for key, values in revision.data.items():
        data.setlist(key, values)
    files = MultiValueDict()
    for key, (name, content_type) in revision.files.items():
        if default_storage.exists(name):
            with default_storage.open(name) as stored:
                files[key] = SimpleUploadedFile(PurePosixPath(name).name, stored.read(), content_type)
    return data, files


@transaction.atomic
def save_revision(item, *, user, post, files, based_on: str) -> tuple[Revision, bool]:
    """Create or update `item`'s draft revision from a submitted change form. Returns (revision, created)."""
    content_type = ContentType.objects.get_for_model(item)
    revision = Revision.objects.select_for_update().filter(content_type=content_type, object_id=item.pk).first()
    kept = stored_files(files)
    now = timezone.now()
    if revision is None:
        revision = Revision(content_type=content_type, object_id=item.pk, created_by=user, created_at=now, files={})
        created = True
    else:
        created = False
    revision.item_title = str(item)[:300]
    revision.data = submitted_data(post)
    earlier = {key: value for key, value in revision.files.items() if _still_chosen(key, revision.data)}
    for key, (name, _) in revision.files.items():
        if key in kept or key not in earlier:
            default_storage.delete(name)
    revision.files = {**earlier, **kept}
    revision.based_on = based_on
    revision.updated_by, revision.updated_at = user, now
    revision.save()
    return revision, created


def _still_chosen(key, data) -> bool:
    """A file uploaded with an earlier save stays while its form (an inline row) is still in the
    submission and its 'clear' box is not ticked."""
    if f"{key}-clear" in data:
        return False
    prefix = key.rsplit("-", 1)[0] + "-" if "-" in key else ""
    return not prefix or any(name.startswith(prefix) and name != key for name in data)


def discard_revision(revision: Revision) -> None:
    for name, _ in revision.files.values():
        default_storage.delete(name)
    revision.delete()


def draft_for_preview(request, item):
    """`item` showing its draft revision (fields and inline parts, unsaved), or None if it has none.

    Used only for staff previews (psm_site.publishing.actions.get_for_request); the item's admin builds
    the draft from the revision through its own forms.
    """
    revision = revision_for(item)
    if revision is None:
        return None
    from django.contrib import admin  # the admin registry: apps register there, this module imports none

    model_admin = admin.site.get_model_admin(type(item))
    if not model_admin.show_revision(request, item, revision):
        return None
    request.preview_revision = revision
    return item
