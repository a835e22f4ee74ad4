"""Atom feeds of public change notes: the whole site, and one per section."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.feedgenerator import Atom1Feed

from psm_site.content import public_change_notes

FEED_LENGTH = 50


class UpdatesFeed(Feed):
    feed_type = Atom1Feed

    def __init__(
        self,
        section=None,
        title="Public Service Mutuals: updates",
        subtitle="Every public change to guidance, research, the registry of mutuals and support.",
        url_name="updates-feed",
    ):
        super().__init__()
        self.section = section
        self.title = title
        self.subtitle = subtitle
        self.url_name = url_name

    def link(self):
        return reverse("updates")

    def feed_guid(self):
        """Each feed's own id (Atom's feed id is otherwise its link, the same page for every feed)."""
        return f"urn:psm:feed:{self.url_name}"

    def items(self):
        return public_change_notes(self.section)[:FEED_LENGTH]

    def item_title(self, note):
        return f"{note.item}: {note.note}"

    def item_description(self, note):
        if note.changed_at is None:
            return f"{note.note} (Date not recorded.)"
        day = date_format(timezone.localtime(note.changed_at), "j F Y")
        return f"{note.note} ({day}{'' if note.time_recorded else ', time not recorded'}.)"

    def item_link(self, note):
        return note.item.get_absolute_url()

    def item_guid(self, note):
        return f"urn:psm:change-note:{note.pk}"

    item_guid_is_permalink = False

    def author_name(self):
        return settings.ORGANISATION["name"]

    def item_pubdate(self, note):
        """When the change was made, if recorded. A day without a time is sent as the start of that
        UK day, written in UK time (Atom has no date-only form); the entry's text says the time is not
        recorded."""
        return timezone.localtime(note.changed_at) if note.changed_at else None

    def item_updateddate(self, note):
        """Atom needs this on every entry. A note whose date was never recorded has no 'published'
        date; its 'updated' is its dated predecessor's date (the note is no older than that), never
        when it was loaded here, so a 2017 note never reads as today's news. With nothing dated
        before it, its dated successor's; with no dated note on its item at all, when it was entered."""
        if note.changed_at is not None:
            return self.item_pubdate(note)
        known = getattr(note, "dated_predecessor_at", None) or getattr(note, "dated_successor_at", None)
        return timezone.localtime(known) if known else note.recorded_at
