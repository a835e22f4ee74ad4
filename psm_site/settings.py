"""Settings for the Public Service Mutuals site, read from the environment.

Every variable is listed, with its default, in .env.example.
"""

import ipaddress
import os
import secrets
import socket
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


# A variable set blank (as .env.example ships several) counts as unset: its default applies.
def env_str(name, default=""):
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name, default=False):
    value = env_str(name)
    return default if not value else value.lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = env_str(name)
    return default if not value else int(value)


def env_float(name, default):
    value = env_str(name)
    return default if not value else float(value)


def env_list(name, default=""):
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The test suite (tests/settings.py sets DJANGO_TESTING) runs with production settings except
# HTTPS redirects, secure cookies and hashed static files.
TESTING = env_bool("DJANGO_TESTING")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
SECRET_KEY_FROM_ENVIRONMENT = bool(SECRET_KEY)
if not SECRET_KEY:
    # Management commands, tests and development run without one; serving the site through
    # WSGI (gunicorn) refuses to start without it (psm_site/wsgi.py), and `check --deploy` fails.
    SECRET_KEY = "insecure-development-key-" + ("for-debug-only" if DEBUG else secrets.token_urlsafe(32))

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "psm_site.admin_site.AdminConfig",  # Django's admin with our site class (two-factor sign-in)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.forms",
    "csp",
    "simple_history",
    "import_export",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "psm_site",
    "places",
    "mutuals",
    "support",
    "alerts",
]

MIDDLEWARE = [
    "psm_site.web.requestlog.RequestLogMiddleware",  # first: it logs every answer, redirects and errors included
    "psm_site.web.middleware.SecurityHeadersMiddleware",  # outermost: error pages raised below get it too
    "django.middleware.security.SecurityMiddleware",
    # NUL and other control characters in a request: 400 before the cache, session or a view reads them.
    "psm_site.web.middleware.ControlCharacterMiddleware",
    "psm_site.web.middleware.HealthCheckMiddleware",  # any Host, before CommonMiddleware checks it
    # Compresses pages and open data (the map page carries every result's point). Django's
    # GZipMiddleware pads responses against BREACH, and CSRF tokens are masked per response.
    "psm_site.web.gzip.GZipMiddleware",  # Django's, honouring gzip;q=0
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Visitors' pages from the server-side cache, before sessions, CSRF and the view (psm_site/web/cache.py).
    "psm_site.web.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "psm_site.web.middleware.StaffSessionMiddleware",
    "psm_site.web.cache.StaffMarkerMiddleware",  # a signed-in browser skips the page cache (psm_site/web/cache.py)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After whitenoise (static files still answer) and the header middleware (its answers carry them).
    # The size check only reads Content-Length; the body is read later, by CSRF's process_view.
    "psm_site.web.middleware.PublicRequestSizeMiddleware",
    "psm_site.web.middleware.MaintenanceModeMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "psm_site.pages.redirects.RedirectKeepingQueryMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a locked sign-in into its page
]

ROOT_URLCONF = "psm_site.urls"
WSGI_APPLICATION = "psm_site.wsgi.application"
SITE_ID = 1
# The public host name, for absolute links in the sitemap.
SITE_DOMAIN = env_str("SITE_DOMAIN", "127.0.0.1:8000")
# The site's address for links in emails (no request to build them from).
SITE_URL = env_str("SITE_URL", ("http://" if DEBUG or TESTING else "https://") + SITE_DOMAIN).rstrip("/")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "psm_site.context_processors.site",
            ],
        },
    },
]

