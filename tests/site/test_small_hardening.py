"""Smaller hardening: gzip;q=0, /healthz for any Host, nginx's framing rules on files."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory

from psm_site.gzip import accepts_gzip
from tests.helpers import body

pytestmark = pytest.mark.django_db
NGINX = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


@pytest.mark.parametrize(
    "header, takes",
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("deflate, gzip;q=0.5", True),
        ("GZIP ; Q=1", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000, br", False),
        ("br;q=1, gzip;q=0", False),
        ("gzip;q=abc", False),
        ("identity", False),
        ("*", False),
        ("", False),
        ("notgzip", False),
    ],
)
def test_accepts_gzip_reads_q_values(header, takes):
    assert accepts_gzip(RequestFactory().get("/", HTTP_ACCEPT_ENCODING=header)) is takes


@pytest.mark.parametrize("url", ["/research/", "/mutuals/", "/mutuals.geojson", "/mutuals.csv"])
def test_gzip_q0_gets_no_gzip_from_the_view_or_the_cache(client, url):
    from tests.factories import make_mutual

    make_mutual()
    for _ in range(2):  # a miss, then a hit from the page cache
        client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        refused = client.get(url, HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
        assert refused.status_code == 200 and "Content-Encoding" not in refused, url
        assert body(refused).lstrip()[:1] in (b"<", b'"', b"{"), url  # plain text, not gzip's bytes


@pytest.mark.parametrize("host", ["10.0.3.7", "10.0.3.7:8001", "[::1]:8001", "lb-probe.internal", "evil.example"])
def test_healthz_answers_any_host(client, host):
    response = client.get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200 and response.json()["status"] == "ok"
    if host in ("10.0.3.7", "evil.example"):
        assert client.get("/research/", HTTP_HOST=host).status_code == 400  # every other page checks the Host


def _location(name):
    text = NGINX.read_text()
    start = text.index(f"location {name} {{")
    depth = 0
    for end, char in enumerate(text[start:], start):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "}" and depth == 0:
            return text[start:end]
    raise AssertionError(f"location {name} is not closed")


@pytest.mark.parametrize("location", ["/static/", "/media/"])
def test_nginx_files_cannot_be_framed(location):
    """nginx drops a location's add_header lines in a nested location that has its own: each
    block that sends headers must repeat the framing rules."""
    block = _location(location)
    header_blocks = [part for part in re.split(r"location ", block) if "add_header" in part]
    assert header_blocks
    for part in header_blocks:
        assert "add_header X-Frame-Options DENY always;" in part
        assert "frame-ancestors 'none'" in part
    if location == "/media/":
        pdf = block[block.index(r"\.pdf") :]
        assert "sandbox" in pdf.split("}")[0]
