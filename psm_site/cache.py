"""HTTP caching of public pages and data files, and the content version that keeps it correct.

`public_page` (a view decorator) answers GET and HEAD. For a visitor who is not signed in it
sends `Cache-Control: public` with max-age and s-maxage from settings (never past the next
clock boundary), an ETag made from the content version and the address, Last-Modified where the
page has a date, 304 to a matching conditional request, and keeps the rendered response in
Django's cache (Redis in production) under the content version. Signed-in users (staff) get
`private, no-store` and never read or fill the cache.

The content version is one database row (`ContentVersion`). Every save, delete and
many-to-many change of a model in an app that called `track_content()` moves it, in the same
transaction as the change; so does each clock boundary. Apps say when their pages change by the
clock alone with `register_boundaries()`: support registers fund rounds opening, becoming
'closing soon' and closing; scheduled publishing registers its publish and unpublish times.
"""

import hashlib
import math
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache as once
from functools import wraps
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date, parse_http_date
from django.views.decorators.http import require_safe

BOUNDARY_SOURCES = []  # callables: now -> the next moment a public page changes by the clock, or None
CONTENT_APPS = {}  # app label -> names of its models that are not public content
NONCE_PLACEHOLDER = b"psm-csp-nonce-placeholder"
# Headers the view sets that belong to the body; the rest are set per response.
KEPT_HEADERS = {"content-type", "content-disposition", "content-language", "x-robots-tag", "link"}


# --- What moves the content version -------------------------------------------------------------


def track_content(app_label, *, exclude=()):
    """Every save, delete and many-to-many change of this app's models moves the content version."""
    CONTENT_APPS[app_label] = {name.lower() for name in exclude}


def register_boundaries(source):
    """`source(now)` gives the next moment after `now` when a public page changes by the clock alone.

    It may return None (nothing scheduled). Called at most once per content version and boundary.
    """
    BOUNDARY_SOURCES.append(source)


def _is_content(model):
    if model.__module__ == "__fake__":  # a migration's historical model: the version table may not exist yet
        return False
    opts = model._meta
    excluded = CONTENT_APPS.get(opts.app_label)
    return excluded is not None and opts.model_name not in excluded and not opts.model_name.startswith("historical")


def _changed(sender, **kwargs):
    if kwargs.get("action", "post").startswith("pre") or not _is_content(sender):
        return
    bump(using=kwargs.get("using"))


def connect_signals():
    post_save.connect(_changed, dispatch_uid="psm_content_version_save")
    post_delete.connect(_changed, dispatch_uid="psm_content_version_delete")
    m2m_changed.connect(_changed, dispatch_uid="psm_content_version_m2m")


def bump(*, now=None, using=None):
    """Move the content version, inside the caller's transaction when there is one.

    Anything that changes public content without a model signal (a queryset `update()`, a bulk
    import with `bulk_create`) calls this itself.
    """
    from psm_site.models import ContentVersion

    versions = ContentVersion.objects.using(using or "default")
    moved = versions.filter(pk=1).update(number=F("number") + 1, changed_at=now or timezone.now(), boundary_known=False)
    if not moved:
        versions.get_or_create(pk=1)


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: object  # aware datetime
    next_boundary: object  # aware datetime or None


def next_boundary(now):
    """The soonest moment after `now` when any registered source says a page changes by the clock."""
    moments = [source(now) for source in BOUNDARY_SOURCES]
    return min((moment for moment in moments if moment is not None and moment > now), default=None)


def current_version(now=None):
    """The content version now: one query, plus the boundary sources' queries after a change or a boundary.

    Passing a boundary moves the number, so pages cached before it are never served after it.
    """
    from psm_site.models import ContentVersion

    now = now or timezone.now()
    row = ContentVersion.objects.filter(pk=1).values_list("number", "changed_at", "next_boundary", "boundary_known")
    row = row.first()
    if row is None:
        ContentVersion.objects.get_or_create(pk=1)
        row = (1, now, None, False)
    number, changed_at, boundary, known = row
    if known and (boundary is None or now < boundary):
        return Version(number, changed_at, boundary)
    upcoming = next_boundary(now)
    unchanged = ContentVersion.objects.filter(pk=1, number=number)
    if known:  # the boundary has passed
        unchanged.update(number=number + 1, changed_at=now, next_boundary=upcoming, boundary_known=True)
        return Version(number + 1, now, upcoming)
    unchanged.update(next_boundary=upcoming, boundary_known=True)
    return Version(number, changed_at, upcoming)


