"""Atom feeds of public change notes: the whole site, and one per section."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from psm_site.content import public_change_notes

FEED_LENGTH = 50


class UpdatesFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Department for Culture, Media and Sport"

    def __init__(self, section=None, title="Public Service Mutuals: updates"):
        super().__init__()
        self.section = section
        self.title = title
        self.subtitle = "Every public change to guidance, research, the registry of mutuals and support."

    def link(self):
        return reverse("updates")

    def items(self):
        return public_change_notes(self.section)[:FEED_LENGTH]

    def item_title(self, note):
        return f"{note.item}: {note.note}"

    def item_description(self, note):
        return note.note

    def item_link(self, note):
        return note.item.get_absolute_url()

    def item_guid(self, note):
        return f"urn:psm:change-note:{note.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, note):
        return note.changed_at

    def item_updateddate(self, note):
        return note.changed_at