# Widget templates may live in templates/ (the admin's pin-on-a-map widget does).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# SQLite file when DATABASE_URL is unset, so `make run` works on a fresh machine.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A stopped or frozen database must cost a request seconds, not minutes: seconds to wait for a
# connection, and for any one statement (0 = no limit, for migrations and the task worker).
# PostgreSQL only (psm_site/web/postgresql/base.py enforces both, even when the server is frozen).
# The test suite sets no statement limit (creating and dropping test databases on a shared, busy
# server can take many seconds); tests/site/test_outage.py sets production's values.
DATABASE_CONNECT_TIMEOUT = env_float("DATABASE_CONNECT_TIMEOUT", 5.0 if TESTING else 1.0)
DATABASE_STATEMENT_TIMEOUT = env_float("DATABASE_STATEMENT_TIMEOUT", 0 if TESTING else 1.0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the task worker and the alerts clock write to the one file at once. WAL lets
    # pages read while another process writes; BEGIN IMMEDIATE takes the write lock when a
    # transaction starts, so a writer waits its turn (up to SQLITE_BUSY_SECONDS) instead of failing
    # with "database is locked" when a read lock cannot be upgraded.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_float("SQLITE_BUSY_SECONDS", 30.0),
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "psm_site.web.postgresql"
    # QuerySet.iterator() (which every form's model choices use) would open a server-side cursor
    # WITH HOLD: more round trips than the query, and a copy of the rows at commit. The largest
    # result here is the registry, a few MB at 5,000 mutuals, so rows are fetched at once.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Local memory by default (one process); Redis when REDIS_URL is set, shared by every worker and
# server, so rate limits hold across them.
REDIS_URL = env_str("REDIS_URL")
# Seconds to connect to Redis or wait for its answer. The cache only makes pages faster: a request
# that cannot reach it goes on without it (psm_site/web/cache_outage.py), so the wait is short.
REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 0.25)
CACHES = {
    "default": (
        {
            "BACKEND": "psm_site.web.redis_cache.KeptClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "psm",
            # Passed to redis-py's connection pool (public options of Django's backend).
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Whether every process that changes content (web workers, the task worker, management commands)
# shares this cache. With Redis it does. With local memory (`make run`) each process has its own,
# so the page cache reads its generation from the content-version row at each request (one query)
# and a change made by the worker or a command shows at the next request (psm_site/web/cache.py).
PAGE_CACHE_SHARED = env_bool("PAGE_CACHE_SHARED", bool(REDIS_URL))
# gunicorn workers per app server, counted as gunicorn is started: deploy/gunicorn.conf.py (make
# prod) takes GUNICORN_WORKERS from here: unless set, 2 with a shared cache and 1 without, since
# workers with a cache each of their own multiply every rate limit. gunicorn started without
# `-c deploy/gunicorn.conf.py` reads WEB_CONCURRENCY itself, 1 unless set. The deploy check
# (psm_site/checks.py) counts the larger.
GUNICORN_WORKERS = env_int("GUNICORN_WORKERS", 2 if REDIS_URL else 1)
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 1)

# Rate limits, counted per client address in the cache (psm_site/web/limits.py). The address is the
# socket's; X-Forwarded-For is read only when the socket's peer is one of TRUSTED_PROXIES
# (addresses or CIDR ranges: nginx on this machine, a load balancer in front of it).
TRUSTED_PROXIES = [
    str(ipaddress.ip_network(proxy, strict=False))  # a mistyped entry stops the server starting
    for proxy in env_list("TRUSTED_PROXIES", "127.0.0.1,::1" if env_bool("DJANGO_BEHIND_PROXY") else "")
]
FEEDBACK_RATE_LIMIT = env_int("FEEDBACK_RATE_LIMIT", 10)  # answers per client address a window
FEEDBACK_RATE_LIMIT_WINDOW = env_int("FEEDBACK_RATE_LIMIT_WINDOW", 3600)  # seconds
SEARCH_LIMIT_PER_MINUTE = env_int("SEARCH_LIMIT_PER_MINUTE", 60)

# Staff sign-in: django-axes locks an account, or an address, after repeated wrong passwords;
# a second factor (TOTP, django-otp) is required whenever ADMIN_TWO_FACTOR is on.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("ADMIN_LOCKOUT_FAILURES", 10)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOCKOUT_MINUTES", 60))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "psm_site.web.limits.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
ADMIN_TWO_FACTOR = env_bool("ADMIN_TWO_FACTOR", not (DEBUG or TESTING))
OTP_TOTP_ISSUER = "Public Service Mutuals"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The admin's address (no leading slash), and how long an idle staff session lasts (0: no limit).
ADMIN_PATH = env_str("ADMIN_PATH", "admin/").strip("/") + "/"
ADMIN_IDLE_MINUTES = env_int("ADMIN_IDLE_MINUTES", 30)

# Admin imports of more rows than this are checked and imported by the task worker.
IMPORT_IN_BACKGROUND_ROWS = env_int("IMPORT_IN_BACKGROUND_ROWS", 1000)
# On SQLite (one writer at a time) a checked import is written this many rows per transaction.
IMPORT_SQLITE_PART_ROWS = env_int("IMPORT_SQLITE_PART_ROWS", 100)

# Work that must not run inside a request (large imports, email alerts) goes to the task worker,
# `manage.py db_worker`, through the database (django-tasks; Django 6's own tasks framework).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# UK locale once. GOV.UK dates ('3 April 2017') come from the format module: on Django 5.2
# the en-GB locale would override a plain DATE_FORMAT setting.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["psm_site.formats"]

# Static files: our own in static/, GOV.UK Frontend and Leaflet plugins straight from npm.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk-frontend", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    # Leaflet and its marker clusters, from npm (package.json pins them); our scripts start the maps.
    ("leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("leaflet.markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
    # GOV.UK's accessible-autocomplete, from npm: it enhances Find a mutual's local authority select.
    ("accessible-autocomplete", BASE_DIR / "node_modules" / "accessible-autocomplete" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
# Attachments larger than this are refused at upload (bytes; default 20 MB).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# Staff forms (long Markdown guides, inline rows) fit well inside these; a query string or form
# with more fields than this is a 400. Public forms are refused above PUBLIC_FORM_MAX_BYTES before
# their body is read (psm_site.web.middleware.PublicRequestSizeMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
PUBLIC_FORM_MAX_BYTES = 20 * 1024

# GOV.UK branding (GDS Transport font and the crown) is licensed only for services on gov.uk.
GOVUK_BRAND = env_bool("GOVUK_BRAND", False)
SERVICE_NAME = "Public Service Mutuals"
PHASE = env_str("SITE_PHASE", "Beta")
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "mutuals@culture.gov.uk")
# The publishing organisation, named once: the header's structured data, feeds, 'From:' lines,
# open data and new content all read it. GOV.UK shows an organisation's current name.
ORGANISATION = {
    "name": env_str("ORGANISATION_NAME", "Department for Culture, Media and Sport"),
    "abbreviation": env_str("ORGANISATION_ABBREVIATION", "DCMS"),
    "url": env_str(
        "ORGANISATION_URL", "https://www.gov.uk/government/organisations/department-for-culture-media-and-sport"
    ),
    "email": CONTACT_EMAIL,
}
# Who answers CONTACT_EMAIL, as error pages and fund pages name them ('email the DCMS Mutuals Team').
CONTACT_TEAM = env_str("CONTACT_TEAM", f"{ORGANISATION['abbreviation']} Mutuals Team")

# The privacy notice renders these, so it says what the site does. Empty means 'not yet set' and
# the notice says so rather than guess.
DATA_CONTROLLER = env_str("DATA_CONTROLLER", ORGANISATION["name"])
DATA_PROTECTION_OFFICER_EMAIL = env_str("DATA_PROTECTION_OFFICER_EMAIL")
FEEDBACK_RETENTION_DAYS = env_int("FEEDBACK_RETENTION_DAYS", None)  # `manage.py delete_old_feedback` enforces it
SERVER_LOG_RETENTION_DAYS = env_int("SERVER_LOG_RETENTION_DAYS", None)
STAFF_ACCOUNT_RETENTION_DAYS = env_int("STAFF_ACCOUNT_RETENTION_DAYS", None)

# The day the site went live (YYYY-MM-DD), empty until it has. Registry pages say 'Added to this
# site' only from then: before go-live their first publication is an import day nobody saw.
SITE_LIVE_ON = date.fromisoformat(env_str("SITE_LIVE_ON")) if env_str("SITE_LIVE_ON") else None

# Maps draw England's regions from our own static file (static/geo/england-regions.geojson), so
# they need nothing from another site. Tiles are an optional layer above the regions: empty (the
# default) means no tiles and no request to any third party. See README, 'Map tiles'.
MAP_TILES_URL = env_str("MAP_TILES_URL")
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION")


def url_origin(url):
    """'https://api.os.uk' for 'https://api.os.uk/maps/raster/v1/zxy/…': what the CSP must allow."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


MAP_TILE_ORIGIN = url_origin(MAP_TILES_URL)
# Security: Django's deployment checklist. HTTPS settings are on unless DEBUG.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script of ours (nor the admin's) reads it
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = not (DEBUG or TESTING)
CSRF_COOKIE_SECURE = not (DEBUG or TESTING)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if env_bool("DJANGO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy without 'unsafe-inline' and without a nonce: every script is a static file
# (JSON-LD and json_script data are not run), so the policy and a cached page are the same for everyone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MAP_TILE_ORIGIN] if MAP_TILE_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A database outage is logged once (psm_site/web/outage.py), not as a traceback per request.
    "filters": {
        "quiet_outages": {"()": "psm_site.web.outage.QuietOutages"},
        # A bad Host header or an oversized query is the client's mistake: one short warning line.
        "client_error": {"()": "psm_site.web.log_filters.ClientErrorFilter"},
    },
    "formatters": {"bare": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_error"]},
        "requests": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "bare"},
    },
    "loggers": {
        # Errors only: 4xx answers are in the request log; a real server error keeps its traceback.
        "django.request": {"filters": ["quiet_outages"], "level": "ERROR"},
        # One JSON line per request on stdout (psm_site/web/requestlog.py); off with DJANGO_REQUEST_LOG=off.
        "psm_site.requests": {
            "handlers": ["requests"],
            "level": "INFO" if env_bool("DJANGO_REQUEST_LOG", not TESTING) else "WARNING",
            "propagate": False,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# This app server's name in the request log (deploy/ sets one per gunicorn; default: the host name).
APP_SERVER_NAME = env_str("APP_SERVER_NAME", socket.gethostname())

# An open round or fund counts as 'closing soon' within this many days of its deadline.
CLOSING_SOON_DAYS = env_int("CLOSING_SOON_DAYS", 14)

# Staging can ask search engines to stay away.
ROBOTS_DISALLOW_ALL = env_bool("ROBOTS_DISALLOW_ALL", False)

SIMPLE_HISTORY_REVERT_DISABLED = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# The explainer guide linked as 'About mutuals' in the header.
EXPLAINER_SLUG = "introduction-to-public-service-mutuals"
# Editors (who may add) can import spreadsheets; new rows arrive as drafts.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# The largest spreadsheet the admin's import reads (a 5,000-row registry is about 2 MB as CSV).
IMPORT_MAX_BYTES = 10 * 1024 * 1024

# Every public page answers 503 'Service unavailable' (for planned work on the database).
MAINTENANCE_MODE = env_bool("MAINTENANCE_MODE", False)
# ... except the admin, for staff, when this is on.
MAINTENANCE_ADMIN_BYPASS = env_bool("MAINTENANCE_ADMIN_BYPASS", False)
# The CSRF cookie (set only on pages with a form) lasts for the browser session.
CSRF_COOKIE_AGE = None
CSRF_FAILURE_VIEW = "psm_site.web.errors.csrf_failure"

# HTTP caching of public pages (psm_site/web/cache.py), in seconds: browsers (max-age) and shared
# caches such as a CDN (s-maxage). Staff, previews, forms and the admin are never cached.
HTTP_CACHE_MAX_AGE = env_int("HTTP_CACHE_MAX_AGE", 60)
HTTP_CACHE_S_MAXAGE = env_int("HTTP_CACHE_S_MAXAGE", 300)
# The server-side cache of rendered anonymous pages and data files, kept under the content
# version (every change to public content moves it, so an edit shows on the next request).
PAGE_CACHE = env_bool("PAGE_CACHE", True)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 24 * 3600)

# Email: GOV.UK Notify when NOTIFY_API_KEY is set, SMTP when EMAIL_HOST is set, else the console.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Public Service Mutuals <noreply@mutuals.example>")
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY")
# A Notify email template whose subject is ((subject)) and whose body is ((body)).
NOTIFY_TEMPLATE_ID = env_str("NOTIFY_TEMPLATE_ID")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
if NOTIFY_API_KEY:
    EMAIL_BACKEND = "alerts.notify.NotifyEmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Email alerts: daily digests go at this UK time, weekly ones on this day (0 = Monday).
ALERTS_DIGEST_TIME = env_str("ALERTS_DIGEST_TIME", "09:30")
ALERTS_WEEKLY_DAY = env_int("ALERTS_WEEKLY_DAY", 0)
# How often the alerts clock runs (deploy/prod's --every); /healthz says "late" after three periods.
ALERTS_CLOCK_SECONDS = env_int("ALERTS_CLOCK_SECONDS", 120)
# Subscribe attempts allowed per client per hour.
ALERTS_SUBSCRIBE_LIMIT = env_int("ALERTS_SUBSCRIBE_LIMIT", 10)
