"""Logging pieces: client errors as one short warning line."""

import logging

MAX_MESSAGE = 200


class ClientErrorFilter(logging.Filter):
    """django.security reports a bad Host header, too many fields or an oversized body at error
    level with a traceback. It is the client's mistake, already answered with a 400 page: keep one
    warning line, cut short (the host name is the client's own text)."""

    def filter(self, record):
        if not record.name.startswith("django.security."):
            return True
        message = record.getMessage()
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + "…"
        request = getattr(record, "request", None)
        kind = record.name.rsplit(".", 1)[-1]
        message = f"Bad request ({kind}) {getattr(request, 'path', '')[:MAX_MESSAGE]}: {message}"
        record.msg, record.args = message, ()
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None
        return True
