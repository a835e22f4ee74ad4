"""Crawl the public site from the home page, as a visitor would, to find every page to check.

New pages join the walk by being linked; a URL pattern that nothing links to fails the
coverage test instead of being silently skipped.
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from places.lookup import english_authorities

SKIP_PREFIXES = ("/admin/", "/static/", "/media/")
MAX_PAGES = 600
MAX_QUERY_VARIANTS = 3  # per path: filters and pages are variations of one page
START = ["/", "/search/?q=mutual", "/sitemap.xml", "/robots.txt", "/healthz"]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])


def _local(href):
    href = urldefrag(href)[0]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client):
    """{url: response} for every public URL reachable from the home page (and search)."""
    # The first page drawn also works out what a process keeps (the content version, content types, the
    # blocks of psm_site/blocks.py, England's local authorities): draw the home page once at another
    # address and read the authorities, so no page pays for it.
    client.get(START[0] + "?warm-up")
    english_authorities()
    seen, variants, responses = set(START), {}, {}
    queue = deque(START)
    while queue and len(responses) < MAX_PAGES:
        url = queue.popleft()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        response.queries = len(captured)  # SQL queries the page took to draw (every page is new to the cache)
        responses[url] = response
        if "text/html" not in response.get("Content-Type", ""):
            if url == "/sitemap.xml":
                for loc in response.content.decode().split("<loc>")[1:]:
                    _enqueue(_local(urlsplit(loc.split("</loc>")[0]).path), seen, variants, queue)
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.links:
            _enqueue(_local(href), seen, variants, queue)
    return responses


def _enqueue(url, seen, variants, queue):
    if not url or url in seen:
        return
    path = url.split("?")[0]
    if "?" in url:
        variants[path] = variants.get(path, 0) + 1
        if variants[path] > MAX_QUERY_VARIANTS:
            return
    seen.add(url)
    queue.append(url)


def public_url_names():
    """Every named URL pattern outside the admin, as 'namespace:name'."""
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def url_name(url):
    try:
        return resolve(url.split("?")[0]).view_name
    except Resolver404:
        return None
