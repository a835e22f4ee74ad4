"""Whether a client takes gzip, read as RFC 9110 says: `gzip;q=0` means "not gzip".

Django's GZipMiddleware and its `re_accepts_gzip` look only for the word, so a client that
refused gzip got it. The page cache (psm_site/cache.py) and the middleware below both ask here.
"""

from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware
from django.utils.cache import patch_vary_headers


def accepts_gzip(request) -> bool:
    """True when Accept-Encoding names gzip (or x-gzip) with a q above 0."""
    for coding in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        name, *parameters = (part.strip() for part in coding.split(";"))
        if name.lower() not in ("gzip", "x-gzip"):
            continue
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's, minus the responses for clients that said q=0 to gzip."""

    def process_response(self, request, response):
        if not accepts_gzip(request):
            if not response.has_header("Content-Encoding") and (response.streaming or len(response.content) >= 200):
                patch_vary_headers(response, ("Accept-Encoding",))  # as Django's does for what it could compress
            return response
        return super().process_response(request, response)
