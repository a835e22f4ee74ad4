"""Publishing shared by every public model: drafts, preview, rights, change notes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from mutuals.models import Guide, Publication
from psm_site.models import ChangeNote
from psm_site.publishing.actions import add_change_note, publish, unpublish
from tests.factories import make_guide, make_publication
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")


@pytest.mark.parametrize("make", [make_guide, make_publication])
def test_published_queryset_holds_only_published_rows(make):
    live = make(published=True)
    draft = make(published=False)
    model = type(live)
    assert list(model.objects.published()) == [live]
    assert list(model.objects.drafts()) == [draft]


@pytest.mark.parametrize("make", [make_guide, make_publication])
def test_public_sees_published_and_gets_404_for_drafts(client, make):
    live, draft = make(published=True), make(published=False)
    assert client.get(live.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("make", [make_guide, make_publication])
def test_staff_preview_a_draft_with_a_banner_and_no_cache(editor_client, make):
    draft = make(published=False, title="Secret draft")
    response = editor_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "This is a draft" in response.text
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_published_page_for_staff_has_no_preview_banner(editor_client):
    guide = make_guide(published=True)
    assert "This is a draft" not in editor_client.get(guide.get_absolute_url()).text


def test_unpublished_item_leaves_the_site_but_keeps_its_first_publication():
    guide = make_guide(published=True)
    first = guide.first_published_at
    unpublish(guide)
    assert not Guide.objects.published().exists()
    guide.refresh_from_db()
    assert guide.first_published_at == first


def test_first_publication_records_date_and_note():
    when = datetime(2017, 4, 3, 9, 30, tzinfo=UK)
    guide = make_guide(published=False)
    publish(guide, when=when)
    guide.refresh_from_db()
    assert guide.first_published_at == when
    assert [n.note for n in guide.public_change_notes()] == ["First published."]
    assert guide.last_updated_at is None


def test_change_notes_newest_first_and_last_updated(client):
    guide = make_guide(published=False)
    publish(guide, when=datetime(2017, 4, 3, 9, tzinfo=UK))
    add_change_note(guide, note="Third", when=datetime(2017, 8, 21, 9, tzinfo=UK))
    add_change_note(guide, note="Second", when=datetime(2017, 5, 22, 9, tzinfo=UK))
    html = client.get(guide.get_absolute_url()).text
    assert html.index("Third") < html.index("Second") < html.index("First published.")
    assert 'Published <time datetime="2017-04-03">3 April 2017</time>' in html  # a day: the page shows no time
    assert 'Last updated <time datetime="2017-08-21T09:00:00+01:00">21 August 2017</time>' in html
    assert "Show all updates" in html


# --- Admin: editors and publishers ---------------------------------------------------------------


def _change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_editor_cannot_publish_through_the_form_even_by_a_crafted_post(editor_client):
    guide = make_guide(published=False)
    response = editor_client.get(_change_url(guide))
    assert "status" not in response.context["adminform"].form.fields
    data = admin_form_data(response)
    data["status"] = "published"  # forged: the field is read-only for editors
    data["title"] = "Edited by an editor"
    response = editor_client.post(_change_url(guide), data)
    assert response.status_code == 403  # a forged change is refused whole, not quietly half-saved
    guide.refresh_from_db()
    assert guide.title != "Edited by an editor"
    assert guide.status == "draft" and guide.first_published_at is None


def test_editor_cannot_run_the_publish_action(editor_client):
    guide = make_guide(published=False)
    url = reverse("admin:mutuals_guide_changelist")
    assert "publish_selected" not in editor_client.get(url).text
    editor_client.post(url, {"action": "publish_selected", "_selected_action": [guide.pk]})
    guide.refresh_from_db()
    assert guide.status == "draft"


def test_publisher_publishes_by_action_and_by_form(publisher_client):
    by_action, by_form = make_guide(published=False), make_guide(published=False)
    publisher_client.post(
        reverse("admin:mutuals_guide_changelist"), {"action": "publish_selected", "_selected_action": [by_action.pk]}
    )
    data = admin_form_data(publisher_client.get(_change_url(by_form)))
    data["status"] = "published"
    assert publisher_client.post(_change_url(by_form), data).status_code == 302
    for guide in (by_action, by_form):
        guide.refresh_from_db()
        assert guide.is_published and guide.first_published_at
        assert [n.note for n in guide.public_change_notes()] == ["First published."]


def test_publisher_unpublishes_by_action(publisher_client):
    guide = make_guide(published=True)
    publisher_client.post(
        reverse("admin:mutuals_guide_changelist"), {"action": "unpublish_selected", "_selected_action": [guide.pk]}
    )
    guide.refresh_from_db()
    assert guide.status == "draft"


def test_major_change_needs_a_note_and_moves_last_updated(publisher_client):
    """A publisher's save goes live (an editor's is a draft revision: tests/site/test_revisions.py)."""
    guide = make_guide(published=True)
    data = admin_form_data(publisher_client.get(_change_url(guide)))
    data.update(title="New title", change_type="major", change_note="")
    response = publisher_client.post(_change_url(guide), data)
    assert response.status_code == 200
    assert "Write a public change note" in response.text
    guide.refresh_from_db()
    assert guide.title != "New title"

    data["change_note"] = "Clarified the title."
    assert publisher_client.post(_change_url(guide), data).status_code == 302
    guide.refresh_from_db()
    assert guide.title == "New title"
    assert guide.public_change_notes()[0].note == "Clarified the title."
    assert guide.last_updated_at is not None


def test_minor_change_moves_nothing_public(publisher_client):
    """A publisher's save goes live (an editor's is a draft revision: tests/site/test_revisions.py)."""
    guide = make_guide(published=True)
    data = admin_form_data(publisher_client.get(_change_url(guide)))
    data.update(title="Typo fixed", change_type="minor")
    assert publisher_client.post(_change_url(guide), data).status_code == 302
    guide.refresh_from_db()
    assert guide.title == "Typo fixed"
    assert ChangeNote.objects.count() == 1  # only 'First published.'
    assert guide.last_updated_at is None


def test_saving_a_published_item_requires_choosing_major_or_minor(editor_client):
    guide = make_guide(published=True)
    data = admin_form_data(editor_client.get(_change_url(guide)))
    data.pop("change_type", None)
    response = editor_client.post(_change_url(guide), data)
    assert response.status_code == 200
    assert "This field is required" in response.text


def test_admin_changes_are_kept_with_who_and_when(editor_client, editor):
    publication = make_publication(published=False)
    data = admin_form_data(editor_client.get(_change_url(publication)))
    data["summary"] = "A better summary."
    editor_client.post(_change_url(publication), data)
    latest = Publication.history.filter(id=publication.pk).latest("history_date")
    assert latest.history_user == editor
    assert latest.summary == "A better summary."
    history_url = reverse("admin:mutuals_publication_history", args=[publication.pk])
    assert editor_client.get(history_url).status_code == 200


def test_editor_groups_exist_with_the_right_rights(editor, publisher):
    assert editor.has_perm("mutuals.change_guide") and not editor.has_perm("mutuals.publish_guide")
    assert not editor.has_perm("mutuals.delete_guide")
    assert publisher.has_perm("mutuals.publish_guide") and publisher.has_perm("mutuals.publish_publication")
