import re
import time
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from psm_site.errors import error_page
from psm_site.permissions import SecondFactorRequired
from psm_site.signin import LAST_SEEN
from psm_site.views import healthz, service_unavailable

# Browser features the site never uses, all switched off.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    ]
)


# C0 and C1 control characters and DEL; tab, line feed and carriage return are ordinary text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def admin_path(request) -> bool:
    return request.path.startswith("/" + settings.ADMIN_PATH)


class PublicRequestSizeMiddleware:
    """Public forms are small: a larger body is refused from its Content-Length, before it is read.

    Staff pages (the admin, with its attachment uploads) keep Django's own limits.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS") and not admin_path(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.PUBLIC_FORM_MAX_BYTES:
                response = error_page("400.html", 413)
                response["Connection"] = "close"
                return response
        return self.get_response(request)


class ControlCharacterMiddleware:
    """NUL and other control characters in the path, query string, headers or form fields: the 400 page.

    The path, query string and headers are read before anything else sees them (the cache, the
    session's lookup of its cookie, the view's queries: PostgreSQL refuses a NUL in text). Form
    fields are read in process_view, once PublicRequestSizeMiddleware has refused a body too large,
    and before CSRF reads them. Uploaded files are not read: they may hold any byte.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_control(request.path_info, unquote_plus(request.META.get("QUERY_STRING", ""), errors="replace")):
            return error_page("400.html", 400)
        headers = [value for name, value in request.META.items() if name.startswith("HTTP_") or name == "CONTENT_TYPE"]
        # WSGI gives header bytes as latin-1: read them as UTF-8 so a multibyte character is not
        # taken for control bytes.
        if self._has_control(*(value.encode("latin-1", "replace").decode("utf-8", "replace") for value in headers)):
            return error_page("400.html", 400)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return None
        try:
            fields = list(request.POST.lists())
        except OSError:  # the client went away mid-body: CSRF and the view see the same
            return None
        if self._has_control(*(key for key, _ in fields), *(value for _, values in fields for value in values)):
            return error_page("400.html", 400)
        return None

    @staticmethod
    def _has_control(*texts):
        return any(isinstance(text, str) and CONTROL_CHARACTERS.search(text) for text in texts)


class HealthCheckMiddleware:
    """/healthz answers whatever Host a probe sends (a load balancer often asks by IP address).

    It says only whether the database answers, so it is answered here, before CommonMiddleware
    checks the Host against ALLOWED_HOSTS and before sessions, CSRF and the page cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class StaffSessionMiddleware:
    """A staff session ends after ADMIN_IDLE_MINUTES without a request, and at browser close.

    Sign-in (psm_site.signin) starts the clock; anonymous visitors carry no session, so public
    pages do no extra work. The last-seen time is written at most once a minute.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            last_seen = request.session.get(LAST_SEEN)
            now = int(time.time())
            if last_seen is not None:
                if settings.ADMIN_IDLE_MINUTES and now - last_seen > settings.ADMIN_IDLE_MINUTES * 60:
                    logout(request)
                elif now - last_seen >= 60:
                    request.session[LAST_SEEN] = now
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A password-only staff session asked for a preview: the code first, then the page."""
        if isinstance(exception, SecondFactorRequired):
            return redirect(reverse("admin:two-factor") + "?" + urlencode({"next": request.get_full_path()}))
        return None


class MaintenanceModeMiddleware:
    """With MAINTENANCE_MODE on, every public page answers 503; /healthz still answers.

    It sits after whitenoise (static files, so the page keeps its styles) and after the security
    and CSP middleware (so the 503 carries every header). MAINTENANCE_ADMIN_BYPASS lets staff
    reach the admin, which asks for both factors itself (psm_site.admin_site); public pages stay
    503 for everyone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MAINTENANCE_MODE and request.path != "/healthz":
            if not (settings.MAINTENANCE_ADMIN_BYPASS and admin_path(request)):
                return service_unavailable(request)
        return self.get_response(request)
