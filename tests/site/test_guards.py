"""Site-wide guards: migrations, fixtures, headers and the deployment checklist."""

import io

import pytest
from django.core.management import call_command

from mutuals.models import Guide, Publication

pytestmark = pytest.mark.django_db


def test_no_pending_migrations():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Models and migrations differ:\n{out.getvalue()}")


def test_fixtures_load_and_a_second_load_keeps_editor_changes():
    call_command("load_initial_content", stdout=io.StringIO())
    guide = Guide.objects.get(slug="introduction-to-public-service-mutuals")
    assert guide.is_published and guide.criteria.count() == 3 and guide.benefits.count() == 3
    assert [n.note for n in guide.public_change_notes()][-1] == "First published."
    assert len(guide.public_change_notes()) == 4
    assert Publication.objects.published().count() >= 2
    guide.title = "Edited"
    guide.save()
    call_command("load_initial_content", stdout=io.StringIO())
    assert Guide.objects.get(pk=guide.pk).title == "Edited"


def test_seed_page_rebuilt_from_fixtures(client):
    call_command("load_initial_content", stdout=io.StringIO())
    html = client.get("/introduction-to-public-service-mutuals").text
    for text in [
        "Introduction to Public Service Mutuals",
        "has left the public sector",
        "82%",
        "91%",
        "73%",
        "PDF, 953KB, 45 pages",
        'Published <time datetime="2017-04-03',
        'Last updated <time datetime="2017-08-21',
        "The third round of the Mutuals Interim Support Fund is now open for applications until 29 September 2017.",
    ]:
        assert text in html, text


