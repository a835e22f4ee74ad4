"""Change notes whose time, or whole date, was never recorded: shown as unknown, never invented."""

from datetime import datetime

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from psm_site.models import ChangeNote
from psm_site.publishing import add_change_note, publish
from support.status import UK
from tests.factories import make_guide
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db


def _explainer_history():
    """The seed's four notes: first and last dated by day only, the two between not dated at all."""
    guide = make_guide(published=False, title="Introduction")
    publish(guide, when=datetime(2017, 4, 3, tzinfo=UK))
    ChangeNote.objects.filter(object_id=guide.pk).update(time_recorded=False)
    add_change_note(guide, note="Update to support available.", when=None)
    ChangeNote.objects.filter(note="Update to support available.").update(changed_at=None)
    second = add_change_note(guide, note="Updated map of live public service mutuals", when=None)
    ChangeNote.objects.filter(pk=second.pk).update(changed_at=None)
    last = add_change_note(guide, note="The third round is open.", when=datetime(2017, 8, 21, tzinfo=UK))
    ChangeNote.objects.filter(pk=last.pk).update(time_recorded=False)
    return guide


def test_notes_keep_the_sources_order_and_show_unknown_dates_as_unknown(client):
    guide = _explainer_history()
    guide.refresh_from_db()
    assert [n.note for n in guide.public_change_notes()] == [
        "The third round is open.",
        "Updated map of live public service mutuals",
        "Update to support available.",
        "First published.",
    ]
    html = client.get(guide.get_absolute_url()).text
    assert html.count("Date not recorded") == 2
    assert 'Last updated <time datetime="2017-08-21">21 August 2017</time>' in html  # a day, no time
    assert '<time datetime="2017-04-03">3 April 2017</time>' in html
    assert "T00:00" not in html.split('id="full-history"')[1]  # no invented midnight in the history
    updates = client.get(reverse("updates")).text
    assert updates.count("Date not recorded") == 2
    assert updates.index("The third round is open.") < updates.index("First published.")


def test_an_undated_newest_note_is_the_last_update_with_its_date_unknown(client):
    guide = make_guide()
    note = add_change_note(guide, note="Something changed.")
    ChangeNote.objects.filter(pk=note.pk).update(changed_at=None)
    html = client.get(guide.get_absolute_url()).text
    assert "Last updated Date not recorded" in " ".join(html.split())


def test_the_feed_gives_no_invented_time(client):
    guide = _explainer_history()
    feed = feedparser.parse(client.get(reverse("updates-feed")).content)
    entries = {entry.title.split(": ", 1)[1]: entry for entry in feed.entries if entry.title.startswith(guide.title)}
    undated = entries["Updated map of live public service mutuals"]
    assert "published" not in undated  # no date is claimed for the change
    # 'updated' is its dated predecessor's (First published, 3 April 2017), never when it was entered
    assert undated.updated.startswith("2017-04-03T00:00:00")
    assert "Date not recorded" in undated.summary
    day_only = entries["The third round is open."]
    assert day_only.published.startswith("2017-08-21T00:00:00") and "time not recorded" in day_only.summary
    assert [title.split(": ", 1)[1] for title in (e.title for e in feed.entries) if title.startswith(guide.title)] == [
        "The third round is open.",
        "Updated map of live public service mutuals",
        "Update to support available.",
        "First published.",
    ]
    assert not [e for e in feed.entries if e.updated_parsed.tm_year > 2017 and guide.title in e.title]


def test_undated_notes_sit_between_their_dated_neighbours_on_every_list(client):
    _explainer_history()
    order = ["The third round is open.", "Updated map of", "Update to support available.", "First published."]
    for url in (reverse("home"), reverse("updates")):
        html = client.get(url).text
        places = [html.index(text) for text in order]
        assert places == sorted(places), url


def test_an_undated_note_with_nothing_dated_before_it_takes_its_successors_date_in_the_feed(client):
    guide = make_guide(published=False, title="Undated first")
    first = add_change_note(guide, note="Something from before records began.")
    ChangeNote.objects.filter(pk=first.pk).update(changed_at=None)
    publish(guide, when=datetime(2019, 5, 1, tzinfo=UK))
    feed = feedparser.parse(client.get(reverse("updates-feed")).content)
    (entry,) = [e for e in feed.entries if "before records began" in e.title]
    assert entry.updated.startswith("2019-05-01")


def test_the_two_feeds_have_their_own_ids_and_subtitles(client):
    whole = feedparser.parse(client.get(reverse("updates-feed")).content).feed
    support = feedparser.parse(client.get(reverse("support-updates-feed")).content).feed
    assert whole.id != support.id
    assert whole.subtitle != support.subtitle
    assert "registry" not in support.subtitle and "support" in support.subtitle


def test_editors_can_record_a_date_without_a_time_or_no_date(publisher_client):
    guide = make_guide()
    url = reverse("admin:mutuals_guide_change", args=[guide.pk])
    data = admin_form_data(publisher_client.get(url))
    prefix = "psm_site-changenote-content_type-object_id"
    data.update({f"{prefix}-TOTAL_FORMS": "3", "change_type": "minor"})
    data.update({f"{prefix}-1-changed_at_0": "21/08/2017", f"{prefix}-1-note": "A day only."})
    data.update({f"{prefix}-2-note": "No date at all.", f"{prefix}-2-changed_at_0": "", f"{prefix}-2-changed_at_1": ""})
    response = publisher_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    day_only = ChangeNote.objects.get(note="A day only.")
    assert not day_only.time_recorded and timezone.localtime(day_only.changed_at).date().isoformat() == "2017-08-21"
    undated = ChangeNote.objects.get(note="No date at all.")
    assert undated.changed_at is None
    form = publisher_client.get(url).text
    assert f'name="{prefix}-1-changed_at_0" value="21/08/2017"' in form or "21/08/2017" in form
