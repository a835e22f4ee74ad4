"""One structured line per request on stdout, and a request id to follow it across servers.

The id comes from nginx (X-Request-ID, set from $request_id in deploy/nginx.conf) or is made
here, and is sent back in the response. The line holds the method, the path without its query
string, status, duration, id and app server: never a query string, header or form field, so
nothing a person types is logged.
"""

import json
import logging
import re
import time
import uuid

from django.conf import settings

logger = logging.getLogger("psm_site.requests")

HEADER = "X-Request-ID"
# Accept an upstream id only if it looks like one (nginx sends 32 hex digits).
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id(request):
    given = request.headers.get(HEADER, "")
    return given if VALID_ID.match(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.id = request_id(request)
        response = self.get_response(request)
        response[HEADER] = request.id
        if not logger.isEnabledFor(logging.INFO):
            return response
        logger.info(
            json.dumps(
                {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "request_id": request.id,
                    "server": settings.APP_SERVER_NAME,
                },
                ensure_ascii=False,
            )
        )
        return response
