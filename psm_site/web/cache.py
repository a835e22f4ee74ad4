"""HTTP caching of public pages and data files, and the content version that keeps it correct.

`public_page` (a view decorator) answers GET and HEAD. For a visitor who is not signed in it
sends `Cache-Control: public` with max-age and s-maxage from settings (never past the next
clock boundary), an ETag made from the content version and the address, Last-Modified where the
page has a date, and 304 to a matching conditional request. `PageCacheMiddleware` keeps what
such a view rendered in Django's cache (Redis in production) under the content version, and
serves it early, before sessions, CSRF and the view. Signed-in users (staff) get
`private, no-store` and never read or fill the cache.

The content version is one database row (`ContentVersion`). Every save, delete and
many-to-many change of a model in an app that called `track_content()` moves it, in the same
transaction as the change; so does each clock boundary. Apps say when their pages change by the
clock alone with `register_boundaries()`: support registers fund rounds opening, becoming
'closing soon' and closing; scheduled publishing registers its publish and unpublish times.

A cache hit touches no database and makes one round trip to the cache. The cache holds a
*generation*, a random token that every change replaces when it commits (and once before, for
the changer's own transaction), the version row as of that generation, and each page with the
generation it was rendered under; a page from an older generation is a miss. Replacing rather
than counting means concurrent changes cannot leave an older token behind: any token written
after a commit is one no page was rendered under.
"""

import hashlib
import math
import os
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache as once
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date, parse_http_date
from django.utils.text import compress_string
from django.views.decorators.http import require_safe

from psm_site import personal_data
from psm_site.web import cache_outage
from psm_site.web.gzip import accepts_gzip

BOUNDARY_SOURCES = []  # callables: now -> the next moment a public page changes by the clock, or None
BOUNDARY_FIELDS = set()  # the date fields those callables read (see register_boundaries)
CONTENT_APPS = {}  # app label -> names of its models that are not public content
# Headers worked out again for every response served from the cache.
PER_RESPONSE_HEADERS = {"set-cookie", "content-length", "date", "cache-control", "etag", "last-modified", "expires"}


# --- What moves the content version -------------------------------------------------------------


def track_content(app_label, *, exclude=()):
    """Every save, delete and many-to-many change of this app's models moves the content version."""
    CONTENT_APPS[app_label] = {name.lower() for name in exclude}


def register_boundaries(source, *, fields):
    """`source(now)` gives the next moment after `now` when a public page changes by the clock alone.

    It may return None (nothing scheduled). Called at most once per content version and boundary.
    `fields` names the date fields it reads ("app_label.Model.field", or "*.field" for every
    model with that field): tests/site/test_caching.py fails on a date field of public content
    that is neither registered here nor listed there as one the pages only print.
    """
    BOUNDARY_SOURCES.append(source)
    BOUNDARY_FIELDS.update(fields)


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


def _settings_changed(*, setting, **kwargs):
    # Only tests change settings in a running process (a deployment restarts, and release() moves).
    # A changed CACHES is a new, empty cache already, and the one it names may not be reachable.
    if setting != "CACHES":
        cache_outage.call("clear")


def connect_signals():
    post_save.connect(_changed, dispatch_uid="psm_content_version_save")
    post_delete.connect(_changed, dispatch_uid="psm_content_version_delete")
    m2m_changed.connect(_changed, dispatch_uid="psm_content_version_m2m")
    setting_changed.connect(_settings_changed, dispatch_uid="psm_page_cache_settings")


