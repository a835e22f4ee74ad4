"""PostgreSQL that answers within a deadline, so a stopped or frozen database costs a request
seconds, not minutes.

PostgreSQL's own statement_timeout (set from settings) stops slow queries on a server that is
running. A server that is frozen (SIGSTOP, a hung host, a dead network path) can enforce nothing:
its kernel still accepts the connection and acknowledges what we send, so libpq would wait for
ever. Here the client gives up instead:

- connecting takes at most DATABASE_CONNECT_TIMEOUT seconds (libpq cannot go below 2 s);
- any wait for an answer (query, commit) takes at most the statement timeout plus a small
  margin, and Django's health check of a kept connection (SELECT 1) at most the connect timeout;
  then the connection is closed: it is mid-conversation and cannot be used again. PostgreSQL
  rolls back whatever that connection had not committed;
- after a failure, new connections are not tried again for a moment (psm_site/web/outage.py), so one
  request pays for one timeout, not two.

Every failure is a DatabaseError (OperationalError), which the error handler answers with the
503 page. Set ENGINE to "psm_site.web.postgresql" (settings.py does when DATABASE_URL is postgres).

Why two private psycopg names (`Connection._connect_gen`, `errors._WaitTimeout`): psycopg's public
`connect_timeout` is libpq's, whole seconds and at least 2, and psycopg has no public deadline on
waiting for an answer. TCP keepalives and `tcp_user_timeout` do not help: a frozen server's kernel
still acknowledges every packet. So the two hooks live here and nowhere else, and
tests/site/test_guards.py fails when psycopg is upgraded past the version they were checked with.
"""

import time

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import errors

from psm_site.web import outage

# The psycopg release whose private hooks below were read and tested (requirements.txt pins it).
PSYCOPG_CHECKED = "3.3.9"
# Time on top of statement_timeout for the server's own cancellation to reach us.
ANSWER_MARGIN = 0.2


def answer_timeout():
    """Seconds to wait for the server to answer, or None (no statement timeout: wait as long as it takes)."""
    statement = settings.DATABASE_STATEMENT_TIMEOUT
    return statement + ANSWER_MARGIN if statement else None


def _within(gen, seconds):
    """Run psycopg's connection generator, giving up after `seconds` (the wait loop resumes it
    every 0.1 s even when nothing arrives)."""
    deadline = time.monotonic() + seconds
    state = next(gen)
    while True:
        ready = yield state
        if time.monotonic() >= deadline:
            gen.close()
            raise errors.ConnectionTimeout(f"the database did not accept a connection within {seconds:g} s")
        try:
            state = gen.send(ready)
        except StopIteration as done:
            return done.value


class Connection(psycopg.Connection):
    """psycopg's connection with a deadline on connecting and on every answer."""

    quick_answer = False  # set while Django checks a kept connection: SELECT 1 needs no statement time

    @classmethod
    def _connect_gen(cls, conninfo=""):
        # psycopg's hook for the connection attempt (pinned psycopg version; tests cover it).
        gen = super()._connect_gen(conninfo)
        seconds = settings.DATABASE_CONNECT_TIMEOUT
        return _within(gen, seconds) if seconds else gen

    def wait(self, gen, *args, **kwargs):
        seconds = (settings.DATABASE_CONNECT_TIMEOUT or None) if self.quick_answer else answer_timeout()
        if seconds is not None and kwargs.get("timeout") is None and len(args) < 2:
            kwargs["timeout"] = seconds
        try:
            return super().wait(gen, *args, **kwargs)
        except errors._WaitTimeout:  # psycopg's wait ran out of time (the timeout we gave it)
            self.close()  # mid-conversation: never usable again
            error = errors.OperationalError(f"the database did not answer within {kwargs['timeout']:g} s")
            outage.failed(error)
            raise error from None


class _Psycopg:
    """The psycopg module as Django's backend sees it, connecting with the class above."""

    connect = Connection.connect

    def __getattr__(self, name):
        return getattr(psycopg, name)


class DatabaseWrapper(base.DatabaseWrapper):
    Database = _Psycopg()

    def get_connection_params(self):
        params = super().get_connection_params()
        # libpq's own connect_timeout is whole seconds, at least 2; ours (above) is exact.
        params.setdefault("connect_timeout", max(2, int(settings.DATABASE_CONNECT_TIMEOUT + 0.999)))
        statement_ms = int(settings.DATABASE_STATEMENT_TIMEOUT * 1000)
        params["options"] = f"{params.get('options', '')} -c statement_timeout={statement_ms}".strip()
        return params

    def is_usable(self):
        self.connection.quick_answer = True
        try:
            return super().is_usable()
        finally:
            self.connection.quick_answer = False

    def get_new_connection(self, conn_params):
        if outage.failed_moments_ago():
            raise errors.OperationalError("the database failed moments ago; not trying again yet")
        try:
            connection = super().get_new_connection(conn_params)
        except psycopg.Error as error:
            outage.failed(error)
            raise
        outage.answered()
        return connection
