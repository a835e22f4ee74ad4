"""Site-wide plumbing shared by every public model: the publishing base and change notes."""

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """The only rows the public ever sees."""
        return self.filter(status=Publishable.Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Publishable.Status.DRAFT)


class ChangeNote(models.Model):
    """A public, dated note of a major change, shown under 'show all updates'."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    changed_at = models.DateTimeField(
        "date of change", default=timezone.now, help_text="Shown to the public as the date of this update."
    )
    note = models.TextField(help_text="One or two sentences saying what changed, for the public.")

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-changed_at"])]
        verbose_name = "public change note"

    def __str__(self):
        return f"{self.changed_at:%d %b %Y}: {self.note[:60]}"


class Publishable(models.Model):
    """Draft/published state, first publication and public change notes.

    'Last updated' is derived from the change notes, so a minor change (no note) moves nothing
    the public sees.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        db_index=True,
        help_text="Only published items appear on the public site. Publishers can change this.",
    )
    first_published_at = models.DateTimeField(
        "first published",
        null=True,
        blank=True,
        help_text="Set automatically the first time this is published. Shown as 'Published …'.",
    )
    change_notes = GenericRelation(ChangeNote)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def public_change_notes(self):
        """Notes newest first; uses a prefetch of change_notes where the view made one."""
        return sorted(self.change_notes.all(), key=lambda n: (n.changed_at, n.pk or 0), reverse=True)

    @property
    def last_updated_at(self):
        notes = self.public_change_notes()
        if notes and (self.first_published_at is None or notes[0].changed_at > self.first_published_at):
            return notes[0].changed_at
        return None
