"""gunicorn settings read from the working directory (`gunicorn psm_site.wsgi` from the repository).

Workers come from WEB_CONCURRENCY (gunicorn's own variable, which the deploy check counts too).
"""

import gunicorn.http.wsgi

# No 'Server: gunicorn/…' banner naming the software: gunicorn always sends a Server header, so
# it carries no product name or version.
gunicorn.http.wsgi.SERVER = "-"
