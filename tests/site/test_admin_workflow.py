"""Scheduling, review, History of a guide's parts, redirects and the smaller admin fixes."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.redirects.models import Redirect
from django.core import mail
from django.urls import reverse

from mutuals.models import Benefit, Criterion, Guide, GuideSection
from psm_site.models import ReviewRequest
from psm_site.publishing.actions import next_schedule_change, publish
from tests.factories import make_guide, make_mutual
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db

GO_LIVE = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # 9:30am UK time (GMT in March before the clocks change)
TAKE_DOWN = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)


def scheduled_guide(**fields):
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        guide = make_guide(
            published=False, title="Scheduled guide", publish_at=GO_LIVE, unpublish_at=TAKE_DOWN, **fields
        )
        publish(guide)
    return guide


@pytest.mark.parametrize(
    "moment, live",
    [
        (GO_LIVE - timedelta(seconds=1), False),
        (GO_LIVE, True),
        (GO_LIVE + timedelta(seconds=1), True),
        (TAKE_DOWN - timedelta(seconds=1), True),
        (TAKE_DOWN, False),
        (TAKE_DOWN + timedelta(seconds=1), False),
    ],
)
def test_live_is_worked_out_from_the_clock_and_sql_and_python_agree(moment, live):
    guide = scheduled_guide()
    with time_machine.travel(moment, tick=False):
        assert Guide.objects.get(pk=guide.pk).is_published is live
        assert Guide.objects.published().filter(pk=guide.pk).exists() is live


def test_first_published_follows_the_scheduled_time():
    guide = scheduled_guide()
    assert guide.first_published_at == GO_LIVE
    assert [note.changed_at for note in guide.public_change_notes()] == [GO_LIVE]


@pytest.mark.parametrize("offset, shown", [(-1, False), (1, True)])
def test_page_feed_and_sitemap_follow_the_schedule(client, offset, shown):
    guide = scheduled_guide()
    with time_machine.travel(GO_LIVE + timedelta(seconds=offset), tick=False):
        assert client.get(guide.get_absolute_url()).status_code == (200 if shown else 404)
        assert (guide.get_absolute_url() in client.get(reverse("sitemap")).text) is shown
        assert ("Scheduled guide" in client.get(reverse("updates")).text) is shown


def test_next_schedule_change_is_the_soonest_boundary():
    scheduled_guide()
    with time_machine.travel(GO_LIVE - timedelta(hours=1), tick=False):
        assert next_schedule_change() == GO_LIVE
    with time_machine.travel(GO_LIVE, tick=False):
        assert next_schedule_change() == TAKE_DOWN
    with time_machine.travel(TAKE_DOWN, tick=False):
        assert next_schedule_change() is None


def test_unpublish_must_follow_publish():
    guide = make_guide(published=False, publish_at=GO_LIVE, unpublish_at=GO_LIVE)
    with pytest.raises(Exception, match="after 'publish at'"):
        guide.full_clean()


def test_the_admin_home_lists_what_is_scheduled(publisher_client):
    scheduled_guide()
    with time_machine.travel(GO_LIVE - timedelta(hours=1), tick=True):
        text = publisher_client.get(reverse("admin:index")).text
    assert "Scheduled (UK time)" in text and "Scheduled guide" in text and "Goes live" in text


def test_editors_cannot_schedule_by_ui_or_crafted_request(editor_client):
    guide = make_guide(published=False, title="Draft guide")
    url = reverse("admin:mutuals_guide_change", args=[guide.pk])
    page = editor_client.get(url)
    assert 'name="publish_at_0"' not in page.text  # read-only for editors
    data = admin_form_data(page)
    data.update({"publish_at_0": "02/03/2026", "publish_at_1": "09:30:00", "status": "published"})
    editor_client.post(url, data)
    guide.refresh_from_db()
    assert guide.publish_at is None and guide.status == "draft"


def test_publishers_schedule_in_the_admin(publisher_client):
    guide = make_guide(published=False, title="Draft guide")
    url = reverse("admin:mutuals_guide_change", args=[guide.pk])
    data = admin_form_data(publisher_client.get(url))
    data.update({"status": "published", "publish_at_0": "2026-03-02", "publish_at_1": "09:30:00"})
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=True):
        response = publisher_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    guide.refresh_from_db()
    assert guide.publish_at == GO_LIVE and guide.first_published_at == GO_LIVE


# --- Review -------------------------------------------------------------------------------


def test_submit_approve_and_history(client, editor, publisher):
    publisher.email = "publisher@example.org"
    publisher.save()
    guide = make_guide(published=False, title="Needs review")
    review_url = reverse("admin:mutuals_guide_review", args=[guide.pk])

    client.force_login(editor)
    assert "Submit for review" in client.get(reverse("admin:mutuals_guide_change", args=[guide.pk])).text
    response = client.post(review_url, {"message": "New section on ownership."})
    assert response.status_code == 302
    assert ReviewRequest.objects.waiting().count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["publisher@example.org"]
    assert "New section on ownership." in mail.outbox[0].body
    assert client.post(review_url, {"decision": "approve"}).status_code == 302  # editors cannot decide
    guide.refresh_from_db()
    assert not guide.is_published

    client.force_login(publisher)
    index = client.get(reverse("admin:index")).text
    assert "Waiting for review (1)" in index and "Needs review" in index
    client.post(review_url, {"decision": "approve", "comment": ""})
    guide.refresh_from_db()
    assert guide.is_published
    assert ReviewRequest.objects.get().state == "approved"
    history = client.get(reverse("admin:mutuals_guide_history", args=[guide.pk])).text
    assert "Submitted for review" in history and "New section on ownership." in history
    assert "Approved and published" in history


def test_send_back_needs_a_comment_the_editor_then_sees(client, editor, publisher):
    guide = make_guide(published=False, title="Needs work")
    review_url = reverse("admin:mutuals_guide_review", args=[guide.pk])
    client.force_login(editor)
    client.post(review_url, {"message": ""})
    client.force_login(publisher)
    response = client.post(review_url, {"decision": "send_back", "comment": ""})
    assert "Say what the editor should change" in response.text
    client.post(review_url, {"decision": "send_back", "comment": "Add the 2024 figures."})
    client.force_login(editor)
    page = client.get(reverse("admin:mutuals_guide_change", args=[guide.pk])).text
    assert "Add the 2024 figures." in page


def test_users_without_change_rights_cannot_submit(client, django_user_model):
    guide = make_guide(published=False)
    viewer = django_user_model.objects.create_user("viewer", password="x-long-password", is_staff=True)
    client.force_login(viewer)
    response = client.post(reverse("admin:mutuals_guide_review", args=[guide.pk]), {"message": "hi"})
    assert response.status_code == 403
    assert not ReviewRequest.objects.exists()


# --- History ------------------------------------------------------------------------------


def test_a_guides_history_shows_its_parts_with_diffs_and_major_minor(publisher_client, publisher):
    guide = make_guide(title="Guide with parts")
    section = GuideSection.objects.create(guide=guide, heading="What a mutual is", body="Staff run it.")
    Criterion.objects.create(guide=guide, text="has left the public sector")
    Benefit.objects.create(guide=guide, audience="employees", text="More say.")
    url = reverse("admin:mutuals_guide_change", args=[guide.pk])
    data = admin_form_data(publisher_client.get(url))
    prefix = next(k for k in data if k.endswith("-0-body") and "section" in k).rsplit("-0-body", 1)[0]
    data[f"{prefix}-0-body"] = "Staff own and run it."
    data.update({"change_type": "major", "change_note": "Clarified who owns a mutual."})
    assert publisher_client.post(url, data).status_code == 302
    text = publisher_client.get(reverse("admin:mutuals_guide_history", args=[guide.pk])).text
    assert "Guide section: What a mutual is" in text
    assert "Staff<ins> own and</ins> run it." in text
    assert "Major change: Clarified who owns a mutual." in text
    assert "Criterion: has left the public sector" in text and "Benefit" in text
    assert str(publisher) in text
    assert (
        section.history.latest().history_change_reason
        == "Major change: Clarified who owns a mutual. (saved straight to live by a publisher)"
    )


# --- Redirects, 403, labels, banner, attachments ----------------------------------------------


def test_redirects_are_editable_by_publishers_and_read_only_for_editors(client, editor, publisher):
    redirect = Redirect.objects.create(site_id=1, old_path="/old/", new_path="/new/")
    change = reverse("admin:redirects_redirect_change", args=[redirect.pk])
    client.force_login(editor)
    assert client.get(reverse("admin:redirects_redirect_changelist")).status_code == 200
    assert client.post(change, {"site": 1, "old_path": "/old/", "new_path": "/forged/"}).status_code == 403
    assert (
        client.post(
            reverse("admin:redirects_redirect_add"), {"site": 1, "old_path": "/x/", "new_path": "/y/"}
        ).status_code
        == 403
    )
    client.force_login(publisher)
    assert client.post(change, {"site": 1, "old_path": "/old/", "new_path": "/newer/"}).status_code == 302
    redirect.refresh_from_db()
    assert redirect.new_path == "/newer/"


def test_old_addresses_with_a_query_string_redirect_keeping_it(client):
    mutual = make_mutual(slug="locala-old")
    mutual.slug = "locala"
    mutual.save()
    response = client.get("/mutuals/locala-old/?x=1&utm_source=mail")
    assert response.status_code == 301 and response["Location"] == "/mutuals/locala/?x=1&utm_source=mail"
    assert client.get("/mutuals/locala-old/").status_code == 301


def test_a_403_inside_the_admin_looks_like_the_admin(editor_client):
    response = editor_client.get(reverse("admin:redirects_redirect_add"))
    assert response.status_code == 403
    assert "You cannot do this" in response.text and "govuk-template" not in response.text


def test_labels_say_which_status(publisher_client):
    text = publisher_client.get(reverse("admin:mutuals_mutual_changelist")).text
    assert "By trading status" in text and "By publishing status" in text


def test_preview_banner_links_to_the_edit_page(editor_client):
    guide = make_guide(published=False)
    text = editor_client.get(guide.get_absolute_url()).text
    assert "Edit this page" in text and reverse("admin:mutuals_guide_change", args=[guide.pk]) in text


def test_major_minor_choice_sits_beside_save(publisher_client):
    guide = make_guide()
    text = publisher_client.get(reverse("admin:mutuals_guide_change", args=[guide.pk])).text
    choice, save = text.index('name="change_type"'), text.index('name="_save"')
    inlines = text.index('id="sections-group"') if 'id="sections-group"' in text else 0
    assert inlines < choice < save


def test_deleting_an_item_removes_its_waiting_review(editor_client, editor):
    from psm_site.publishing.review import submit_for_review

    guide = make_guide(published=False)
    submit_for_review(guide, user=editor, message="")
    guide.delete()
    assert not ReviewRequest.objects.exists()
    assert editor_client.get(reverse("admin:mutuals_guide_review", args=[guide.pk])).status_code == 404