def bump(*, now=None, using=None):
    """Note a change to public content: the content version moves once, when the transaction commits.

    Anything that changes public content without a model signal (a queryset `update()`, a bulk
    import with `bulk_create`) calls this itself. Outside a transaction the change is committed
    already, and the version moves now. Inside one, the first change registers one `on_commit`
    callback, so a 5,000-row import moves the version row once, after its commit, in its own short
    statement: no row lock is held for the import, and an Editor's save never waits on it. A rolled
    back transaction drops the callback and changes nothing, in the database or the cache.

    Until its commit, the changing connection's own requests (a preview, a test's client) see the
    change through a private generation (`_pending`): pages they render are never served to others.
    """
    alias = using or "default"
    connection_ = transaction.get_connection(alias)
    if not connection_.in_atomic_block:
        _committed(alias, now)
        return
    pending = _pending(connection_)
    if pending is None:
        callback = _Commit(alias)
        # robust: the change is committed whatever happens here; a failure is logged, not raised.
        transaction.on_commit(callback, using=alias, robust=True)
        # The list the callback went into: Django replaces it on a rollback (to a savepoint too),
        # which is how _pending tells a rolled-back change from one still to commit.
        queue = connection_.run_on_commit
        connection_.psm_pending = {"callback": callback, "queue": queue, "at": len(queue) - 1}
        pending = connection_.psm_pending
    # Each further change retires the pages rendered since the last, and may move the next boundary.
    pending.update(token=os.urandom(6).hex(), moment=now or timezone.now(), upcoming=False)


class _Commit:
    """The on_commit callback of one transaction's content changes."""

    def __init__(self, alias):
        self.alias = alias

    def __call__(self):
        connection_ = transaction.get_connection(self.alias)
        if (getattr(connection_, "psm_pending", None) or {}).get("callback") is self:
            connection_.psm_pending = None
        _committed(self.alias, None)


def _pending(connection_=None):
    """This connection's uncommitted content change ({"token", "moment", …}), or None."""
    connection_ = connection_ or connection
    pending = getattr(connection_, "psm_pending", None)
    if not pending:
        return None
    queue, at = connection_.run_on_commit, pending["at"]
    if queue is pending["queue"] and at < len(queue) and queue[at][1] is pending["callback"]:
        return pending
    # A savepoint rolled back (Django filtered the list into a new one), or the transaction ended.
    at = next((index for index, entry in enumerate(queue) if entry[1] is pending["callback"]), None)
    if at is None:
        connection_.psm_pending = None
        return None
    pending.update(queue=queue, at=at)
    return pending


def _committed(alias, now):
    """Move the version row (one short autocommitted UPDATE) and retire every cached page."""
    from psm_site.models import ContentVersion

    versions = ContentVersion.objects.using(alias)
    try:
        moved = versions.filter(pk=1).update(
            number=F("number") + 1, changed_at=now or timezone.now(), boundary_known=False
        )
        if not moved:
            versions.get_or_create(pk=1)
    finally:
        new_generation()  # even if the database went away just after the commit


GENERATION_KEY = "psm:generation"
DATABASE_GENERATION = "db-"  # the generation's prefix when the cache could not give one (nothing is stored)
LOCAL_GENERATION = "v"  # the prefix of a generation read from the version row (PAGE_CACHE_SHARED off)
VERSION_KEY = "psm:version"  # (generation, Version): the version row as of that generation


def new_generation():
    """Retire every page cached so far: each is kept with the generation it was rendered under."""
    cache_outage.call("set", GENERATION_KEY, os.urandom(9).hex(), timeout=None)


# A commit during a cache outage could not replace the generation: replace it when the cache is back.
cache_outage.on_recovery(new_generation)


def generation():
    """The generation this request's pages are kept under (see version_now)."""
    return version_now()[0]


# (generation, version) as a visitor's public page asked them when it began (public_page): what the
# page's other questions (psm_site/blocks.py's kept values) get without another round trip.
_this_request = ContextVar("psm_page_version", default=None)


def version_now(now=None):
    """(generation, content version), without the database while the cache holds both."""
    held = _this_request.get()
    if held is not None and now is None and _pending() is None:  # not after a change in this request
        return held
    now = now or timezone.now()
    found = cache_outage.call("get_many", [GENERATION_KEY, VERSION_KEY], default={})
    return _with_pending(*_settle(found.get(GENERATION_KEY), found.get(VERSION_KEY), now), now)


