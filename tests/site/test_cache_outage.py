"""A cache that can fail: with Redis unreachable every page is served (uncached), /healthz says
so with 200, limits fail open for reading and closed for sign-up emails, and once Redis is back
pages are cached again. A real Redis server is started where the machine has one."""

import logging
import shutil
import socket
import subprocess
import time

import django
import pytest
from django.test import Client
from django.urls import reverse

from psm_site import cache_outage
from tests.site.conftest import load_site_content
from tests.walk import crawl

pytestmark = pytest.mark.django_db


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_cache(port):
    return {
        "default": {
            "BACKEND": "psm_site.redis_cache.KeptClientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "psm",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


@pytest.fixture
def cache_down(settings):
    """REDIS_URL pointing at a closed port."""
    cache_outage.reset()
    settings.CACHES = _redis_cache(_free_port())
    yield
    cache_outage.reset()


def test_every_page_of_the_walk_is_served_with_the_cache_down(cache_down, caplog):
    load_site_content()
    with caplog.at_level(logging.WARNING, logger="psm_site.cache"):
        pages = crawl(Client())
    errors = {url: r.status_code for url, r in pages.items() if r.status_code >= 500}
    assert not errors and len(pages) > 60
    warnings = [record for record in caplog.records if record.name == "psm_site.cache"]
    assert len(warnings) == 1, "one warning per outage, not one per request"


def test_healthz_says_the_cache_is_down_with_200(cache_down, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "down", "clock": "unknown"}


def test_limits_fail_open_for_reading_and_closed_for_sign_up_email(cache_down, client, settings):
    settings.SEARCH_LIMIT_PER_MINUTE = 1
    for _ in range(3):
        assert client.get(reverse("search"), {"q": "mutual"}).status_code == 200
    from psm_site.limits import CACHE_DOWN_WAIT_SECONDS, count_and_wait

    request = Client().get("/").wsgi_request
    assert count_and_wait(request, "search", 1, 60, fail_open=True) == 0
    assert count_and_wait(request, "alerts-client", 10, 3600, fail_open=False) == CACHE_DOWN_WAIT_SECONDS


def test_the_kept_client_override_names_the_django_it_was_checked_against():
    """psm_site/redis_cache.py overrides RedisCacheClient.get_client and sets RedisCache._class:
    check both still exist when Django is upgraded."""
    from django.core.cache.backends.redis import RedisCache, RedisCacheClient

    assert django.VERSION[:2] == (5, 2), "re-check psm_site/redis_cache.py against this Django"
    assert "get_client" in vars(RedisCacheClient)
    assert RedisCache("redis://127.0.0.1:1", {})._class is RedisCacheClient


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_redis_stopped_then_back_pages_cached_again_within_five_seconds(settings, tmp_path):
    port = _free_port()
    command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        cache_outage.reset()
        settings.CACHES = _redis_cache(port)
        client = Client()
        _wait(lambda: client.get("/healthz").json()["cache"] == "ok")
        client.get("/")
        assert client.get("/")["X-Cache"] == "hit"
        server.terminate()
        server.wait()
        assert client.get("/").status_code == 200
        assert client.get("/healthz").json()["cache"] == "down"
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        back = time.monotonic()
        _wait(lambda: client.get("/").get("X-Cache") == "hit", limit=5)
        assert time.monotonic() - back < 5
    finally:
        server.terminate()
        server.wait()
        cache_outage.reset()


def _wait(condition, limit=5.0):
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "not within the limit"
        time.sleep(0.05)
