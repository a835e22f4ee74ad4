"""Database outages: the 503 answer, one log line per outage, and a short hold-off between tries.

When the database is stopped, frozen or too slow, each request gets the GOV.UK 503 page within
two seconds (psm_site/postgresql/base.py bounds every wait) with Retry-After: 30. The log gets
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

_lock = threading.Lock()
_state = {"since": None, "held_until": 0.0}


def is_outage(error):
    """True for errors that mean the database cannot be reached or did not answer (not a bug)."""
    return isinstance(error, (OperationalError, InterfaceError))


def _summary(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def failed(error, *, hold_off=True):
    """Note a failure; the first of an outage is logged (as one line, without a traceback)."""
    now = time.monotonic()
    with _lock:
        if hold_off:
            _state["held_until"] = now + HOLD_OFF_SECONDS
        first = _state["since"] is None
        if first:
            _state["since"] = now
    if first:
        logger.warning("database unavailable, answering 503 until it is back: %s", _summary(error))


def answered():
    """A connection succeeded: if this process had seen an outage, say it is over."""
    with _lock:
        since, _state["since"] = _state["since"], None
    if since is not None:
        logger.info("database answering again after %.1f s", time.monotonic() - since)


def failed_moments_ago():
    return time.monotonic() < _state["held_until"]


def reset():
    with _lock:
        _state.update(since=None, held_until=0.0)


class QuietOutages(logging.Filter):
    """On django.request: no per-request line or traceback for an outage (it is logged once), nor
    for any other 503 (the request log has every status)."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and is_outage(error):
            failed(error, hold_off=False)
            return False
        return getattr(record, "status_code", None) != 503
