"""The request log: one JSON line per request, a request id echoed back, nothing typed logged,
tracebacks only for real server errors."""

import json
import logging

import pytest
from django.urls import reverse

from mutuals.models import Guide


@pytest.fixture
def request_lines(caplog):
    """The request log's lines (it writes to stdout only, so caplog listens on it directly)."""
    logger = logging.getLogger("psm_site.requests")
    caplog.set_level(logging.INFO, logger=logger.name)
    logger.addHandler(caplog.handler)

    def lines():
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == logger.name]

    yield lines
    logger.removeHandler(caplog.handler)


def test_one_structured_line_per_request_with_its_id_echoed(client, request_lines, settings, db):
    settings.APP_SERVER_NAME = "app-2"
    response = client.get(reverse("home"))
    (line,) = request_lines()
    assert set(line) == {"method", "path", "status", "duration_ms", "request_id", "server"}
    assert line["method"] == "GET" and line["path"] == "/" and line["status"] == 200 and line["server"] == "app-2"
    assert line["duration_ms"] > 0
    assert response["X-Request-ID"] == line["request_id"] and len(line["request_id"]) == 32


def test_the_id_from_nginx_is_kept_and_a_strange_one_replaced(client, request_lines, db):
    given = "0123456789abcdef0123456789abcdef"
    assert client.get("/healthz", headers={"X-Request-ID": given})["X-Request-ID"] == given
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>\n"})["X-Request-ID"]
    assert replaced != "<script>\n" and len(replaced) == 32
    assert [line["request_id"] for line in request_lines()] == [given, replaced]


def test_redirects_and_not_found_are_logged_with_their_status(client, request_lines, db):
    client.get("/no/such/page/")
    client.get("/favicon.ico")
    assert [(line["path"], line["status"]) for line in request_lines()] == [
        ("/no/such/page/", 404),
        ("/favicon.ico", 302),
    ]


def test_nothing_typed_into_a_form_is_logged(client, caplog, request_lines, db):
    caplog.set_level(logging.DEBUG)
    typed = "my-private-words-4711"
    client.get(reverse("search"), {"q": typed})
    client.post(reverse("feedback-problem"), {"path": "/", "what_wrong": typed})
    client.post(reverse("feedback-problem"), {"path": "https://evil.example/" + typed, "what_wrong": typed})
    assert [line["path"] for line in request_lines()] == ["/search/", "/feedback/problem/", "/feedback/problem/"]
    assert typed not in caplog.text


def test_tracebacks_only_for_real_server_errors(client, caplog, monkeypatch, db):
    client.raise_request_exception = False
    client.get("/no/such/page/")
    assert not any(r.exc_info for r in caplog.records)

    def broken(*args, **kwargs):
        raise RuntimeError("a real bug")

    monkeypatch.setattr(Guide.objects, "for_page", broken)
    assert client.get("/introduction-to-public-service-mutuals").status_code == 500
    (error,) = [r for r in caplog.records if r.exc_info]
    assert error.name == "django.request" and "a real bug" in str(error.exc_info[1])
