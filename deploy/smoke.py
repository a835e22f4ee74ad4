"""Smoke test of the running production stack, through nginx (what .ci/run does after make prod).

    .venv/bin/python deploy/smoke.py [http://127.0.0.1:8080]

Home, a mutual, a PDF attachment (made for the test and removed afterwards), a hashed static
file, nginx's microcache (a hit for each encoding, skipped for staff, never for /healthz), and the map in Chromium with every pin image loaded and no request answered 4xx or 5xx.
Reads the same environment as make prod (DATABASE_URL, DJANGO_MEDIA_ROOT) to place the PDF.
"""

import io
import os
import re
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psm_site.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "smoke-test-does-not-serve")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop beside the ORM

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from pypdf import PdfWriter  # noqa: E402

from mutuals.models import Attachment, Mutual, Publication  # noqa: E402
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

BASE = (sys.argv[1] if len(sys.argv) > 1 else f"http://127.0.0.1:{os.environ.get('PROD_PORT', '8080')}").rstrip("/")
HASHED = re.compile(r"/static/[^\"']+\.[0-9a-f]{12}\.css")


def fetch(path, headers=None):
    with urllib.request.urlopen(urllib.request.Request(BASE + path, headers=headers or {}), timeout=10) as response:
        return response.status, response.headers, response.read()


def check(label, condition, detail=""):
    print(f"smoke: {'ok  ' if condition else 'FAIL'} {label} {detail}".rstrip())
    if not condition:
        raise SystemExit(1)


def a_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def main():
    status, headers, body = fetch("/")
    check("home", status == 200 and b"Public Service Mutuals" in body, headers.get("X-Request-ID", ""))
    check("request id echoed", bool(re.fullmatch(r"[0-9a-f]{32}", headers.get("X-Request-ID", ""))))

    mutual = Mutual.objects.published().live().order_by("name").first()
    status, _, body = fetch(mutual.get_absolute_url())
    check("a mutual", status == 200 and mutual.name.encode() in body.replace(b"&#x27;", b"'"), mutual.slug)

    static_path = HASHED.search(body.decode()).group(0)
    status, headers, _ = fetch(static_path)
    check(
        "a hashed static file",
        status == 200
        and headers["Content-Type"].startswith("text/css")
        and "immutable" in headers.get("Cache-Control", "")
        and headers.get("X-Content-Type-Options") == "nosniff",
        static_path,
    )

    attachment = Attachment(publication=Publication.objects.order_by("pk").first(), title="Smoke test")
    attachment.file.save("smoke-test.pdf", ContentFile(a_pdf()))
    try:
        status, headers, body = fetch(attachment.file.url)
        check(
            "a PDF attachment",
            status == 200
            and headers["Content-Type"] == "application/pdf"
            and headers.get("X-Content-Type-Options") == "nosniff"
            and body.startswith(b"%PDF"),
            attachment.file.url,
        )
    finally:
        attachment.file.delete(save=False)
        attachment.delete()

    check_microcache()
    check_map()


def check_microcache():
    """nginx keeps a visitor's page for a second, apart for each encoding; staff and /healthz pass through."""
    for encoding in ("gzip", "identity"):
        statuses, bodies = [], []
        for _ in range(3):
            _, headers, body = fetch("/support/", {"Accept-Encoding": encoding})
            statuses.append(headers.get("X-Cache-Status"))
            bodies.append((headers.get("Content-Encoding"), body[:2]))
        gzipped = all(kind == "gzip" and start == b"\x1f\x8b" for kind, start in bodies)
        plain = all(kind is None and start != b"\x1f\x8b" for kind, start in bodies)
        check(
            f"microcache, {encoding}", "HIT" in statuses and (gzipped if encoding == "gzip" else plain), str(statuses)
        )
    _, headers, _ = fetch("/support/", {"Cookie": "psm_staff=x"})
    check("microcache skipped for staff", headers.get("X-Cache-Status") == "BYPASS")
    statuses = [fetch("/healthz")[1].get("X-Cache-Status") for _ in range(2)]
    check("microcache never keeps /healthz", "HIT" not in statuses, str(statuses))


def check_map():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])"), lambda route: route.abort())
        bad = []
        page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(BASE + "/mutuals/?status=all")
        page.wait_for_function("() => document.querySelectorAll('.leaflet-marker-pane img').length > 0")
        images = "Array.from(document.querySelectorAll('.leaflet-marker-pane img, .leaflet-shadow-pane img'))"
        page.wait_for_function(f"() => {images}.every((i) => i.complete && i.naturalWidth > 0)", timeout=10_000)
        count = page.evaluate(f"() => {images}.length")
        browser.close()
    check("the map's pins", count > 0 and not bad, f"{count} images loaded; failed requests: {bad or 'none'}")


if __name__ == "__main__":
    main()
