"""Production settings for benchmarking on this machine: plain HTTP on localhost, own static and database.

The database comes from DATABASE_URL, which benchmarks/run.py points at a file under
benchmarks/results/ (never the developer's db.sqlite3).
"""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key-" + "x" * 40)

from psm_site.settings import *  # noqa: E402, F403

RESULTS = Path(__file__).resolve().parent / "results"

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
# Hashed, compressed static files as in production, collected away from the developer's staticfiles/.
STATIC_ROOT = RESULTS / "staticfiles"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Page 2 of the 37-mutual registry does not exist: its 404 is expected, not news.
    "loggers": {"django.request": {"level": "ERROR"}},
}
# wrk sends thousands of searches a second from one address: the per-client limit would answer 429.
SEARCH_LIMIT_PER_MINUTE = 0
