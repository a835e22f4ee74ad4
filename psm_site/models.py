"""Site-wide plumbing shared by every public model: the publishing base and change notes."""

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


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


class Page(Publishable):
    """A site page edited in the admin: accessibility statement, cookies, privacy, contact."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100, unique=True, help_text="The page's address after /help/. The footer links to fixed slugs."
    )
    summary = models.CharField(max_length=300, help_text="One sentence under the title; also the search description.")
    body = models.TextField(help_text="Markdown. Use ## for headings: they build the contents list.")
    last_reviewed = models.DateField(
        "date last reviewed or tested",
        null=True,
        blank=True,
        help_text="For the accessibility statement: when the site was last tested. Shown on the page.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        permissions = [("publish_page", "Can publish and unpublish site pages")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("page", kwargs={"slug": self.slug})


class Feedback(models.Model):
    """An answer to 'Is this page useful?', kept for staff only."""

    path = models.CharField("page", max_length=300)
    useful = models.BooleanField(null=True, help_text="Empty when someone only reported a problem.")
    what_wrong = models.TextField("what went wrong", blank=True, max_length=1200)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"

    def __str__(self):
        answer = {True: "useful", False: "not useful", None: "problem report"}[self.useful]
        return f"{self.path}: {answer}"


class ContentVersion(models.Model):
    """One row: a number that every change to public content moves, in the same transaction.

    Rendered pages and data files are cached under it (psm_site/cache.py), so an editor's change
    shows on the next request. `next_boundary` is the next moment a page changes by the clock
    alone (a round opening, a scheduled publication); passing it moves the number too.
    """

    number = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)
    next_boundary = models.DateTimeField(null=True, blank=True)
    boundary_known = models.BooleanField(default=False)

    class Meta:
        verbose_name = "content version"

    def __str__(self):
        return f"Content version {self.number}"
