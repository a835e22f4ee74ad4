"""Safe to put live: error pages that cannot fail, headers, maintenance, request size and checks."""

import io
import logging

import pytest
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse

from psm_site.models import Feedback
from psm_site.web import errors
from psm_site.web.errors import error_page

pytestmark = pytest.mark.django_db
ERROR_PAGES = {
    "400.html": (400, "Sorry, there is a problem with that request"),
    "403.html": (403, "You cannot see this page"),
    "404.html": (404, "Page not found"),
    "429.html": (429, "Sorry, there have been too many attempts"),
    "500.html": (500, "Sorry, there is a problem with the service"),
    "503.html": (503, "Sorry, the service is unavailable"),
}


@pytest.mark.parametrize("template", ERROR_PAGES)
def test_error_pages_render_without_database_request_or_script(template, django_assert_num_queries):
    status, heading = ERROR_PAGES[template]
    with django_assert_num_queries(0):
        response = error_page(template, status)
    html = response.content.decode()
    assert response.status_code == status
    assert f'<h1 class="govuk-heading-xl">{heading}</h1>' in html
    assert "govuk-template__body" in html and "/static/build/css/psm.css" in html
    assert "<script" not in html and "nonce" not in html  # no script, so nothing needs a nonce


def test_an_error_page_that_cannot_render_still_answers(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ValueError("template storage is broken")

    monkeypatch.setattr(errors, "render_to_string", broken)
    response = error_page("500.html", 500)
    assert response.status_code == 500
    assert "<h1>Sorry, there is a problem with the service</h1>" in response.content.decode()


@pytest.mark.parametrize("ssl_redirect", [False, True])
def test_disallowed_host_gets_the_400_page_and_one_short_warning(settings, caplog, ssl_redirect):
    settings.SECURE_SSL_REDIRECT = ssl_redirect  # production: SecurityMiddleware asks for the host first
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get("/", HTTP_HOST="evil.example" + "x" * 500)
    assert response.status_code == 400
    assert "Sorry, there is a problem with that request" in response.text
    assert response["Permissions-Policy"].startswith("accelerometer=()")
    assert [(r.levelname, r.name) for r in caplog.records] == [("WARNING", "django.security.DisallowedHost")]
    record = caplog.records[0]
    assert record.exc_info is None and record.exc_text is None
    assert record.getMessage().startswith("Bad request (DisallowedHost) /: Invalid HTTP_HOST header")
    assert len(record.getMessage()) < 300


@pytest.mark.parametrize("url", ["/search/", "/mutuals/", "/mutuals.csv", "/updates/"])
def test_too_many_query_parameters_get_the_400_page(url, caplog):
    client = Client(raise_request_exception=False)
    response = client.get(url + "?" + "&".join(["a"] * 1100))
    assert response.status_code == 400
    assert "Sorry, there is a problem with that request" in response.text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_server_error_page_for_an_unexpected_fault(client, monkeypatch):
    from mutuals.models import Mutual

    def fault(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(Mutual.objects, "published", fault)  # the home page's live count
    broken = Client(raise_request_exception=False)
    response = broken.get("/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text


# --- Headers -------------------------------------------------------------------------------------


def test_permissions_policy_turns_off_browser_features(client):
    policy = client.get("/research/")["Permissions-Policy"]
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]:
        assert feature in policy


def test_csrf_cookie_is_http_only(client):
    response = client.get(reverse("feedback-problem"))
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True


def test_robots_txt_does_not_name_the_admin(client, settings):
    text = client.get("/robots.txt").text
    assert settings.ADMIN_PATH.strip("/") not in text and "admin" not in text
    assert reverse("admin:index") == "/" + settings.ADMIN_PATH


# --- Maintenance ---------------------------------------------------------------------------------


@pytest.fixture
def maintenance(settings):
    settings.MAINTENANCE_MODE = True
    settings.WHITENOISE_USE_FINDERS = True  # whitenoise serves static files in tests as in production
    return settings


def test_maintenance_page_keeps_its_styles_and_every_header(maintenance):
    client = Client()
    page = client.get("/research/")
    assert page.status_code == 503 and page["Retry-After"] == "300"
    assert "Sorry, the service is unavailable" in page.text
    assert 'nonce=""' not in page.text and "<script" not in page.text
    assert "default-src 'self'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] and page["Permissions-Policy"]
    css = client.get("/static/build/css/psm.css")
    assert css.status_code == 200 and b"govuk" in b"".join(css.streaming_content)
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("bypass, status", [(False, 503), (True, 200)])
def test_staff_reach_the_admin_in_maintenance_only_when_allowed(maintenance, client, editor, bypass, status):
    maintenance.MAINTENANCE_ADMIN_BYPASS = bypass
    client.force_login(editor)
    assert client.get(reverse("admin:index")).status_code == status
    assert client.get("/research/").status_code == 503


# --- Request size --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [reverse("feedback-useful"), reverse("feedback-problem"), "/search/"])
def test_large_public_bodies_are_refused_from_their_length(client, url):
    response = client.post(url, {"path": "/", "useful": "yes"}, CONTENT_LENGTH=str(100 * 1024 * 1024))
    assert response.status_code == 413
    assert "Sorry, there is a problem with that request" in response.text
    response = client.post(url, {"path": "/", "what_wrong": "x" * 30_000})
    assert response.status_code == 413
    assert not Feedback.objects.exists()


def test_staff_forms_keep_djangos_own_limits(editor_client):
    response = editor_client.post(reverse("admin:psm_site_page_add"), {"title": "x" * 30_000})
    assert response.status_code == 200  # the form's own errors, not a 413


# --- Deploy checks -------------------------------------------------------------------------------


def _deploy_errors():
    return {message.id for message in run_checks(include_deployment_checks=True)}


@pytest.fixture
def production(settings):
    settings.SITE_DOMAIN = "mutuals.example.gov.uk"
    settings.ADMIN_TWO_FACTOR = True
    settings.WEB_CONCURRENCY = settings.GUNICORN_WORKERS = 1
    return settings


def test_production_values_raise_none_of_our_deploy_checks(production):
    assert not {"psm.E002", "psm.E003", "psm.E004"} & _deploy_errors()


@pytest.mark.parametrize("domain", ["127.0.0.1:8000", "localhost", "", "[::1]:8000", "mutuals.local"])
def test_deploy_check_site_domain_must_be_public(production, domain):
    production.SITE_DOMAIN = domain
    assert "psm.E002" in _deploy_errors()


def test_deploy_check_two_factor_must_be_on(production):
    production.ADMIN_TWO_FACTOR = False
    assert "psm.E003" in _deploy_errors()


def test_deploy_check_several_workers_need_a_shared_cache(production):
    production.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    production.WEB_CONCURRENCY = 3
    assert "psm.E004" in _deploy_errors()
    production.WEB_CONCURRENCY, production.GUNICORN_WORKERS = 1, 2  # deploy/gunicorn.conf.py's default
    assert "psm.E004" in _deploy_errors()
    production.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert "psm.E004" not in _deploy_errors()


def test_deploy_check_messages_are_shown_by_check_deploy(production):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    production.ADMIN_TWO_FACTOR = False
    with pytest.raises(SystemCheckError, match="ADMIN_TWO_FACTOR is off"):
        call_command("check", "--deploy", stdout=io.StringIO(), stderr=io.StringIO())