def _with_pending(token, version, now):
    """Inside a transaction that changed content, a private generation and a version dated now.

    Its clock boundaries are asked afresh (the version row has not moved yet), and the next one is
    part of the token, so passing a boundary retires the pages rendered before it here too.
    """
    pending = _pending()
    if pending is None:
        return token, version
    upcoming = pending.get("upcoming", False)
    if upcoming is False or (upcoming is not None and now >= upcoming):  # asked once per change and boundary
        upcoming = pending["upcoming"] = next_boundary(now)
    version = Version(version.number, max(version.changed_at, pending["moment"]), upcoming)
    return f"{token}:{pending['token']}:{upcoming.isoformat() if upcoming else ''}", version


def _settle(token, kept, now):
    """The generation, and the version kept beside it if it belongs to it and no boundary has
    passed; else the version row (which moves when a boundary has passed, and so does the generation)."""
    if not settings.PAGE_CACHE_SHARED:
        # Each process has its own cache (`make run`): the version row is the one truth they share,
        # so a change committed by the task worker or a command shows at this process's next request.
        version = current_version(now)
        return f"{LOCAL_GENERATION}{version.number}", version
    if token is None:  # a new or emptied cache, or none to be had
        cache_outage.call("add", GENERATION_KEY, os.urandom(9).hex(), timeout=None)
        token = cache_outage.call("get", GENERATION_KEY)
    if token is None:  # the cache is down: the version row alone says when pages change
        version = current_version(now)
        return f"{DATABASE_GENERATION}{version.number}", version
    if kept is not None and kept[0] == token:
        if kept[1].next_boundary is None or now < kept[1].next_boundary:
            return token, kept[1]
    version = current_version(now)
    if kept is not None and kept[0] == token and version.number != kept[1].number:  # a boundary passed
        new_generation()
        token = cache_outage.call("get", GENERATION_KEY, default=token)
    cache_outage.call("set", VERSION_KEY, (token, version), timeout=settings.PAGE_CACHE_SECONDS)
    return token, version


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: object  # aware datetime
    next_boundary: object  # aware datetime or None


def next_boundary(now):
    """The soonest moment after `now` when any registered source says a page changes by the clock."""
    moments = [source(now) for source in BOUNDARY_SOURCES]
    return min((moment for moment in moments if moment is not None and moment > now), default=None)


