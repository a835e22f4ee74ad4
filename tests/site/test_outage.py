"""A stopped or frozen database: the 503 page within two seconds, /healthz 503, recovery without a
restart, nothing written by an admin save, and one log line per outage.

The database is the real test PostgreSQL, reached through a small TCP relay that these tests can
freeze (it stops passing bytes and accepting connections, as a SIGSTOPped server does: the
kernel still completes the handshake) or stop (connections refused). benchmarks/outage does the
same to a whole PostgreSQL server under load.
"""

import logging
import selectors
import socket
import threading
import time

import pytest
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.urls import reverse

from mutuals.models import Mutual
from psm_site import outage
from tests.helpers import admin_form_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="timeouts are PostgreSQL settings"),
]

LIMIT = 2.0  # seconds: the slowest acceptable answer during an outage
# On a busy machine, on top of LIMIT: the time the same page takes with the database up.
ALLOWANCE = {"seconds": 0.0}


class Relay:
    """127.0.0.1:<port> -> the database server, with freeze(), thaw(), stop() and start()."""

    def __init__(self, host, port, settings):
        self.settings = settings
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.listener.getsockname()[1]
        self.frozen = threading.Event()
        self.closing = threading.Event()
        self.pairs = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        selector = selectors.DefaultSelector()
        selector.register(self.listener, selectors.EVENT_READ)
        while not self.closing.is_set():
            if self.frozen.is_set():
                time.sleep(0.02)  # a frozen server reads nothing, writes nothing, accepts nothing
                continue
            for key, _ in selector.select(timeout=0.02):
                if key.fileobj is self.listener:
                    client, _ = self.listener.accept()
                    server = socket.create_connection(self.target)
                    self.pairs.append((client, server))
                    selector.register(client, selectors.EVENT_READ, server)
                    selector.register(server, selectors.EVENT_READ, client)
                    continue
                if key.fileobj.fileno() == -1:  # closed with its partner earlier in this round
                    continue
                data = b""
                try:
                    data = key.fileobj.recv(65536)
                except OSError:
                    pass
                if data:
                    key.data.sendall(data)
                else:
                    for sock in (key.fileobj, key.data):
                        selector.unregister(sock)
                        sock.close()
        selector.close()

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
        for client, server in self.pairs:
            client.close()
            server.close()


@pytest.fixture
def relay(settings):
    """The default connection, reconnected through a relay; the real address afterwards."""
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
    ALLOWANCE["seconds"] = max(timed(client, "/")[1] for _ in range(2))  # the same work, database up
    connection.close()
    outage.reset()  # a slow warm-up on a busy machine must not leave a hold-off for the test itself
    cache.clear()  # pages the warm-up cached would be served without the database (see the test below)
    return client


def test_cached_pages_are_still_served_while_the_database_is_down(relay, client):
    client.raise_request_exception = False
    relay._production_timeouts()  # first: a change of settings in a test empties the cache
    client.get("/")
    relay.frozen.set()
    response, seconds = timed(client, "/")
    assert response.status_code == 200 and seconds < 0.5  # from the page cache, without waiting
    response, _ = timed(client, reverse("updates"))
    assert response.status_code == 503  # not cached: it needs the database


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
        time.sleep(outage.HOLD_OFF_SECONDS)
        assert timed(quiet_client, "/")[0].status_code == 200
        assert timed(quiet_client, reverse("healthz"))[0].status_code == 200

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(":")[0] for r in warnings] == ["database unavailable, answering 503 until it is back"]
    assert not any(r.exc_info for r in caplog.records), "an outage is not a traceback"
    assert any("database answering again" in r.getMessage() for r in caplog.records)


def test_a_frozen_database_before_connecting(relay, quiet_client):
    relay.freeze()
    assert_unavailable(quiet_client, "/")
    assert_unavailable(quiet_client, reverse("healthz"))
    relay.thaw()
    time.sleep(outage.HOLD_OFF_SECONDS)
    assert timed(quiet_client, "/")[0].status_code == 200


def test_a_stopped_database_gives_503_at_once(relay, quiet_client, caplog):
    assert timed(quiet_client, "/")[0].status_code == 200
    relay.close()
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            assert_unavailable(quiet_client, "/")
            assert_unavailable(quiet_client, reverse("healthz"))
    assert len(caplog.records) == 1 and not caplog.records[0].exc_info


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
    time.sleep(outage.HOLD_OFF_SECONDS)
    mutual.refresh_from_db()
    assert mutual.name == "Before the outage"


def test_a_slow_statement_is_stopped_by_the_statement_timeout(settings, quiet_client):
    settings.DATABASE_STATEMENT_TIMEOUT = 0.3
    connection.close()  # statement_timeout is set when connecting
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "300ms"
    outage.reset()
    with pytest.raises(Exception, match="statement timeout"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")
    connection.close()
    outage.reset()
