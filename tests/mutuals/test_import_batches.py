"""Every import is a batch a publisher can withdraw in one action; bulk actions on every row of a
long list work without posting thousands of fields."""

import pytest
import tablib
from django.urls import reverse

from mutuals.models import ImportBatch, ImportedChange, Mutual
from mutuals.resources import import_mutuals, withdraw_import
from psm_site.publishing.actions import publish
from tests.mutuals.test_import import GOOD, HEADER

pytestmark = pytest.mark.django_db


def rows(count, summary="Runs services."):
    return [
        GOOD.replace("Good Mutual", f"Good Mutual {number}", 1).replace("Runs services.", summary)
        for number in range(1, count + 1)
    ]


def dataset(lines):
    return tablib.Dataset().load("\n".join([HEADER, *lines]), format="csv")


def counts():
    return {
        "mutuals": Mutual.objects.count(),
        "published": Mutual.objects.filter(status=Mutual.Status.PUBLISHED).count(),
        "held": ImportedChange.objects.count(),
        "sector links": Mutual.sectors.through.objects.count(),
        "summaries": sorted(Mutual.objects.values_list("summary", flat=True)),
    }


def test_each_import_is_a_batch_with_its_file_who_and_what_it_did(editor):
    import_mutuals(dataset=dataset(rows(3)), user=editor, file_name="first.csv", publish_rows=True)
    result, imported = import_mutuals(
        dataset=dataset([*rows(2, "Runs more."), GOOD.replace("Good Mutual", "New Mutual", 1)]),
        user=editor,
        file_name="second.csv",
    )
    assert imported
    batch = result.batch
    assert (batch.file_name, batch.imported_by, batch.source) == ("second.csv", editor, ImportBatch.Source.COMMAND)
    assert (batch.created_count, batch.updated_count, batch.held_count) == (1, 0, 2)
    assert batch.summary() == "1 new, 0 updated, 2 held for review"
    assert set(ImportedChange.objects.values_list("batch", flat=True)) == {batch.pk}
    assert Mutual.objects.get(name="New Mutual").import_batch == batch


def test_withdrawing_a_batch_deletes_unpublishes_and_rejects_in_one_action(editor, publisher):
    import_mutuals(dataset=dataset(rows(5)), user=editor, file_name="first.csv", publish_rows=True)
    before = counts()
    new = [GOOD.replace("Good Mutual", f"New Mutual {n}", 1) for n in range(1, 46)]
    result, _ = import_mutuals(dataset=dataset([*rows(5, "Runs more."), *new]), user=editor, file_name="big.csv")
    batch = result.batch
    assert (batch.created_count, batch.held_count) == (45, 5)
    published_since = Mutual.objects.get(name="New Mutual 7")
    publish(published_since)

    withdrawal = withdraw_import(batch, user=publisher)
    assert (withdrawal.deleted, withdrawal.unpublished, withdrawal.rejected) == (44, 1, 5)
    published_since.refresh_from_db()
    assert not published_since.is_published  # kept, as a draft, with a note in its history
    assert published_since.history.latest().history_change_reason == "Unpublished: import of big.csv withdrawn"
    assert published_since.history.latest().history_user == publisher
    after = counts()
    after["mutuals"] -= 1  # the one published since stays, as a draft
    after["sector links"] -= 2
    after["summaries"].remove("Runs services.")
    assert after == before
    deleted = Mutual.history.filter(name="New Mutual 3", history_type="-").get()
    assert deleted.history_user == publisher and deleted.history_change_reason == "Deleted: import of big.csv withdrawn"
    batch.refresh_from_db()
    assert batch.withdrawn_by == publisher and batch.withdrawal.startswith("44 new mutuals deleted")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already withdrawn"):
        withdraw_import(batch, user=publisher)


def test_a_publisher_withdraws_a_batch_in_the_admin_and_an_editor_cannot(client, editor, publisher):
    result, _ = import_mutuals(dataset=dataset(rows(3)), user=editor, file_name="mistake.csv")
    batch = result.batch
    page = reverse("admin:mutuals_importbatch_change", args=[batch.pk])
    withdraw = reverse("admin:mutuals_importbatch_withdraw", args=[batch.pk])

    client.force_login(editor)
    assert "mistake.csv" in client.get(reverse("admin:mutuals_importbatch_changelist")).text
    assert "Withdraw this import" not in client.get(page).text
    assert client.post(withdraw).status_code == 403
    assert Mutual.objects.count() == 3

    client.force_login(publisher)
    assert "Withdraw this import" in client.get(page).text
    confirm = client.get(withdraw).text
    assert "deletes the 3 draft mutuals it created" in confirm
    response = client.post(withdraw)
    assert response.status_code == 302
    assert not Mutual.objects.exists()
    assert "3 new mutuals deleted" in client.get(page).text


