"""The client's address through a real gunicorn: X-Forwarded-For counts only from a trusted proxy.

gunicorn runs deploy/gunicorn.conf.py with TRUSTED_PROXIES=127.0.0.1 (nginx's address). A client
connecting from 127.0.0.2 reaches gunicorn directly; one connecting from 127.0.0.1 plays nginx.
The search limit (3 a minute here) is counted per client address; each search asks for new words,
so none is a page-cache hit. The app server has a database of its own (SQLite, migrated here).
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from psm_site.limits import client_address

ROOT = Path(__file__).resolve().parents[2]
PROXY, DIRECT = "127.0.0.1", "127.0.0.2"


def _free_port():
    for port in range(8240, 8260):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("no free port in 8240-8259")


def _get(port, path, source, forwarded=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(source, 0))
    connection.request("GET", path, headers={"X-Forwarded-For": forwarded} if forwarded else {})
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    port = _free_port()
    database = f"sqlite:///{tmp_path_factory.mktemp('gunicorn') / 'db.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_TESTING": "on",
        "DJANGO_SECRET_KEY": "proxy-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "DJANGO_BEHIND_PROXY": "on",
        "TRUSTED_PROXIES": PROXY,
        "SEARCH_LIMIT_PER_MINUTE": "3",
        "APP_PORT": str(port),
        "GUNICORN_WORKERS": "1",
    }
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "psm_site.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                _get(port, "/robots.txt", PROXY)
                break
            except OSError:
                time.sleep(0.5)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_a_client_reaching_gunicorn_directly_cannot_move_its_address(gunicorn):
    statuses = [_get(gunicorn, f"/search/?q=a{n}", DIRECT, f"10.0.0.{n}") for n in range(6)]
    assert statuses == [200] * 3 + [429] * 3


def test_behind_the_trusted_proxy_each_forwarded_client_is_counted_apart(gunicorn):
    statuses = [_get(gunicorn, f"/search/?q=b{n}", PROXY, f"198.51.100.7, 10.1.0.{n}") for n in range(6)]
    assert statuses == [200] * 6
    assert [_get(gunicorn, f"/search/?q=c{n}", PROXY, "192.0.2.99") for n in range(4)] == [200] * 3 + [429]


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        ([], "192.0.2.1", "10.0.0.1", "192.0.2.1"),  # not behind a proxy: the socket
        (["127.0.0.1"], "192.0.2.1", "10.0.0.1", "192.0.2.1"),  # gunicorn reached directly
        (["127.0.0.1"], "127.0.0.1", "10.0.0.1, 192.0.2.2", "192.0.2.2"),  # nginx appended the client
        (["127.0.0.1", "10.20.0.0/16"], "127.0.0.1", "6.6.6.6, 192.0.2.3, 10.20.4.5", "192.0.2.3"),  # a load balancer
        (["127.0.0.1"], "127.0.0.1", "6.6.6.6, 192.0.2.3, 10.20.4.5", "10.20.4.5"),  # the balancer not trusted
        (["127.0.0.1"], "127.0.0.1", "not-an-address", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        (["127.0.0.1", "::1"], "::1", "2001:db8::1", "2001:db8::1"),
        (["127.0.0.1"], "127.0.0.1", "127.0.0.1", "127.0.0.1"),  # all proxies: the last one
    ],
)
def test_client_address(rf, settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
