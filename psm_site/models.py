"""Site-wide plumbing shared by every public model: the publishing base, change notes, governments."""

from datetime import UTC, datetime, time

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from psm_site import personal_data
from psm_site.schedule import is_live_at, live_q, schedule_state


class ConstraintErrorsOnFields:
    """Shows a named constraint's message beside the field to change, not above the whole form.

    `constraint_fields` maps a constraint's violation_error_code to that field.
    """

    constraint_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            moved = {}
            for field, errors in error.error_dict.items():
                for item in errors:
                    target = self.constraint_fields.get(item.code, field) if field == NON_FIELD_ERRORS else field
                    moved.setdefault(target, []).append(item)
            raise ValidationError(moved) from None


class PublishableQuerySet(models.QuerySet):
    def published(self, now=None):
        """The only rows the public ever sees: published, and live now by their schedule."""
        return self.filter(live_q(now or timezone.now()))

    def public(self, now=None):
        """What the public may see: published(), narrowed for an item shown on another item's page
        (a fund round also needs its fund published: FundRoundQuerySet.public)."""
        return self.published(now)

    def drafts(self):
        return self.filter(status=Publishable.Status.DRAFT)

    def scheduled(self, now=None):
        """Published items with a 'publish at' or 'unpublish at' still to come."""
        now = now or timezone.now()
        return self.filter(status=Publishable.Status.PUBLISHED).filter(
            models.Q(publish_at__gt=now) | models.Q(unpublish_at__gt=now)
        )

    def with_own_pages(self):
        """Rows with a page of their own, for site-wide lists of pages (a model may narrow it)."""
        return self


class ChangeNoteQuerySet(models.QuerySet):
    def in_real_order(self):
        """Newest first, as the notes happened: a note whose date was never recorded keeps its place
        among its own item's notes, just after (newer than) its dated predecessor, the item's nearest
        earlier-entered note with a date (as `order_notes` does for one item's page).

        Each note is annotated with `dated_predecessor_at` (None for a dated note, or when nothing
        dated came before it), `dated_successor_at` (the same, looking forward) and `place`, the
        moment it sorts by.
        """
        same_item = ChangeNote.objects.filter(
            content_type=models.OuterRef("content_type"),
            object_id=models.OuterRef("object_id"),
            changed_at__isnull=False,
        )
        before = same_item.filter(pk__lt=models.OuterRef("pk")).order_by("-pk").values("changed_at")[:1]
        after = same_item.filter(pk__gt=models.OuterRef("pk")).order_by("pk").values("changed_at")[:1]
        undated = models.Q(changed_at__isnull=True)
        return self.annotate(
            dated_predecessor_at=models.Case(models.When(undated, then=models.Subquery(before)), default=None),
            dated_successor_at=models.Case(models.When(undated, then=models.Subquery(after)), default=None),
            place=Coalesce("changed_at", "dated_predecessor_at"),
        ).order_by(models.F("place").desc(nulls_last=True), "-pk")


