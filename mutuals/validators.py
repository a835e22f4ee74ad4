"""Checks on uploaded files: by their content, never by their name."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from pypdf import PdfReader
from pypdf.errors import PyPdfError


@dataclass(frozen=True)
class PdfFacts:
    size_bytes: int
    page_count: int


def read_pdf(upload) -> PdfFacts:
    """Size and page count of an uploaded PDF, or a ValidationError an editor can act on."""
    limit = settings.ATTACHMENT_MAX_BYTES
    size = upload.size
    if size > limit:
        raise ValidationError(
            "The file is %(size)s. The largest file you can upload is %(limit)s.",
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    upload.seek(0)
    if upload.read(5) != b"%PDF-":
        raise ValidationError("The file must be a PDF. This file is not a PDF, whatever its name.", code="not_pdf")
    upload.seek(0)
    try:
        pages = len(PdfReader(upload, strict=True).pages)
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError, RecursionError):
        raise ValidationError(
            "The PDF could not be read. It may be damaged or protected: save it again and upload the new copy.",
            code="unreadable",
        ) from None
    finally:
        upload.seek(0)
    if pages < 1:
        raise ValidationError("The PDF has no pages.", code="empty")
    return PdfFacts(size_bytes=size, page_count=pages)


def validate_pdf_upload(value):
    """Field validator: only new uploads are read (a stored file was checked when it arrived)."""
    if value and not getattr(value, "_committed", True):
        read_pdf(value.file)
