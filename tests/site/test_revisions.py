"""Draft revisions: an editor's save of a published item waits for a publisher; the publisher sees
what changed; saves over a newer version are refused; history has no gaps."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mutuals.models import Guide, GuideSection, Mutual
from psm_site.models import ChangeNote, ReviewRequest, Revision
from tests.factories import make_guide, make_mutual
from tests.helpers import admin_form_data, settle_content_version
from tests.support.factories import make_fund, make_round

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def review_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_review", args=[obj.pk])


def section_prefix(data):
    return next(k for k in data if k.endswith("-0-body") and "section" in k).rsplit("-0-body", 1)[0]


@pytest.fixture
def guide():
    guide = make_guide(title="What a mutual is", summary="The basics.")
    GuideSection.objects.create(guide=guide, heading="Ownership", body="Staff run it.")
    return guide


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def saves(user, obj, changes, *, drop=(), client=None):
    """`user` opens `obj`'s change form, changes it and saves it as a minor change. Returns their client."""
    client = client or client_for(user)
    data = admin_form_data(client.get(change_url(obj)))
    for key in drop:
        data.pop(key, None)
    data.update({"change_type": "minor", **changes})
    response = client.post(change_url(obj), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return client


def editor_saves_section(editor, guide, body, **extra):
    client = client_for(editor)
    data = admin_form_data(client.get(change_url(guide)))
    data[f"{section_prefix(data)}-0-body"] = body
    data.update(change_type="minor", **extra)
    response = client.post(change_url(guide), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return client


def test_an_editors_save_of_a_published_guide_leaves_live_unchanged(client, editor, guide):
    records = guide.history.count(), GuideSection.history.count()
    editor_client = editor_saves_section(editor, guide, "Staff own and run it.", title="What a mutual really is")
    guide.refresh_from_db()
    assert guide.title == "What a mutual is"
    assert GuideSection.objects.get().body == "Staff run it."
    assert (guide.history.count(), GuideSection.history.count()) == records  # nothing live was saved
    revision = Revision.objects.get()
    assert revision.updated_by == editor and revision.item_title == "What a mutual really is"

    public = client.get(guide.get_absolute_url()).text
    assert "Staff run it." in public and "Staff own and run it." not in public and "Preview" not in public

    preview = editor_client.get(guide.get_absolute_url())
    assert "Staff own and run it." in preview.text and "What a mutual really is" in preview.text
    assert "This shows a draft revision saved by editor" in preview.text
    assert "no-cache" in preview["Cache-Control"]

    form = editor_client.get(change_url(guide))
    assert "You are looking at a draft revision saved by editor" in form.text
    assert form.context["adminform"].form["title"].value() == "What a mutual really is"

    # A later save by an editor updates the same revision.
    editor_saves_section(editor, guide, "Staff own it and run it.")
    assert Revision.objects.count() == 1
    assert "Staff own it and run it." in editor_client.get(guide.get_absolute_url()).text


def test_review_shows_the_difference_send_back_fix_and_approve_as_major(
    editor, publisher, guide, django_capture_on_commit_callbacks
):
    from alerts.models import Alert

    editor.email, publisher.email = "editor@example.org", "publisher@example.org"
    editor.save(), publisher.save()
    editor_client = editor_saves_section(editor, guide, "Staff own and run it.")
    editor_client.post(review_url(guide), {"message": "Ownership clarified."})
    publisher_client = client_for(publisher)

    review = publisher_client.get(review_url(guide)).text
    assert "Staff<ins> own and</ins> run it." in review
    assert "Changed: Guide section: Ownership" in review

    mail.outbox.clear()
    publisher_client.post(review_url(guide), {"decision": "send_back", "comment": "Say who owns it."})
    assert [m.to for m in mail.outbox] == [["editor@example.org"]]
    assert "Say who owns it." in mail.outbox[0].body and mail.outbox[0].subject.startswith("Sent back to you")
    home = editor_client.get(reverse("admin:index")).text
    assert "Sent back to you (1)" in home and "Say who owns it." in home

    editor_saves_section(editor, guide, "Staff own and run it, as members.")
    editor_client.post(review_url(guide), {"message": "Fixed."})
    assert "Sent back to you" not in editor_client.get(reverse("admin:index")).text
    assert GuideSection.objects.get().body == "Staff run it."

    response = publisher_client.post(review_url(guide), {"decision": "approve", "change_type": "major"})
    assert "Write a public change note" in response.text  # major needs its note, as a direct save does
    assert not Alert.objects.exists()  # nothing public has changed yet
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = publisher_client.post(
            review_url(guide), {"decision": "approve", "change_type": "major", "change_note": "Explained ownership."}
        )
    assert response.status_code == 302
    assert Alert.objects.get().note == "Explained ownership."  # the alert goes out with the approval
    assert GuideSection.objects.get().body == "Staff own and run it, as members."
    assert not Revision.objects.exists()
    assert ChangeNote.objects.filter(note="Explained ownership.").exists()
    assert ReviewRequest.objects.latest("requested_at").state == "approved"
    reason = GuideSection.history.latest().history_change_reason
    assert reason.startswith("Major change: Explained ownership.") and "approved" in reason
    assert [m.to for m in mail.outbox] == [["editor@example.org"]] and mail.outbox[0].subject.startswith("Approved")
    assert "Approved (last 30 days)" in editor_client.get(reverse("admin:index")).text


def test_a_fund_round_changed_by_an_editor_waits_for_approval(client, editor, publisher):
    now = timezone.now()
    fund = make_fund(name="Growth Fund", slug="growth-fund")
    fund_round = make_round(
        fund, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=20), notes="Old notes."
    )
    editor_client = saves(editor, fund, {"rounds-0-notes": "New notes for applicants."})
    fund_round.refresh_from_db()
    assert fund_round.notes == "Old notes."
    assert "Old notes." in client.get(fund.get_absolute_url()).text
    assert "New notes for applicants." in editor_client.get(fund.get_absolute_url()).text

    editor_client.post(review_url(fund), {"message": ""})
    publisher_client = client_for(publisher)
    changed = re.search(r'<section id="what-changed".*?</section>', publisher_client.get(review_url(fund)).text, re.S)
    assert "<del>Old</del> <ins>New</ins> <del>notes.</del> <ins>notes for applicants.</ins>" in changed.group(0)
    publisher_client.post(review_url(fund), {"decision": "approve", "change_type": "minor"})
    fund_round.refresh_from_db()
    assert fund_round.notes == "New notes for applicants." and fund_round.is_published


def test_a_publishers_own_save_goes_live_and_is_recorded_so(publisher, editor, guide):
    editor_saves_section(editor, guide, "Staff own and run it.")
    publisher_client = client_for(publisher)
    data = admin_form_data(publisher_client.get(change_url(guide)))  # shows the draft revision
    assert data[f"{section_prefix(data)}-0-body"] == "Staff own and run it."
    data["change_type"] = "minor"
    assert publisher_client.post(change_url(guide), data).status_code == 302
    assert GuideSection.objects.get().body == "Staff own and run it."
    assert not Revision.objects.exists()
    assert GuideSection.history.latest().history_change_reason == "Minor change (saved straight to live by a publisher)"
    assert GuideSection.history.latest().history_user == publisher


@pytest.mark.parametrize("extra_sections", [0, 10])
def test_the_public_page_costs_no_more_queries_with_a_draft_revision(
    client, editor, guide, django_assert_num_queries, extra_sections
):
    for number in range(extra_sections):
        GuideSection.objects.create(guide=guide, heading=f"Section {number}", body="Text.", position=number + 1)
    settle_content_version()
    with django_assert_num_queries(5):  # a page cache miss, with no revision
        client.get(guide.get_absolute_url())
    editor_saves_section(editor, guide, "Staff own and run it.")
    cache.clear()
    settle_content_version()
    with django_assert_num_queries(5):
        assert "Staff run it." in client.get(guide.get_absolute_url()).text


def test_a_second_save_over_a_newer_version_is_refused_with_who_and_when(publisher, django_user_model):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("second-publisher", password="x-long-password", is_staff=True)
    other.groups.add(Group.objects.get(name="Publishers"))
    mutual = make_mutual(name="Bromley Healthcare", town="Bromley", region="yorkshire-and-the-humber")
    first, second = client_for(publisher), client_for(other)
    first_data = admin_form_data(first.get(change_url(mutual)))
    second_page = second.get(change_url(mutual))
    second_data = admin_form_data(second_page)
    opened_at = re.search(r'name="_psm_version" value="([^"]+)"', second_page.text).group(1)
    first_data.update(town="Orpington", change_type="minor", _psm_version=opened_at)
    assert first.post(change_url(mutual), first_data).status_code == 302

    second_data.update(summary="A new summary.", change_type="minor", _psm_version=opened_at)
    response = second.post(change_url(mutual), second_data)
    assert response.status_code == 200
    text = response.text
    assert "Not saved: publisher changed this mutual on" in text
    assert reverse("admin:mutuals_mutual_history", args=[mutual.pk]) in text
    assert "A new summary." in text  # their own edit is still in the form
    mutual.refresh_from_db()
    assert mutual.town == "Orpington" and mutual.summary != "A new summary."


def test_two_editors_drafts_do_not_overwrite_each_other(editor, django_user_model, guide):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("second-editor", password="x-long-password", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    first, second = client_for(editor), client_for(other)
    first_page, second_page = first.get(change_url(guide)), second.get(change_url(guide))
    token = re.search(r'name="_psm_version" value="([^"]+)"', second_page.text).group(1)
    data = admin_form_data(first_page)
    data.update(title="First editor's title", change_type="minor", _psm_version=token)
    assert first.post(change_url(guide), data).status_code == 302
    data = admin_form_data(second_page)
    data.update(summary="Second editor's summary", change_type="minor", _psm_version=token)
    response = second.post(change_url(guide), data)
    assert "Not saved: editor changed this guide on" in response.text
    assert Revision.objects.get().data["title"] == ["First editor's title"]


def test_setting_only_unpublish_at_does_not_ask_major_or_minor(publisher_client, guide):
    data = admin_form_data(publisher_client.get(change_url(guide)))
    data.pop("change_type", None)
    soon = timezone.localtime() + timedelta(days=3)
    data.update(unpublish_at_0=soon.strftime("%d/%m/%Y"), unpublish_at_1="17:00:00")
    response = publisher_client.post(change_url(guide), data)
    assert response.status_code == 302, response.context["errors"]
    guide.refresh_from_db()
    assert guide.unpublish_at is not None and guide.is_published
    page = publisher_client.get(change_url(guide)).text
    assert "Due to come off the public site at" in page


def test_bulk_publish_records_its_kind_of_change(publisher_client):
    guide = make_guide(published=False)
    publisher_client.post(
        reverse("admin:mutuals_guide_changelist"), {"action": "publish_selected", "_selected_action": [guide.pk]}
    )
    assert Guide.history.latest().history_change_reason == "Published (with ‘Publish selected items’)"


def test_editor_mutual_change_leaves_open_data_and_search_unchanged(client, editor):
    mutual = make_mutual(name="Locala", town="Kirklees", region="yorkshire-and-the-humber")
    editor_client = saves(editor, mutual, {"town": "Huddersfield"})
    assert Mutual.objects.get().town == "Kirklees"
    assert "Huddersfield" not in client.get("/mutuals.json").text
    assert "Huddersfield" not in client.get(reverse("search") + "?q=Locala").text
    assert "Huddersfield" in editor_client.get(mutual.get_absolute_url()).text


def test_the_first_change_to_fixture_content_shows_what_changed(publisher_client):
    import io

    from django.core.management import call_command

    call_command("load_initial_content", stdout=io.StringIO())
    guide = Guide.objects.get(slug="introduction-to-public-service-mutuals")
    assert guide.history.get().history_change_reason == "Loaded from fixtures/ (the first content)"
    data = admin_form_data(publisher_client.get(change_url(guide)))
    data.update(summary=data["summary"] + " Updated.", change_type="minor")
    assert publisher_client.post(change_url(guide), data).status_code == 302
    history = publisher_client.get(reverse("admin:mutuals_guide_history", args=[guide.pk])).text
    assert "<ins> Updated.</ins>" in history
    assert "No field of its own changed" not in history


def test_an_attachment_added_by_an_editor_goes_live_only_on_approval(client, editor, publisher):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mutuals.models import Attachment
    from tests.factories import make_publication
    from tests.mutuals.test_attachments import pdf_bytes

    publication = make_publication(title="Mutuals in 2024")
    upload = SimpleUploadedFile("report.pdf", pdf_bytes(pages=2), content_type="application/pdf")
    editor_client = saves(
        editor,
        publication,
        {
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "The full report",
            "attachments-0-position": "0",
            "attachments-0-file": upload,
        },
    )
    assert not Attachment.objects.exists()
    assert "The full report" not in client.get(publication.get_absolute_url()).text
    assert "The full report" in editor_client.get(publication.get_absolute_url()).text

    # Saving the draft again without choosing the file again keeps it.
    saves(editor, publication, {"summary": "Now with the report."}, drop=["attachments-0-file"], client=editor_client)
    assert list(Revision.objects.get().files) == ["attachments-0-file"]

    editor_client.post(review_url(publication), {"message": ""})
    response = client_for(publisher).post(review_url(publication), {"decision": "approve", "change_type": "minor"})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.page_count == 2 and attachment.file.read().startswith(b"%PDF")
    assert "The full report" in client.get(publication.get_absolute_url()).text


def test_a_draft_revision_can_be_discarded(editor, guide):
    editor_client = editor_saves_section(editor, guide, "Staff own and run it.")
    response = editor_client.post(review_url(guide), {"_discard": "Discard the draft revision"})
    assert response.status_code == 302
    assert not Revision.objects.exists()
    assert 'id="draft-revision-notice"' not in editor_client.get(change_url(guide)).text
    assert GuideSection.objects.get().body == "Staff run it."


def test_a_draft_cannot_be_approved_over_a_newer_live_change(editor, publisher):
    now = timezone.now()
    fund = make_fund(name="Growth Fund", slug="growth-fund")
    fund_round = make_round(fund, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=20), notes="Old.")
    editor_client = saves(editor, fund, {"summary": "Grants for young mutuals."})
    editor_client.post(review_url(fund), {"message": ""})
    publisher_client = saves(publisher, fund_round, {"notes": "Corrected by the publisher."})  # on its own page

    review = publisher_client.get(review_url(fund)).text
    assert "was changed by publisher on" in review
    response = publisher_client.post(review_url(fund), {"decision": "approve", "change_type": "minor"})
    assert "Not approved: the live version changed" in response.text
    fund.refresh_from_db(), fund_round.refresh_from_db()
    assert fund_round.notes == "Corrected by the publisher." and fund.summary != "Grants for young mutuals."
    assert "The live version has changed since this draft was saved" in editor_client.get(change_url(fund)).text


def test_a_programme_preview_shows_a_consortium_added_in_its_draft(client, editor):
    from tests.support.factories import make_programme

    programme = make_programme(name="Mutuals Support Programme")
    consortium = {"consortia-TOTAL_FORMS": "1", "consortia-0-name": "GoMutual", "consortia-0-position": "0"}
    editor_client = saves(editor, programme, {**consortium, "consortia-0-members_text": "Stone King"})
    preview = editor_client.get(programme.get_absolute_url())
    assert preview.status_code == 200 and "GoMutual" in preview.text
    assert "GoMutual" not in client.get(programme.get_absolute_url()).text


def test_previews_show_new_parts_of_a_guide_and_a_fund(editor):
    now = timezone.now()
    guide = make_guide(title="Guide")
    fund = make_fund(name="Growth Fund", slug="growth-fund")
    section = {"sections-0-heading": "A new section", "sections-0-body": "Its text.", "sections-0-position": "0"}
    editor_client = saves(editor, guide, {"sections-TOTAL_FORMS": "1", **section})
    opens, closes = timezone.localtime(now + timedelta(days=2)), timezone.localtime(now + timedelta(days=30))
    new_round = {
        "rounds-TOTAL_FORMS": "1",
        "rounds-0-number": "1",
        "rounds-0-opens_at_0": opens.strftime("%d/%m/%Y"),
        "rounds-0-opens_at_1": "09:00",
        "rounds-0-closes_at_0": closes.strftime("%d/%m/%Y"),
        "rounds-0-closes_at_1": "17:00",
    }
    saves(editor, fund, new_round, client=editor_client)
    page = editor_client.get(guide.get_absolute_url())
    assert page.status_code == 200 and "A new section" in page.text
    page = editor_client.get(fund.get_absolute_url())
    assert page.status_code == 200 and "Round 1" in page.text
