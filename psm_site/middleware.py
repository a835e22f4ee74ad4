import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from psm_site.errors import error_page
from psm_site.permissions import SecondFactorRequired, is_verified_staff
from psm_site.signin import LAST_SEEN
from psm_site.views import service_unavailable

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
    reach the admin (which asks for both factors itself) and lets verified staff
    (is_verified_staff) see the public pages they are about to reopen.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MAINTENANCE_MODE and request.path != "/healthz":
            if not (settings.MAINTENANCE_ADMIN_BYPASS and (admin_path(request) or is_verified_staff(request))):
                return service_unavailable(request)
        return self.get_response(request)