class ChangeNote(models.Model):
    """A public note of a major change, shown under 'show all updates'.

    Its date may be known to the minute, to the day only (`time_recorded` off: the moment stored
    is the start of that UK day and no time is ever shown), or not at all (`changed_at` empty:
    'Date not recorded').
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    changed_at = models.DateTimeField(
        "date of change",
        default=timezone.now,
        null=True,
        blank=True,
        help_text="Shown to the public as the date of this update. Leave empty if the date was never recorded: "
        "the site then says 'Date not recorded'.",
    )
    time_recorded = models.BooleanField(
        "time of day known",
        default=True,
        help_text="Untick when only the day is known: no time is shown or sent in feeds.",
    )
    # Set by publishing.publish() on the note of an item's first publication: what it announces
    # (a new mutual, a new round) is told by this, never by the note's words.
    first_publication = models.BooleanField(default=False, db_default=False, editable=False)
    recorded_at = models.DateTimeField(
        "entered on this site",
        default=timezone.now,
        editable=False,
        help_text="When this note was entered here. Feeds use it for an undated note, whose entry must carry a time.",
    )
    note = models.TextField(help_text="One or two sentences saying what changed, for the public.")

    objects = ChangeNoteQuerySet.as_manager()

    class Meta:
        ordering = [models.F("changed_at").desc(nulls_last=True), "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-changed_at"])]
        verbose_name = "public change note"

    def __str__(self):
        when = f"{timezone.localtime(self.changed_at):%d %b %Y}" if self.changed_at else "Date not recorded"
        return f"{when}: {self.note[:60]}"

    @property
    def day(self):
        """The UK date of the change, or None when it was not recorded."""
        return timezone.localtime(self.changed_at).date() if self.changed_at else None


EARLIEST = datetime(1, 1, 1, tzinfo=UTC)


def order_notes(notes):
    """An item's notes newest first. A note without a date keeps its place in the order the notes
    were entered: it sorts with the nearest earlier-entered dated note, just after it."""
    by_entry = sorted(notes, key=lambda n: n.pk or 0)
    keyed, floor = [], None
    for note in by_entry:
        if note.changed_at is not None:
            floor = note.changed_at
        keyed.append(((floor is not None, floor or EARLIEST, note.pk or 0), note))
    return [note for _, note in sorted(keyed, key=lambda pair: pair[0], reverse=True)]


class Publishable(models.Model):
    """Draft/published state, first publication and public change notes.

    'Last updated' is derived from the change notes, so a minor change (no note) moves nothing
    the public sees.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    # The URL name of an item's page, which takes its slug. A model whose address depends on more
    # (a fund may live on its programme's page) sets None and defines get_absolute_url itself.
    page_url_name = None

    status = models.CharField(
        "publishing status",
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        db_index=True,
        help_text="Only published items appear on the public site. Publishers can change this.",
    )
    publish_at = models.DateTimeField(
        "publish at (UK time)",
        null=True,
        blank=True,
        help_text="Optional. A published item stays off the public site until this moment. "
        "Leave empty to go live when you save.",
    )
    unpublish_at = models.DateTimeField(
        "unpublish at (UK time)",
        null=True,
        blank=True,
        help_text="Optional. The item leaves the public site at this moment (its history stays).",
    )
    first_published_at = models.DateTimeField(
        "first published",
        null=True,
        blank=True,
        help_text="Set automatically the first time this is published. Shown as 'Published …'.",
    )
    change_notes = GenericRelation(ChangeNote)
    review_requests = GenericRelation("psm_site.ReviewRequest")  # deleted with the item
    draft_revisions = GenericRelation("psm_site.Revision")  # deleted with the item

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(self.page_url_name, kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.publish_at and self.unpublish_at and self.unpublish_at <= self.publish_at:
            raise ValidationError({"unpublish_at": "Set 'unpublish at' after 'publish at', or leave one empty."})

    @property
    def is_published(self):
        """Live on the public site now (published, and within its schedule)."""
        return is_live_at(
            timezone.now(), status=self.status, publish_at=self.publish_at, unpublish_at=self.unpublish_at
        )

    @property
    def schedule_state(self):
        return schedule_state(
            timezone.now(), status=self.status, publish_at=self.publish_at, unpublish_at=self.unpublish_at
        )

    def public_change_notes(self):
        """Notes newest first; uses a prefetch of change_notes where the view made one."""
        return order_notes(self.change_notes.all())

    @property
    def last_update(self):
        """The newest note after first publication ('Last updated'), or None. Its date may be unknown."""
        notes = self.public_change_notes()
        if not notes:
            return None
        newest = notes[0]
        if newest.changed_at is None:
            return newest if len(notes) > 1 else None
        if self.first_published_at is None or newest.changed_at > self.first_published_at:
            return newest
        return None

    @property
    def last_updated_at(self):
        update = self.last_update
        return update.changed_at if update else None

    def show_draft_parts(self, accessor, rows):
        """Show `rows` (unsaved, from a draft revision) as this item's `accessor` parts, for a
        staff preview: they replace the prefetched rows, including a `prefetched_<accessor>` list."""
        rows = list(rows)
        for number, row in enumerate((row for row in rows if row.pk is None), start=1):
            _stand_in_for_unsaved(row, number)
        queryset = getattr(self, accessor).model._default_manager.all()
        queryset._result_cache, queryset._prefetch_done = rows, True
        if not hasattr(self, "_prefetched_objects_cache"):
            self._prefetched_objects_cache = {}
        self._prefetched_objects_cache[accessor] = queryset
        if hasattr(self, f"prefetched_{accessor}"):
            setattr(self, f"prefetched_{accessor}", list(rows))


def _stand_in_for_unsaved(row, number):
    """A part added in a draft revision has no id, and Django refuses to read the related rows of
    an unsaved row: give it a stand-in id (negative, so it matches no row) and no related rows.
    It is only shown, never saved."""
    row.pk = -number
    row._prefetched_objects_cache = {
        **{rel.get_accessor_name(): rel.related_model._default_manager.none() for rel in row._meta.related_objects},
        **{field.name: field.related_model._default_manager.none() for field in row._meta.many_to_many},
    }


class Government(models.Model):
    """A UK government, for GOV.UK's history mode: content published under a government that has
    left office carries the banner 'This was published under the … government'."""

    name = models.CharField(
        max_length=200,
        unique=True,
        help_text="As GOV.UK names it, completing 'This was published under the …', e.g. "
        "'2015 to 2017 Conservative government'.",
    )
    started_on = models.DateField("took office", null=True, blank=True, help_text="Leave empty if not recorded.")
    ended_on = models.DateField(
        "left office",
        null=True,
        blank=True,
        help_text="The day it left office. Pages published under it show the history banner from this day.",
    )
    left_office = models.BooleanField(
        "no longer in office",
        default=False,
        help_text="Tick when it has left office but the day is not recorded. A date above counts from that day.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("started_on").desc(nulls_last=True), "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="government_ends_after_it_starts",
                violation_error_message="A government cannot leave office before it took office.",
            )
        ]

    def __str__(self):
        return self.name

    def in_office_on(self, day):
        if self.ended_on is not None:
            return day < self.ended_on
        return not self.left_office

    @property
    def in_office(self):
        return self.in_office_on(timezone.localdate())


