"""The test suite's settings (pytest.ini names this module): production's, with TESTING on.

psm_site/settings.py reads DJANGO_TESTING once and derives what the suite changes from it:
hosts, plain HTTP, static files without a manifest, generous database timeouts, one sign-in
factor (tests of two-factor sign-in turn it on). Processes the tests start inherit it.
"""

import os

os.environ["DJANGO_TESTING"] = "1"

from psm_site.settings import *  # noqa: E402, F403
