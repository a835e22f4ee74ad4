"""Rate limits: kept in the cache, keyed on the client address, answered with a GOV.UK 429."""

import os

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from psm_site.models import Feedback

pytestmark = pytest.mark.django_db
USEFUL = reverse("feedback-useful")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/8")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _send_feedback(client, times, **extra):
    return [client.post(USEFUL, {"path": "/", "useful": "yes"}, **extra).status_code for _ in range(times)]


def test_feedback_limit_answers_429_with_retry_after_and_the_govuk_page(client, settings):
    assert settings.FEEDBACK_RATE_LIMIT == 10
    assert _send_feedback(client, 10) == [302] * 10
    response = client.post(USEFUL, {"path": "/", "useful": "yes"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3601
    assert "Sorry, there have been too many attempts" in response.text and "Try again in" in response.text
    assert Feedback.objects.count() == 10


def test_a_spoofed_forwarded_for_cannot_move_the_key_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [
        client.post(USEFUL, {"path": "/", "useful": "yes"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(15)
    ]
    assert statuses == [302] * 10 + [429] * 5


def test_behind_one_proxy_the_client_is_the_rightmost_forwarded_address(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    proxy = Client(REMOTE_ADDR="127.0.0.1")  # nginx: every request arrives from it
    statuses = [
        proxy.post(USEFUL, {"path": "/", "useful": "yes"}, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.4").status_code
        for n in range(12)
    ]
    assert statuses == [302] * 10 + [429] * 2  # the spoofed left-hand part changed every time
    other = proxy.post(USEFUL, {"path": "/", "useful": "yes"}, HTTP_X_FORWARDED_FOR="198.51.100.5")
    assert other.status_code == 302  # another client behind the same proxy has its own count


def test_search_has_a_generous_limit(client, settings):
    settings.SEARCH_LIMIT_PER_MINUTE = 3
    # Different searches: a repeated one is answered from the page cache without reaching the view.
    assert [client.get("/search/", {"q": f"care {n}"}).status_code for n in range(3)] == [200] * 3
    response = client.get("/search/", {"q": "care 4"})
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 61


def _redis_or_skip():
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not answering at {REDIS_URL}")
        pytest.skip("no Redis server")
    return connection


def test_limit_counts_in_real_redis_shared_by_every_process(settings):
    connection = _redis_or_skip()
    settings.CACHES = {
        "default": {
            "BACKEND": "psm_site.redis_cache.KeptClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "psm-test",
        }
    }
    cache.clear()
    # Two clients stand for two workers: each request goes through its own handler, and the
    # only place they can share a count is Redis.
    first, second = Client(REMOTE_ADDR="192.0.2.50"), Client(REMOTE_ADDR="192.0.2.50")
    statuses = _send_feedback(first, 6) + _send_feedback(second, 6)
    assert statuses == [302] * 10 + [429] * 2
    keys = connection.keys("psm-test:*limit:feedback:192.0.2.50:*")
    assert len(keys) == 1 and int(connection.get(keys[0])) == 12
    assert 0 < connection.ttl(keys[0]) <= 3601
    cache.clear()
