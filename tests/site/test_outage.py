"""A stopped or frozen database: the 503 page within two seconds, /healthz 503, recovery without a
restart, nothing written by an admin save, and one log line per outage.

The database is the real test PostgreSQL, reached through a small TCP relay that these tests can
freeze (it stops passing bytes and accepting connections, as a SIGSTOPped server does: the
kernel still completes the handshake) or stop (connections refused). benchmarks/outage does the
same to a whole PostgreSQL server under load.
"""

import contextlib
import logging
import select
import socket
import threading
import time

import psycopg
import pytest
from django.core.cache import cache
from django.db import OperationalError, close_old_connections, connection
from django.urls import reverse

from mutuals.models import Mutual
from psm_site.web import outage
from tests.helpers import admin_form_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="timeouts are PostgreSQL settings"),
]

LIMIT = 2.0  # seconds: the slowest acceptable answer during an outage
# On a busy machine, on top of LIMIT: twice the time the same page takes with the database up.
ALLOWANCE = {"seconds": 0.0}
HOLD_OFF_SECONDS = 0.2  # outage.HOLD_OFF_SECONDS while these tests run: recovery is waited for, not slept


class Relay:
    """127.0.0.1:<port> -> the database server, with freeze(), thaw() and close().

    One thread accepts; each connection has a thread per direction, so a busy machine delays
    one connection, never all of them."""

    def __init__(self, host, port, settings):
        self.settings = settings
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.frozen = threading.Event()
        self.closing = threading.Event()
        self.sockets = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.closing.is_set():
            if self.frozen.is_set():  # a frozen server accepts nothing (the kernel's backlog still
                time.sleep(0.02)  # completes the handshake, as for a SIGSTOPped server)
                continue
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        while not self.closing.is_set():
            if self.frozen.is_set():  # reads nothing, writes nothing
                time.sleep(0.02)
                continue
            readable, _, _ = select.select([source], [], [], 0.05)
            if not readable:
                continue
            try:
                data = source.recv(65536)
                if data:
                    sink.sendall(data)
                    continue
            except OSError:
                pass
            break
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _production_timeouts(self):
        # Production's deadlines while the database is down; the suite's generous ones otherwise,
        # so that a busy machine cannot fail the setup and checks around the outage.
        self.relaxed = (self.settings.DATABASE_CONNECT_TIMEOUT, self.settings.DATABASE_STATEMENT_TIMEOUT)
        self.settings.DATABASE_CONNECT_TIMEOUT = self.settings.DATABASE_STATEMENT_TIMEOUT = 1.0

    def freeze(self):
        self._production_timeouts()
        self.frozen.set()

    def thaw(self):
        self.frozen.clear()
        self.settings.DATABASE_CONNECT_TIMEOUT, self.settings.DATABASE_STATEMENT_TIMEOUT = self.relaxed

    def close(self):
        """Stop the relay: open connections drop, new ones are refused."""
        self._production_timeouts()
        self.closing.set()
        self.thread.join()
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@pytest.fixture
def relay(settings, monkeypatch):
    """The default connection, reconnected through a relay; the real address afterwards."""
    monkeypatch.setattr(outage, "HOLD_OFF_SECONDS", HOLD_OFF_SECONDS)
    database = connection.settings_dict
    original_host, original_port = database["HOST"], database["PORT"]
    relay = Relay(original_host or "127.0.0.1", original_port or 5432, settings)
    connection.close()
    database["HOST"], database["PORT"] = "127.0.0.1", relay.port
    outage.reset()
    yield relay
    relay.frozen.clear()
    connection.close()
    relay.close()
    database["HOST"], database["PORT"] = original_host, original_port
    outage.reset()


def timed(client, url, data=None):
    """One request as gunicorn makes it: Django's connection checks run first (the test client
    leaves them out to keep a test's transaction), then the view."""
    started = time.monotonic()
    close_old_connections()
    response = client.post(url, data) if data is not None else client.get(url)
    return response, time.monotonic() - started


@pytest.fixture
def quiet_client(client, relay):
    client.raise_request_exception = False  # answer as production does: the error handlers run
    ALLOWANCE["seconds"] = 2 * max(timed(client, "/")[1] for _ in range(2))  # the same work, database up
    connection.close()
    outage.reset()  # a slow warm-up on a busy machine must not leave a hold-off for the test itself
    cache.clear()  # pages the warm-up cached would be served without the database (see the test below)
    return client


