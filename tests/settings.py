"""The test suite's settings (pytest.ini names this module): production's, with TESTING on.

psm_site/settings.py reads DJANGO_TESTING once and derives what the suite changes from it:
hosts, plain HTTP, static files without a manifest, generous database timeouts, one sign-in
factor (tests of two-factor sign-in turn it on). Processes the tests start inherit it.
"""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ["DJANGO_TESTING"] = "1"

from psm_site.settings import *  # noqa: E402, F403


def _for_this_worker(url):
    """Under `pytest -n N` (pytest-xdist) each worker takes the next Redis database after the one
    given: tests empty the cache, and Redis empties a whole database at a time. PostgreSQL test
    databases get a per-worker suffix from pytest-django itself."""
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    if not url or not index:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{(int(parts.path.strip('/') or 0) + index) % 16}"))


REDIS_URL = _for_this_worker(REDIS_URL)  # noqa: F405
if REDIS_URL:
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
if os.environ.get("TEST_REDIS_URL"):
    os.environ["TEST_REDIS_URL"] = _for_this_worker(os.environ["TEST_REDIS_URL"])

# The suite's own `flush` (tests/management/commands/flush.py): Django's, quicker on PostgreSQL.
INSTALLED_APPS = [*INSTALLED_APPS, "tests"]  # noqa: F405