def _moment(value):
    """A datetime column read with plain SQL: SQLite gives naive UTC (or text), PostgreSQL aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def current_version(now=None):
    """The content version now: one query, plus the boundary sources' queries after a change or a boundary.

    Passing a boundary moves the number, so pages cached before it are never served after it.
    """
    from psm_site.models import ContentVersion

    now = now or timezone.now()
    # Every visitor's request asks this, so plain SQL: the ORM would spend longer building it than running it.
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "number", "changed_at", "next_boundary", "boundary_known" FROM "{ContentVersion._meta.db_table}" '
            'WHERE "id" = 1'
        )
        row = cursor.fetchone()
    if row is None:
        ContentVersion.objects.get_or_create(pk=1)
        row = (1, now, None, False)
    number, changed_at, boundary, known = row[0], _moment(row[1]), _moment(row[2]), bool(row[3])
    if known and (boundary is None or now < boundary):
        return Version(number, changed_at, boundary)
    upcoming = next_boundary(now)
    unchanged = ContentVersion.objects.filter(pk=1, number=number)
    if known:  # the boundary has passed
        unchanged.update(number=number + 1, changed_at=now, next_boundary=upcoming, boundary_known=True)
        return Version(number + 1, now, upcoming)
    unchanged.update(next_boundary=upcoming, boundary_known=True)
    return Version(number, changed_at, upcoming)


# The settings that change the bytes of a public page or data file. Each is part of the release
# fingerprint, so servers with the same code and these settings share cache entries and ETags.
# Per-server values (APP_PORT, APP_SERVER_NAME, host names, anything else in the environment) are
# not: a setting that starts to change what a page says must be added here.
RENDERING_SETTINGS = [
    "DEBUG",
    "SITE_DOMAIN",
    "SITE_URL",
    "STATIC_URL",
    "MEDIA_URL",
    "ADMIN_PATH",
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "GOVUK_BRAND",
    "SERVICE_NAME",
    "PHASE",
    "CONTACT_EMAIL",
    "ORGANISATION",
    "DATA_CONTROLLER",
    "DATA_PROTECTION_OFFICER_EMAIL",
    "FEEDBACK_RETENTION_DAYS",
    "SERVER_LOG_RETENTION_DAYS",
    "STAFF_ACCOUNT_RETENTION_DAYS",
    "FEEDBACK_RATE_LIMIT",
    "FEEDBACK_RATE_LIMIT_WINDOW",
    "SEARCH_LIMIT_PER_MINUTE",
    "ALERTS_SUBSCRIBE_LIMIT",
    "MAP_TILES_URL",
    "MAP_TILES_ATTRIBUTION",
    "CONTENT_SECURITY_POLICY",
    "CLOSING_SOON_DAYS",
    "ROBOTS_DISALLOW_ALL",
    "EXPLAINER_SLUG",
    "ATTACHMENT_MAX_BYTES",
    "ALERTS_DIGEST_TIME",
    "ALERTS_WEEKLY_DAY",
    "HTTP_CACHE_MAX_AGE",
    "HTTP_CACHE_S_MAXAGE",
]


@once
def release():
    """A fingerprint of what changes the bytes of a page: the code, templates, static manifest,
    pinned requirements and RENDERING_SETTINGS, and nothing that differs between servers.

    Part of every cache key and ETag, so a deployment never serves pages rendered by the last one,
    and every server of one release shares the cache's entries and a browser's ETags.
    """
    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR)
    folders = [Path(config.path) for config in apps.get_app_configs()]
    folders = [folder for folder in folders if folder.is_relative_to(base) and "site-packages" not in folder.parts]
    folders += [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    for folder in sorted(set(folders)):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".xml", ".svg"} and "migrations" not in path.parts:
                digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    # Libraries (their templates render too) by their pinned versions, and the static files' names.
    for path in [
        base / "requirements.txt",
        base / "package-lock.json",
        Path(settings.STATIC_ROOT) / "staticfiles.json",
    ]:
        if path.is_file():
            digest.update(path.read_bytes())
    for name in RENDERING_SETTINGS:
        digest.update(f"{name}={_stable(getattr(settings, name, None))}\0".encode())
    return digest.hexdigest()


def _stable(value):
    """A setting's value as text that is the same in every process (a set's order is not)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{_stable(key)}:{_stable(item)}" for key, item in sorted(value.items(), key=str)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_stable(item) for item in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_stable(item) for item in value)) + "}"
    return repr(value)


# --- The view decorator and the middleware that serves the cache ----------------------------------


def dated(response, moment):
    """Give a public page's Last-Modified: the date the page shows (first published or last updated)."""
    response.psm_date = moment
    return response


