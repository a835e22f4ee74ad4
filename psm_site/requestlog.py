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

from psm_site import personal_data

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


# --- The register of personal data: this log, and nginx's (deploy/nginx.conf, log_format psm) ------

# What each variable of nginx's access log format holds. tests/site/test_personal_data.py reads the
# log_format in deploy/nginx.conf and fails when it logs a variable not listed here.
NGINX_LOG_FIELDS = {
    "$msec": "the time",
    "$remote_addr": "your IP address",
    "$request_method": "how the page was asked for (GET or POST)",
    "$uri": "the page address (without anything typed into a search or form)",
    "$status": "the response's status",
    "$body_bytes_sent": "its size",
    "$request_time": "how long it took",
    "$upstream_addr": "which app server answered",
    "$upstream_response_time": "how long the app server took",
    "$request_id": "a random request number",
}
# The same for this app's own line per request (RequestLogMiddleware above).
APP_LOG_FIELDS = {
    "method": "how the page was asked for",
    "path": "the page address (never the query string)",
    "status": "the response's status",
    "duration_ms": "how long it took",
    "request_id": "a random request number",
    "server": "which app server answered",
}

personal_data.register(
    personal_data.Record(
        key="server-logs",
        what="Web server logs: "
        + ", ".join(NGINX_LOG_FIELDS[name] for name in ("$remote_addr", "$msec", "$uri"))
        + " and the response. They do not record your browser's name. The app servers' own logs keep the page "
        "address and the response, with no IP address, time or browser",
        why="To keep the site secure and running",
        how_long=personal_data.days_setting("SERVER_LOG_RETENTION_DAYS"),
        receivers="Only the staff who run the site's servers",
        source="deploy/nginx.conf (log_format psm); psm_site/requestlog.py",
        setting="SERVER_LOG_RETENTION_DAYS",
        order=30,
    )
)