def next_government_change(now):
    """The start of the next (UK) day a government leaves office, when its pages gain the history
    banner (a registered clock boundary: see psm_site/cache.py); None if none is due."""
    day = Government.objects.filter(ended_on__gt=timezone.localdate(now)).aggregate(next=models.Min("ended_on"))["next"]
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


class Page(Publishable):
    """A site page edited in the admin: accessibility statement, cookies, privacy, contact."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100, unique=True, help_text="The page's address after /help/. The footer links to fixed slugs."
    )
    summary = models.CharField(max_length=300, help_text="One sentence under the title; also the search description.")
    body = models.TextField(help_text="Markdown. Use ## for headings: they build the contents list.")

    class Facts(models.TextChoices):
        NONE = "", "None"
        PRIVACY = "privacy", "Privacy: the controller, data kept and how long, worked out from the site's settings"
        COOKIES = "cookies", "Cookies: names and lifetimes, and the map's tile server, from the site's settings"
        ACCESSIBILITY = "accessibility", "Accessibility: non-compliant documents and the test date, from the site"

    last_reviewed = models.DateField(
        "date last reviewed or tested",
        null=True,
        blank=True,
        help_text="For the accessibility statement: the day the site was last tested. Leave empty until it has "
        "been: the page then says it has not yet been tested.",
    )
    facts = models.CharField(
        "facts from the site",
        max_length=20,
        choices=Facts,
        blank=True,
        default=Facts.NONE,
        help_text="Statements worked out from the site itself, shown after the text, so they cannot drift from "
        "what the site does.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        permissions = [("publish_page", "Can publish and unpublish site pages")]

    def __str__(self):
        return self.title

    page_url_name = "page"


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


personal_data.register(
    personal_data.Record(
        key="feedback",
        what="Feedback: the page address, your answer to ‘Is this page useful?’ and anything you type in "
        "‘Report a problem’",
        why="To improve the site. We do not ask for your name or email address, so please do not include "
        "personal information",
        how_long=personal_data.days_setting("FEEDBACK_RETENTION_DAYS"),
        receivers="Only staff who edit the site",
        source="psm_site/models.py Feedback; psm_site/views.py; manage.py delete_old_feedback",
        fields=("psm_site.Feedback.what_wrong",),
        setting="FEEDBACK_RETENTION_DAYS",
        order=10,
    )
)


class ReviewRequestQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(state=ReviewRequest.State.WAITING)


class ReviewRequest(models.Model):
    """An editor asks a publisher to review a draft or a change; the publisher approves or sends it back."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for review"
        APPROVED = "approved", "Approved and published"
        SENT_BACK = "sent_back", "Sent back to the editor"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    item_title = models.CharField(max_length=300, help_text="The item's name when review was asked for.")
    message = models.TextField("message to the publisher", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="review_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State, default=State.WAITING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField("publisher's comment", blank=True)

    objects = ReviewRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(state="waiting"),
                name="one_waiting_review_per_item",
                violation_error_message="This item is already waiting for review.",
            )
        ]

    def __str__(self):
        return f"{self.item_title}: {self.get_state_display().lower()}"


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


class Revision(models.Model):
    """An editor's unpublished change to a published item: the submitted admin form, item and
    inline parts together, kept until a publisher applies it (psm_site/revisions.py).

    One per item: later saves by editors update it. The live row and its parts stay as they are.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    item_title = models.CharField(max_length=300, help_text="The item's name when the revision was last saved.")
    data = models.JSONField(help_text="The change form as submitted: each field's name and its list of values.")
    files = models.JSONField(
        default=dict, blank=True, help_text="Files uploaded with it: each field's name and where the file is kept."
    )
    based_on = models.CharField(
        "live version it started from", max_length=100, blank=True, help_text="The live item's version token."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = "draft revision"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                name="one_revision_per_item",
                violation_error_message="This item already has a draft revision.",
            )
        ]

    def __str__(self):
        return f"Draft revision of {self.item_title}"
