"""The feedback rate limit, read in one place: the view enforces it and the privacy notice states it.

The values come from settings when they are there (`FEEDBACK_RATE_LIMIT`,
`FEEDBACK_RATE_LIMIT_WINDOW`, in seconds); the defaults are the limit the site has always had.
"""

from django.conf import settings

DEFAULT_LIMIT = 10
DEFAULT_WINDOW = 3600


def feedback_limit():
    """(submissions allowed, window in seconds) per client address."""
    return (
        getattr(settings, "FEEDBACK_RATE_LIMIT", DEFAULT_LIMIT),
        getattr(settings, "FEEDBACK_RATE_LIMIT_WINDOW", DEFAULT_WINDOW),
    )
