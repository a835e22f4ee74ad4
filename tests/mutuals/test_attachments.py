"""Attachments: metadata read from real PDFs; bad uploads refused by content, nothing stored."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from mutuals.models import Attachment
from tests.factories import make_publication
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db


def pdf_bytes(pages=3):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _upload(publisher_client, publication, name, content):
    url = reverse("admin:mutuals_publication_change", args=[publication.pk])
    data = admin_form_data(publisher_client.get(url))
    data.update(
        {
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "The report",
            "attachments-0-position": "0",
            "attachments-0-file": SimpleUploadedFile(name, content, content_type="application/pdf"),
            "change_type": "minor",
        }
    )
    return publisher_client.post(url, data)


def test_uploaded_pdf_size_and_pages_are_read_from_the_file(publisher_client, client):
    publication = make_publication()
    content = pdf_bytes(pages=3)
    response = _upload(publisher_client, publication, "report.pdf", content)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.page_count == 3 and attachment.size_bytes == len(content)
    assert attachment.description.startswith("PDF, ") and attachment.description.endswith(", 3 pages")
    page = client.get(publication.get_absolute_url()).text
    assert attachment.file.url in page
    assert "3 pages" in page and "Request an accessible format" in page


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", b"Just some text pretending to be a PDF" * 10, "not a PDF"),
        ("report.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a PDF"),
        ("report.pdf", b"%PDF-1.7\nthis is not really a pdf at all\n%%EOF", "could not be read"),
        ("report.pdf", pdf_bytes()[:200], "could not be read"),
    ],
)
def test_bad_uploads_get_a_field_error_and_store_nothing(publisher_client, settings, name, content, message):
    publication = make_publication()
    response = _upload(publisher_client, publication, name, content)
    assert response.status_code == 200
    assert message in response.text
    assert not Attachment.objects.exists()
    assert not (settings.MEDIA_ROOT / "attachments").exists()


def test_an_upload_over_the_size_limit_is_refused(publisher_client, settings):
    settings.ATTACHMENT_MAX_BYTES = 500
    response = _upload(publisher_client, make_publication(), "big.pdf", pdf_bytes(pages=5))
    assert response.status_code == 200
    assert "The largest file you can upload is 500" in response.text
    assert not Attachment.objects.exists()


def test_attachment_without_a_file_keeps_the_metadata_as_entered():
    publication = make_publication()
    attachment = Attachment.objects.create(
        publication=publication, title="Old report", size_bytes=953 * 1024, page_count=45
    )
    assert attachment.description == "PDF, 953KB, 45 pages"


def test_size_and_pages_of_an_attached_file_cannot_be_typed_over(publisher_client, client):
    publication = make_publication()
    content = pdf_bytes(pages=3)
    assert _upload(publisher_client, publication, "report.pdf", content).status_code == 302
    url = reverse("admin:mutuals_publication_change", args=[publication.pk])
    page = publisher_client.get(url)
    size_input = re.search(r'<input[^>]*name="attachments-0-size_bytes"[^>]*>', page.text).group()
    assert " disabled" in size_input and "Read from the attached file" in page.text  # shown, not editable
    data = admin_form_data(page)
    data.update({"attachments-0-size_bytes": "5000000", "attachments-0-page_count": "99", "change_type": "minor"})
    assert publisher_client.post(url, data).status_code == 302  # a crafted request changes nothing
    attachment = Attachment.objects.get()
    assert attachment.size_bytes == len(content) and attachment.page_count == 3
    assert "99 pages" not in client.get(publication.get_absolute_url()).text


def test_a_file_less_record_says_its_size_and_pages_are_typed(publisher_client):
    publication = make_publication()
    Attachment.objects.create(publication=publication, title="External report", size_bytes=1000, page_count=4)
    text = publisher_client.get(reverse("admin:mutuals_publication_change", args=[publication.pk])).text
    assert "only for an attachment without a file" in text and 'name="attachments-0-size_bytes"' in text