def test_cached_pages_are_still_served_while_the_database_is_down(relay, client):
    client.raise_request_exception = False
    relay._production_timeouts()  # first: a change of settings in a test empties the cache
    client.get("/")
    relay.frozen.set()
    # Any query now would wait for the frozen server and end in the 503 page: a 200 is the cache's.
    assert timed(client, "/")[0].status_code == 200
    response, _ = timed(client, reverse("updates"))
    assert response.status_code == 503  # not cached: it needs the database


def recovered(client, url="/"):
    """The first request after the hold-off reconnects: wait for the hold-off to pass, then ask."""
    deadline = time.monotonic() + 10 * HOLD_OFF_SECONDS
    while outage.failed_moments_ago() and time.monotonic() < deadline:
        time.sleep(HOLD_OFF_SECONDS / 10)
    return timed(client, url)[0].status_code == 200


def database_warnings(caplog):
    return [r for r in caplog.records if r.name == outage.logger.name and r.levelno >= logging.WARNING]


def assert_unavailable(client, url):
    response, seconds = timed(client, url)
    assert response.status_code == 503, (url, response.status_code)
    assert seconds < LIMIT + ALLOWANCE["seconds"], f"{url} took {seconds:.2f} s ({ALLOWANCE['seconds']:.2f} s when up)"
    return response


def test_a_frozen_database_gives_503_within_two_seconds_and_recovers(relay, quiet_client, caplog):
    assert timed(quiet_client, "/")[0].status_code == 200  # a persistent connection, through the relay
    relay.freeze()
    with caplog.at_level(logging.INFO):
        for url in ["/", reverse("mutuals:mutual-list"), "/", reverse("healthz")]:
            response = assert_unavailable(quiet_client, url)
        page = assert_unavailable(quiet_client, reverse("updates"))
        assert "Sorry, the service is unavailable" in page.text and page["Retry-After"] == "30"
        assert response.json()["database"] == "down"

        relay.thaw()
        assert recovered(quiet_client)
        assert timed(quiet_client, reverse("healthz"))[0].status_code == 200

    warnings = database_warnings(caplog)
    assert [r.getMessage().split(":")[0] for r in warnings] == ["database unavailable, answering 503 until it is back"]
    assert not any(r.exc_info for r in caplog.records), "an outage is not a traceback"
    assert any("database answering again" in r.getMessage() for r in caplog.records)


def test_a_frozen_database_before_connecting(relay, quiet_client):
    relay.freeze()
    assert_unavailable(quiet_client, "/")
    assert_unavailable(quiet_client, reverse("healthz"))
    relay.thaw()
    assert recovered(quiet_client)


def test_a_stopped_database_gives_503_at_once(relay, quiet_client, caplog):
    assert timed(quiet_client, "/")[0].status_code == 200
    relay.close()
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            assert_unavailable(quiet_client, "/")
            assert_unavailable(quiet_client, reverse("healthz"))
    assert len(database_warnings(caplog)) == 1  # one line per outage, not one per request
    assert not any(r.exc_info for r in caplog.records)


def test_an_admin_save_during_an_outage_shows_an_error_and_writes_nothing(relay, quiet_client):
    from django.contrib.auth.models import User
    from model_bakery import baker

    mutual = baker.make(Mutual, name="Before the outage", slug="before-the-outage", latitude=51.5, longitude=-0.1)
    quiet_client.force_login(User.objects.create_superuser("admin", password="a-long-test-password"))
    url = reverse("admin:mutuals_mutual_change", args=[mutual.pk])
    data = admin_form_data(quiet_client.get(url))
    data["name"] = "Written during the outage"
    relay.freeze()
    response, seconds = timed(quiet_client, url, data)
    assert response.status_code == 503 and seconds < LIMIT + ALLOWANCE["seconds"]
    assert "Sorry, the service is unavailable" in response.text
    relay.thaw()
    assert recovered(quiet_client)
    mutual.refresh_from_db()
    assert mutual.name == "Before the outage"


def test_a_slow_statement_is_stopped_by_the_statement_timeout(settings, quiet_client):
    settings.DATABASE_STATEMENT_TIMEOUT = 0.3
    connection.close()  # statement_timeout is set when connecting
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "300ms"
    outage.reset()
    with pytest.raises(OperationalError) as stopped:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")
    # By its SQLSTATE (57014), not its message, which follows the server's lc_messages.
    assert isinstance(stopped.value.__cause__, psycopg.errors.QueryCanceled)
    connection.close()
    outage.reset()