def test_an_admin_import_says_held_for_review_and_links_its_batch(publisher_client):
    from tests.mutuals.test_import_matrix import confirm, upload

    import_mutuals(dataset=dataset(rows(1)), publish_rows=True)
    changed = rows(1, "Runs more.")[0].replace(",Camden,", ",Holborn,")
    preview, text = upload(publisher_client, "change.csv", "\n".join([HEADER, changed]).encode())
    assert "Good Mutual 1 town, summary" in text  # the preview names the columns the row changes
    response = confirm(publisher_client, preview)
    page = publisher_client.get(response["Location"]).text
    assert "Import finished: 1 held for review." in page and "1 updated" not in page
    batch = ImportBatch.objects.get(file_name="change.csv")
    assert batch.source == ImportBatch.Source.ADMIN and batch.held_count == 1
    assert reverse("admin:mutuals_importbatch_change", args=[batch.pk]) in page


@pytest.fixture
def long_list(monkeypatch):
    """More mutuals than one page of the admin list shows."""
    from mutuals.admin.organisations import MutualAdmin

    monkeypatch.setattr(MutualAdmin, "list_per_page", 3)
    import_mutuals(dataset=dataset(rows(8)))
    return reverse("admin:mutuals_mutual_changelist")


def select_all(action, page_ids, **more):
    return {"action": action, "index": "0", "select_across": "1", "_selected_action": page_ids, **more}


def test_select_all_then_delete_posts_no_field_per_row(admin_client, long_list, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20  # what thousands of rows would break
    page_ids = list(Mutual.objects.values_list("pk", flat=True)[:3])
    confirm = admin_client.post(long_list + "?q=Good", select_all("delete_selected", page_ids))
    assert confirm.status_code == 200 and "these 8 mutuals" in confirm.text
    fields = confirm.text.count('name="_selected_action"')
    assert fields == 1 and 'name="select_across" value="1"' in confirm.text
    done = admin_client.post(
        long_list + "?q=Good",
        {"action": "delete_selected", "post": "yes", "select_across": "1", "_selected_action": page_ids[:1]},
    )
    assert done.status_code == 302
    assert not Mutual.objects.exists()


def test_select_all_publishes_and_unpublishes_every_row(publisher_client, long_list):
    page_ids = list(Mutual.objects.values_list("pk", flat=True)[:3])
    assert publisher_client.post(long_list, select_all("publish_selected", page_ids)).status_code == 302
    assert Mutual.objects.filter(status=Mutual.Status.PUBLISHED).count() == 8
    assert publisher_client.post(long_list, select_all("unpublish_selected", page_ids)).status_code == 302
    assert not Mutual.objects.filter(status=Mutual.Status.PUBLISHED).exists()


def test_the_admin_export_has_a_default_format_and_a_publishing_status_column(publisher_client):
    import csv
    import io

    from tests.factories import make_mutual

    make_mutual(name="Live Mutual")
    make_mutual(name="Draft Mutual", published=False)
    url = reverse("admin:mutuals_mutual_export")
    form = publisher_client.get(url).context["form"]
    assert form["format"].value() == "0" and "" not in dict(form.fields["format"].choices)
    fields = {f"mutualresource_{name}": "on" for name in ["name", "publishing_status"]}
    response = publisher_client.post(url, {"format": "0", "resource": "0", **fields})
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    statuses = {row["name"]: row["publishing_status"] for row in csv.DictReader(io.StringIO(text))}
    assert statuses == {"Live Mutual": "Published", "Draft Mutual": "Draft"}


def test_held_import_changes_are_counted_on_the_publishers_admin_home(client, editor, publisher):
    import_mutuals(dataset=dataset(rows(2)), publish_rows=True)
    import_mutuals(dataset=dataset(rows(2, "Runs more.")), file_name="change.csv")
    client.force_login(publisher)
    home = client.get(reverse("admin:index")).text
    assert "2 changes to published mutuals waiting for you to apply or reject" in home
    client.force_login(editor)
    assert "waiting for you to apply or reject" not in client.get(reverse("admin:index")).text


def test_on_sqlite_a_long_file_is_written_in_parts_under_one_batch(settings, editor):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("parts are for SQLite's single writer")
    settings.IMPORT_SQLITE_PART_ROWS = 4
    import_mutuals(dataset=dataset(rows(3)), publish_rows=True)
    lines = [*rows(3, "Runs more."), *(GOOD.replace("Good Mutual", f"New Mutual {n}", 1) for n in range(7))]
    result, imported = import_mutuals(dataset=dataset(lines), user=editor, file_name="parts.csv")
    assert imported and len(result.rows) == 10
    assert ImportBatch.objects.filter(file_name="parts.csv").count() == 1
    batch = result.batch
    assert (batch.created_count, batch.updated_count, batch.held_count) == (7, 0, 3)
    assert Mutual.objects.filter(import_batch=batch).count() == 7
    assert set(ImportedChange.objects.values_list("batch", flat=True)) == {batch.pk}
