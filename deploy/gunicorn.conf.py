"""gunicorn for one app server: deploy/prod starts one per port in APP_PORTS, each with
APP_SERVER_NAME (it appears in every request-log line), APP_PORT and its pid file set.

`make deploy` replaces an app server's code with gunicorn's USR2 (a new master and workers on
the same listening socket beside the old ones), waits for the "Worker ready" lines that
post_worker_init writes below, then stops the old master with TERM (its workers finish their
requests). The socket never closes, so no request is refused."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from psm_site.settings import GUNICORN_WORKERS  # noqa: E402 - one rule for the count (and the deploy check)

bind = f"{os.environ.get('APP_BIND_HOST', '127.0.0.1')}:{os.environ.get('APP_PORT', '8001')}"
workers = GUNICORN_WORKERS
proc_name = os.environ.get("APP_SERVER_NAME", "psm")
# Above DATABASE_CONNECT_TIMEOUT plus the statement timeout (psm_site/web/postgresql/base.py), so a
# stopped or frozen database gives 503 pages rather than killed workers.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "15"))
graceful_timeout = 10
# Keep-alive with nginx is pointless for sync workers; nginx opens a connection per request.
keepalive = 2
# The app logs one line per request itself (psm_site/web/requestlog.py), with the request id.
accesslog = None
errorlog = "-"
# The proxies whose forwarded headers gunicorn believes: the same list Django reads the client's
# address by (TRUSTED_PROXIES, addresses or CIDR ranges; nginx on this machine by default).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1")
# No control socket: its default path (~/.gunicorn/gunicorn.ctl) is one for every gunicorn this
# user runs, so two app servers would fight over it; deploy/prod uses signals and pid files.
control_socket_disable = True


def post_worker_init(worker):
    """Render the home page once, then tell deploy/prod this worker is ready.

    The first request in a new process pays for the code's first run (the release fingerprint,
    templates, connections): seconds on a busy machine, while requests queue behind it. Paying
    it here, before the worker accepts any, keeps a deploy's first visitors as quick as the rest;
    and deploy/prod stops a deploy whose new code does not answer 200 here.
    """
    if os.environ.get("APP_WARM_UP", "on") == "off":  # benchmarks/servers.py times the first render
        worker.log.info("Worker ready (pid: %s, master: %s, home page: not asked)", worker.pid, worker.ppid)
        return
    from io import BytesIO
    from wsgiref.util import setup_testing_defaults

    from django.conf import settings

    # An allowed name (".gov.uk"-style entries allow the bare domain too); "*" allows any.
    host = next((name.lstrip(".") for name in settings.ALLOWED_HOSTS if name != "*"), "localhost")
    scheme = "https" if settings.SECURE_SSL_REDIRECT else "http"
    environ = {"PATH_INFO": "/", "HTTP_HOST": host, "SERVER_NAME": host, "REMOTE_ADDR": "127.0.0.1"}
    environ.update({"wsgi.url_scheme": scheme, "HTTP_X_FORWARDED_PROTO": scheme, "wsgi.input": BytesIO()})
    setup_testing_defaults(environ)
    status = []
    try:
        body = worker.wsgi(environ, lambda line, headers, exc_info=None: status.append(line.split()[0]))
        for _ in body:
            pass
        getattr(body, "close", lambda: None)()
    except Exception:  # the worker still serves; deploy/prod reads the status below
        worker.log.exception("The home page failed in a new worker")
    worker.log.info(
        "Worker ready (pid: %s, master: %s, home page: %s)", worker.pid, worker.ppid, "".join(status) or "error"
    )
