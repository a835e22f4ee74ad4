"""Large admin imports: checked and imported by the task worker (django-tasks, database backend),
with the preview and every error kept on a status page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from mutuals.models import Mutual
from tests.mutuals.test_import import GOOD, HEADER, bad

# The worker commits and closes its connections, as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _small_threshold(settings):
    settings.IMPORT_IN_BACKGROUND_ROWS = 2


def rows(count):
    return [GOOD.replace("Good Mutual", f"Good Mutual {number}", 1) for number in range(1, count + 1)]


def upload(client, lines):
    data = SimpleUploadedFile("mutuals.csv", "\n".join([HEADER, *lines]).encode(), "text/csv")
    return client.post(reverse("admin:mutuals_mutual_import"), {"import_file": data, "format": "0", "resource": "0"})


def work():
    """What the worker process (`manage.py db_worker`) does, once, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_large_clean_file_is_checked_then_imported_by_the_worker(editor_client):
    response = upload(editor_client, rows(3))
    assert response.status_code == 302
    status_url = response["Location"]
    waiting = editor_client.get(status_url)
    assert "waiting to be checked" in waiting.text and 'http-equiv="refresh"' in waiting.text
    assert not Mutual.objects.exists()

    work()
    checked = editor_client.get(status_url)
    assert "The file is clean" in checked.text and "Confirm import" in checked.text
    assert checked.text.count("Good Mutual ") == 3 and "3 rows" in checked.text
    assert not Mutual.objects.exists(), "the check is a dry run"

    confirmed = editor_client.post(status_url)
    assert confirmed.status_code == 302 and confirmed["Location"] != status_url
    assert "being imported" in editor_client.get(confirmed["Location"]).text
    work()
    done = editor_client.get(confirmed["Location"])
    assert "Import finished" in done.text and 'http-equiv="refresh"' not in done.text
    assert Mutual.objects.drafts().count() == 3


def test_a_large_file_with_errors_shows_every_error_and_imports_nothing(editor_client):
    response = upload(editor_client, [*rows(3), bad("sectors", "Space travel"), bad("region", "Wales")])
    work()
    page = editor_client.get(response["Location"])
    assert "2 problems found" in page.text
    assert "Unknown sector ‘Space travel’" in page.text and "Unknown region ‘Wales’" in page.text
    assert "Confirm import" not in page.text
    assert editor_client.post(response["Location"]).status_code == 200  # confirming a bad file does nothing
    work()
    assert not Mutual.objects.exists()


def test_a_small_file_keeps_the_usual_preview(editor_client):
    response = upload(editor_client, rows(2))
    assert response.status_code == 200 and response.context["confirm_form"] is not None


def test_an_unknown_import_is_404_and_needs_import_permission(editor_client):
    from django.test import Client

    url = reverse("admin:mutuals_mutual_import_status", args=["00000000-0000-0000-0000-000000000000"])
    assert editor_client.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the admin sign-in
