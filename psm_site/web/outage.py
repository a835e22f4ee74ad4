"""Database outages: the 503 answer, one log line per outage, and a short hold-off between tries.

When the database is stopped, frozen or too slow, each request gets the GOV.UK 503 page within
two seconds (psm_site/web/postgresql/base.py bounds every wait) with Retry-After: 30. The log gets
one warning when this process first sees the outage and one line when the database answers
again, never a traceback per request: tracebacks are for real server errors.
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError

logger = logging.getLogger("psm_site.database")

RETRY_AFTER_SECONDS = 30
# After a failed connection or an unanswered query, new connections wait this long before
# trying again, so a request does not pay for a second timeout straight after the first.
HOLD_OFF_SECONDS = 2.0


class Watch:
    """One dependency's outages as this process sees them: the first failure of each is logged as
    one line (no traceback), its end as another, and a hold-off spares the next requests a timeout.
    The database uses one below; the cache another (psm_site/web/cache_outage.py)."""

    def __init__(self, logger, down, back):
        self.logger, self.down, self.back = logger, down, back
        self._lock = threading.Lock()
        self.since, self.held_until = None, 0.0

    def failed(self, error, hold_off_seconds):
        now = time.monotonic()
        with self._lock:
            if hold_off_seconds:
                self.held_until = now + hold_off_seconds
            first = self.since is None
            if first:
                self.since = now
        if first:
            summary = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
            self.logger.warning("%s: %s", self.down, summary)

    def answered(self):
        """True if this ended an outage (and logged so)."""
        with self._lock:
            since, self.since = self.since, None
        if since is None:
            return False
        self.logger.info("%s after %.1f s", self.back, time.monotonic() - since)
        return True

    def held(self):
        return time.monotonic() < self.held_until

    def reset(self):
        with self._lock:
            self.since, self.held_until = None, 0.0


_database = Watch(logger, "database unavailable, answering 503 until it is back", "database answering again")


def is_outage(error):
    """True for errors that mean the database cannot be reached or did not answer (not a bug)."""
    return isinstance(error, (OperationalError, InterfaceError))


def failed(error, *, hold_off=True):
    """Note a failure; the first of an outage is logged (as one line, without a traceback)."""
    _database.failed(error, HOLD_OFF_SECONDS if hold_off else 0)


def answered():
    """A connection succeeded: if this process had seen an outage, say it is over."""
    _database.answered()


def failed_moments_ago():
    return _database.held()


def reset():
    _database.reset()


class QuietOutages(logging.Filter):
    """On django.request: no per-request line or traceback for an outage (it is logged once), nor
    for any other 503 (the request log has every status)."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and is_outage(error):
            failed(error, hold_off=False)
            return False
        return getattr(record, "status_code", None) != 503