def public_page(view=None, *, params=()):
    """GET and HEAD; cacheable by anyone for visitors, `private, no-store` for staff (see module docstring).

    `params` names the query parameters the view reads (`@public_page(params=["q", "page"])`).
    The view sees only those, in a canonical order (`known_query`), and the cache key is built from
    them: `?utm_source=N` or a reordered query neither makes a new cache entry nor changes the page,
    and a data file with extra parameters shares the entry of the same filter.
    """
    if view is None:
        return lambda view: public_page(view, params=params)
    params = frozenset(params)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.GET = known_query(request, params)
        if request.user.is_authenticated:  # never shared; what staff may see is get_for_request's rule
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response
        now = timezone.now()
        found = _lookup(request, now)
        version, etag = found.version, found.etag
        answer = get_conditional_response(request, etag=etag)
        last_modified = None
        if answer is None:
            held = _this_request.set((found.generation, version))
            try:
                answer = view(request, *args, **kwargs)
            finally:
                _this_request.reset(held)
            if getattr(answer, "is_rendered", True) is False:  # a TemplateResponse (the sitemap's)
                answer.render()
            if not _cacheable(answer):
                return answer
            last_modified = _last_modified(answer, version)
            answer.psm_store = {
                "last_modified": last_modified,
                "timeout": _seconds_left(version, now, settings.PAGE_CACHE_SECONDS),
            }
            answer = get_conditional_response(request, etag=etag, last_modified=last_modified, response=answer)
        return _public(answer, version, now, etag, last_modified)

    page = require_safe(wrapper)
    page.psm_public_page = True
    page.psm_params = params
    return page


def known_query(request, params):
    """request.GET with only `params`, names and each name's values sorted: the canonical query."""
    query = request.GET
    if getattr(query, "psm_known", False):
        return query
    pairs = [(name, value) for name in sorted(set(query) & params) for value in sorted(query.getlist(name))]
    known = QueryDict(urlencode(pairs), encoding=query.encoding)
    known.psm_known = True
    return known


class PageCacheMiddleware:
    """Serves a visitor's page from the cache before sessions, CSRF, auth, the URL's view or CSP run.

    Placed just inside WhiteNoise. Only for GET and HEAD of a `public_page` view, without a session
    cookie (staff always have one): anything else passes through. A miss goes down the stack; when
    the view marked the response cacheable, its final headers and body are kept and served as they are
    (the Content Security Policy has no nonce, so a page is the same for every visitor).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._applies(request):
            return self.get_response(request)
        now = timezone.now()
        found = _lookup(request, now, page=True)
        if found.entry is not None:
            response = _serve(found.entry, request, found.version, now, found.etag)
            response["X-Cache"] = "hit"  # which server rendered a page does not matter: any may serve it
            return response
        response = self.get_response(request)
        plan = getattr(response, "psm_store", None)
        if plan and plan["timeout"] and response.status_code == 200 and not response.cookies:
            _store(response, found, plan)
        response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _applies(request):
        if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD"):
            return False
        if is_marked_staff(request):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        if not getattr(match.func, "psm_public_page", False):
            return False
        request.GET = known_query(request, match.func.psm_params)  # before the key is made from it
        return True


# --- Who skips the cache: a signed marker, not any session cookie --------------------------------

STAFF_MARKER_COOKIE = "psm_staff"
_STAFF_MARKER_SALT = "psm_site.web.cache.staff-marker"


def is_marked_staff(request):
    """True if the request carries a valid staff marker: one HMAC, no database or cache.

    Only a browser that signed in gets one (StaffMarkerMiddleware), so a visitor's stale or made-up
    `sessionid` cookie no longer skips the cache; a stale marker is cleared at its next request.
    """
    value = request.get_signed_cookie(
        STAFF_MARKER_COOKIE, default=None, salt=_STAFF_MARKER_SALT, max_age=settings.SESSION_COOKIE_AGE
    )
    return value is not None


def mark_staff(response, request):
    response.set_signed_cookie(
        STAFF_MARKER_COOKIE,
        "1",
        salt=_STAFF_MARKER_SALT,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )  # no max_age: it ends with the browser, as a staff session does (psm_site/web/signin.py)


personal_data.register_cookie(
    personal_data.Cookie(
        name=STAFF_MARKER_COOKIE,
        purpose="Tells the site you are signed in, so that it shows you pages as they are now, never a copy saved for the public",
        expires=lambda: "When you close your browser or sign out",
        audience="staff",
        source="psm_site/web/cache.py (StaffMarkerMiddleware)",
        order=12,
    )
)


class StaffMarkerMiddleware:
    """Sets the staff marker on a signed-in browser's response and clears it once signed out.

    After AuthenticationMiddleware and StaffSessionMiddleware, so it sees a sign-in, a sign-out or
    an idle time-out that happened in this request. Requests the page cache answered never get
    here; every other request with a marker does, so a marker outliving its session is removed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME not in cookies and STAFF_MARKER_COOKIE not in cookies:
            if not request.session.session_key:  # no sign-in in this request: a visitor, left alone
                return response
        signed_in = request.user.is_authenticated
        if signed_in and not is_marked_staff(request):
            mark_staff(response, request)
        elif not signed_in and STAFF_MARKER_COOKIE in request.COOKIES:
            response.delete_cookie(STAFF_MARKER_COOKIE, samesite="Lax")
        return response