@once
def release():
    """A fingerprint of the code, templates, static manifest and environment being served.

    Part of every cache key and ETag, so a deployment never serves pages rendered by the last one.
    """
    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR)
    folders = [Path(config.path) for config in apps.get_app_configs() if Path(config.path).is_relative_to(base)]
    folders += [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    for folder in sorted(set(folders)):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".xml", ".svg"} and "migrations" not in path.parts:
                digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    manifest = Path(settings.STATIC_ROOT or base) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    volatile = {"HOSTNAME", "PWD", "OLDPWD", "SHLVL", "_", "TERM", "SERVER_SOFTWARE"}
    for name, value in sorted(os.environ.items()):
        if name not in volatile:
            digest.update(f"{name}={value}\0".encode())
    return digest.hexdigest()


# --- The view decorator -------------------------------------------------------------------------


def dated(response, moment):
    """Give a public page's Last-Modified: the date the page shows (first published or last updated)."""
    response.psm_date = moment
    return response


def public_page(view):
    """GET and HEAD; cacheable by anyone for visitors, `private, no-store` for staff (see module docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response
        now = timezone.now()
        version = current_version(now)
        address = hashlib.blake2b(request.build_absolute_uri().encode(), digest_size=12).hexdigest()
        key = f"psm:page:{release()}:{version.number}:{address}"
        etag = '"' + hashlib.blake2b(key.encode(), digest_size=10).hexdigest() + '"'
        entry = cache.get(key) if settings.PAGE_CACHE else None
        last_modified = entry["last_modified"] if entry else None
        answer = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if answer is None and entry:
            answer = _from_entry(entry, request)
        elif answer is None:
            answer = view(request, *args, **kwargs)
            if getattr(answer, "is_rendered", True) is False:  # a TemplateResponse (the sitemap's)
                answer.render()
            if not _cacheable(answer):
                return answer
            last_modified = _last_modified(answer, version)
            if settings.PAGE_CACHE:
                _store(answer, request, key, last_modified, _seconds_left(version, now, settings.PAGE_CACHE_SECONDS))
        return _public(answer, version, now, etag, last_modified)

    return require_safe(wrapper)


def _cacheable(response):
    control = response.get("Cache-Control", "")
    return response.status_code == 200 and not response.cookies and "private" not in control and "no-" not in control


def _last_modified(response, version):
    """The page's own date (or a Last-Modified the view set, as feeds do), or the last content change if later."""
    date = getattr(response, "psm_date", None)
    if date is None and response.has_header("Last-Modified"):
        date = datetime.fromtimestamp(parse_http_date(response["Last-Modified"]), tz=UTC)
    if date is None:
        return None
    return int(max(date, version.changed_at).timestamp())


def _seconds_left(version, now, limit):
    if version.next_boundary is None:
        return limit
    return max(0, min(limit, math.floor((version.next_boundary - now).total_seconds())))


def _public(response, version, now, etag, last_modified):
    patch_cache_control(
        response,
        public=True,
        max_age=_seconds_left(version, now, settings.HTTP_CACHE_MAX_AGE),
        s_maxage=_seconds_left(version, now, settings.HTTP_CACHE_S_MAXAGE),
    )
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_vary_headers(response, ["Cookie"])
    return response


def _nonce(request):
    """The request's CSP nonce if the page used it (django-csp makes it only when asked for)."""
    nonce = getattr(request, "csp_nonce", None)
    return str(nonce).encode() if nonce else None


def _store(response, request, key, last_modified, timeout):
    if not timeout:
        return
    entry = {
        "headers": [(name, value) for name, value in response.items() if name.lower() in KEPT_HEADERS],
        "last_modified": last_modified,
    }

    def save(content):
        # A cached page must not repeat one visitor's CSP nonce: keep a placeholder, fill it per response.
        nonce = _nonce(request)
        if nonce:
            content = content.replace(nonce, NONCE_PLACEHOLDER)
        cache.set(key, {**entry, "content": content, "nonce": bool(nonce)}, timeout)

    if not response.streaming:
        save(response.content)
        return
    chunks = []

    def collect(stream):
        for chunk in stream:
            chunks.append(chunk)
            yield chunk
        save(b"".join(chunks))

    response.streaming_content = collect(response.streaming_content)


def _from_entry(entry, request):
    content = entry["content"]
    if entry["nonce"]:
        content = content.replace(NONCE_PLACEHOLDER, str(request.csp_nonce).encode())
    response = HttpResponse(content)
    for name, value in entry["headers"]:
        response[name] = value
    return response