def test_security_headers(client):
    response = client.get("/research/")
    # django-csp writes the directives in a set's order, which changes with the hash seed.
    directives = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert directives["script-src"] == "'self'"
    assert "nonce" not in response["Content-Security-Policy"]
    assert client.get("/research/")["Content-Security-Policy"] == response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_hsts_over_https_from_the_production_default(client):
    """The value is the settings' own default (DEBUG off): a year, subdomains, preload list."""
    response = client.get("/research/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Strict-Transport-Security" not in client.get("/research/")  # browsers ignore it over HTTP


def test_deployment_checklist_is_clean(monkeypatch):
    """`check --deploy` with production values passes with no warnings."""
    from django.conf import settings

    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set only for browser tests
    monkeypatch.setattr(settings, "DEBUG", False)
    monkeypatch.setattr(
        settings, "SECRET_KEY", "a" * 20 + "b-production-secret-of-enough-length-and-variety-1234567890"
    )
    monkeypatch.setattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", True)
    monkeypatch.setattr(settings, "SECURE_SSL_REDIRECT", True)
    monkeypatch.setattr(settings, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setattr(settings, "CSRF_COOKIE_SECURE", True)
    monkeypatch.setattr(settings, "SITE_DOMAIN", "mutuals.example.gov.uk")
    monkeypatch.setattr(settings, "ADMIN_TWO_FACTOR", True)
    monkeypatch.setattr(settings, "DATA_PROTECTION_OFFICER_EMAIL", "dpo@example.gov.uk")
    monkeypatch.setattr(settings, "FEEDBACK_RETENTION_DAYS", 365)
    monkeypatch.setattr(settings, "SERVER_LOG_RETENTION_DAYS", 30)
    monkeypatch.setattr(settings, "STAFF_ACCOUNT_RETENTION_DAYS", 90)
    monkeypatch.setattr(settings, "GUNICORN_WORKERS", 1)  # one worker: its local-memory cache is shared
    out = io.StringIO()
    call_command("check", "--deploy", "--fail-level", "WARNING", stdout=out, stderr=out)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    # The alerts clock never ran in a test database.
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "clock": "unknown"}


def test_uk_date_formats(settings):
    from datetime import date

    from django.utils.formats import date_format

    assert date_format(date(2017, 4, 3)) == "3 April 2017"


def test_pages_and_open_data_are_compressed_for_clients_that_accept_it(client):
    from tests.factories import make_mutual

    make_mutual()
    for url in ["/research/", "/mutuals/", "/mutuals.geojson"]:
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip", url


def test_deploy_check_fails_without_a_secret_key_from_the_environment(monkeypatch):
    from django.conf import settings
    from django.core.management.base import SystemCheckError

    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    monkeypatch.setattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", False)
    with pytest.raises(SystemCheckError, match="DJANGO_SECRET_KEY is not set"):
        call_command("check", "--deploy", stdout=io.StringIO(), stderr=io.StringIO())


def test_production_static_files_build_with_hashed_names(built_static):
    """collectstatic with whitenoise's manifest storage resolves every url() in our CSS."""
    import json

    manifest = json.loads((built_static / "staticfiles.json").read_text())["paths"]
    for name in ["build/css/psm.css", "govuk-frontend/govuk-frontend.min.js", "js/mutual-map.js", "leaflet/leaflet.js"]:
        assert name in manifest
    css = (built_static / manifest["build/css/psm-gds.css"]).read_text()
    assert "/static/govuk-frontend/assets/fonts/" in css and ".woff2" in css


# Staff checks outside the admin: each must go through psm_site.permissions (is_verified_staff,
# staff_may), which asks for both factors. Modules of the admin itself (it has its own two-factor
# gate, psm_site.admin_site), an app's admin/ package among them, are exempt; anything else is
# listed here with its reason.
ADMIN_MODULES = {"admin.py", "admin_site.py", "signin.py", "psm_admin.py", "permissions.py"}
STAFF_CHECKS_ALLOWED = {
    ("psm_site/publishing/actions.py", "can_publish"): "the admin's publish buttons and actions",
    (
        "psm_site/web/errors.py",
        "permission_denied",
    ): "chooses the admin's look for a 403 inside the admin; grants nothing",
    (
        "psm_site/web/cache.py",
        "public_page",
    ): "a signed-in session's page is never shared (private, no-store); grants nothing",
    (
        "psm_site/web/cache.py",
        "StaffMarkerMiddleware",
    ): "marks a signed-in session so the page cache passes it by; grants nothing",
}
STAFF_ATTRIBUTES = {"is_staff", "is_superuser", "is_authenticated", "has_perm", "has_perms", "otp_device"}


def _staff_checks(path):
    import ast

    tree = ast.parse(path.read_text(), filename=str(path))
    for top in tree.body:
        name = getattr(top, "name", "<module>")
        for node in ast.walk(top):
            if isinstance(node, ast.Attribute) and node.attr in STAFF_ATTRIBUTES:
                yield name, node.attr, node.lineno


def test_every_staff_check_outside_the_admin_needs_both_factors():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for app in ["psm_site", "mutuals", "support", "alerts"]:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if any(part in relative for part in ("/migrations/", "/management/", "/admin/")):
                continue
            if path.name in ADMIN_MODULES:
                continue
            for function, attribute, line in _staff_checks(path):
                if (relative, function) not in STAFF_CHECKS_ALLOWED:
                    found.append(f"{relative}:{line} {function}() reads .{attribute}")
    assert not found, "Use psm_site.permissions.is_verified_staff / staff_may:\n" + "\n".join(found)


def test_the_private_psycopg_hooks_were_checked_with_the_installed_psycopg():
    """psm_site/web/postgresql/base.py overrides two private psycopg names. After an upgrade, read
    psycopg's connection and wait code again, run tests/site/test_outage.py on PostgreSQL, then
    move PSYCOPG_CHECKED."""
    import psycopg

    from psm_site.web.postgresql import base

    assert psycopg.__version__ == base.PSYCOPG_CHECKED, "psycopg changed: recheck psm_site/web/postgresql/base.py"
    assert callable(psycopg.Connection._connect_gen) and issubclass(psycopg.errors._WaitTimeout, Exception)