@dataclass(frozen=True)
class Found:
    version: Version
    generation: str
    key: str
    etag: str
    entry: dict | None  # the cached page, when the middleware asked for it and it is current
    takes_gzip: bool  # the client's and the cache entry's kind: see _store


def _lookup(request, now, *, page=False):
    """What the cache knows of this request, worked out once per request: one round trip to the
    cache (the generation, the version and, for the middleware, the page)."""
    found = getattr(request, "_psm_page", None)
    if found is None:
        # The address as the view sees it: only the query parameters it reads (see public_page).
        query = request.GET.urlencode()
        address = request.build_absolute_uri(request.path) + (f"?{query}" if query else "")
        address = hashlib.blake2b(address.encode(), digest_size=12).hexdigest()
        takes_gzip = accepts_gzip(request)
        key = f"psm:page:{release()}:{address}:{'gzip' if takes_gzip else 'identity'}"
        keys = [GENERATION_KEY, VERSION_KEY, key] if page else [GENERATION_KEY, VERSION_KEY]
        got = cache_outage.call("get_many", keys, default={})
        token, version = _with_pending(*_settle(got.get(GENERATION_KEY), got.get(VERSION_KEY), now), now)
        entry = got.get(key)
        if entry is not None and entry["generation"] != token:
            entry = None  # rendered before the latest change
        etag = '"' + hashlib.blake2b(f"{key}:{token}".encode(), digest_size=10).hexdigest() + '"'
        found = request._psm_page = Found(version, token, key, etag, entry, takes_gzip)
    return found


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


def _store(response, found, plan):
    headers = [(name, value) for name, value in response.items() if name.lower() not in PER_RESPONSE_HEADERS]

    def save(content):
        # Kept compressed for the clients that take gzip, so a hit does not compress it again: with no
        # CSP nonce, a page is the same bytes for every visitor, like the data files. Its random
        # padding against BREACH is left out: a cached response holds no secret (no cookie, no token).
        gzipped = found.takes_gzip and len(content) >= 200
        entry = {
            "headers": [*headers, ("Content-Encoding", "gzip")] if gzipped else headers,
            "content": compress_string(content) if gzipped else content,
            "gzip": gzipped,
            "last_modified": plan["last_modified"],
            "generation": found.generation,
        }
        if not found.generation.startswith(DATABASE_GENERATION):  # the cache was down at the lookup
            cache_outage.call("set", found.key, entry, plan["timeout"])

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


def _serve(entry, request, version, now, etag):
    if entry["gzip"]:
        etag = "W/" + etag  # as GZipMiddleware marks what it compresses
    last_modified = entry["last_modified"]
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        content, headers = entry["content"], entry["headers"]
        response = HttpResponse(b"" if request.method == "HEAD" else content)
        for name, value in headers:
            response[name] = value
        response["Content-Length"] = str(len(content))
    if entry["gzip"]:
        patch_vary_headers(response, ["Accept-Encoding"])
    return _public(response, version, now, etag, last_modified)
