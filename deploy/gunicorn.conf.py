"""gunicorn for one app server: deploy/prod starts one per port in APP_PORTS, each with
APP_SERVER_NAME (it appears in every request-log line) and APP_PORT set."""

import os

bind = f"{os.environ.get('APP_BIND_HOST', '127.0.0.1')}:{os.environ.get('APP_PORT', '8001')}"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
proc_name = os.environ.get("APP_SERVER_NAME", "psm")
# Above DATABASE_CONNECT_TIMEOUT plus the statement timeout (psm_site/postgresql/base.py), so a
# stopped or frozen database gives 503 pages rather than killed workers.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "15"))
graceful_timeout = 10
# Keep-alive with nginx is pointless for sync workers; nginx opens a connection per request.
keepalive = 2
# The app logs one line per request itself (psm_site/requestlog.py), with the request id.
accesslog = None
errorlog = "-"
# The proxies whose forwarded headers gunicorn believes: the same list Django reads the client's
# address by (TRUSTED_PROXIES, addresses or CIDR ranges; nginx on this machine by default).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1")
