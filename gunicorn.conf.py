"""gunicorn settings read from the working directory (`gunicorn psm_site.wsgi` from the repository).

Workers come from WEB_CONCURRENCY (gunicorn's own variable, which the deploy check counts too).
"""

import os

import gunicorn.http.wsgi

# No 'Server: gunicorn/…' banner naming the software: gunicorn always sends a Server header, so
# it carries no product name or version.
gunicorn.http.wsgi.SERVER = "-"

# The proxies whose forwarded headers gunicorn believes: the same list Django reads the client's
# address by (TRUSTED_PROXIES in psm_site/settings.py); none unless it is set.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "")
