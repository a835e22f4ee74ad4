"""Staff sign-in: a second factor (TOTP, with backup codes) and sessions that end.

With ADMIN_TWO_FACTOR on, a password alone opens nothing in the admin. A staff member without an
authenticator app enrols on first sign-in (a QR code, then a code from the app) and is shown ten
one-use backup codes. django-otp keeps the devices and throttles wrong codes; django-axes locks
out repeated wrong passwords.
"""

import base64
import time

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.messages.storage.cookie import CookieStorage
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from psm_site import personal_data

LAST_SEEN = "staff_last_seen"
BACKUP_CODES = 10


@receiver(user_logged_in)
def start_staff_session(sender, request, user, **kwargs):
    """Staff sessions last until the browser closes, and the idle clock starts now."""
    if user.is_staff and hasattr(request, "session"):
        request.session.set_expiry(0)
        request.session[LAST_SEEN] = int(time.time())


def needs_second_factor(request) -> bool:
    user = request.user
    verified = getattr(user, "otp_device", None) is not None  # set by django-otp's middleware
    return settings.ADMIN_TWO_FACTOR and user.is_active and user.is_staff and not verified


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _signed_in_staff(view):
    """The two-factor pages are for staff who have given their password and nothing more."""

    @never_cache
    @csrf_protect
    def wrapper(request, admin_site):
        if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
            return redirect("admin:login")
        if not needs_second_factor(request):
            return redirect(_next_url(request))
        return view(request, admin_site)

    return wrapper


def _context(request, admin_site, title, **extra):
    context = {**admin_site.each_context(request), "title": title, "next": _next_url(request), **extra}
    context["is_nav_sidebar_enabled"] = False  # nothing in the admin opens until the code is given
    return context


@_signed_in_staff
def verify(request, admin_site):
    """Ask for a code from the authenticator app (or a backup code)."""
    if not user_has_device(request.user, confirmed=True):
        return redirect(reverse("admin:two-factor-setup") + f"?next={_next_url(request)}")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", "That code is not right, or has been used. Wait for a new code and try again.")
    return render(request, "admin/two_factor/verify.html", _context(request, admin_site, "Enter your code", form=form))


@_signed_in_staff
def set_up(request, admin_site):
    """First sign-in: add an authenticator app, prove it works, then see the backup codes once."""
    user = request.user
    if user_has_device(user, confirmed=True):
        return redirect(reverse("admin:two-factor") + f"?next={_next_url(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save()
            codes = _new_backup_codes(user)
            otp_login(request, device)
            context = _context(request, admin_site, "Your backup codes", codes=codes)
            return render(request, "admin/two_factor/backup_codes.html", context)
        form.add_error("code", "That code is not right. Check the time on your phone and try the newest code.")
    context = _context(
        request,
        admin_site,
        "Set up two-factor sign-in",
        form=form,
        qr_code=segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        secret=base64.b32encode(device.bin_key).decode(),
    )
    return render(request, "admin/two_factor/set_up.html", context)


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    return codes


# --- The register of personal data: staff accounts, sign-ins, sessions and their cookies ---------


def _session_how_long():
    idle = settings.ADMIN_IDLE_MINUTES
    ends = f", or after {personal_data.duration(idle * 60)} without using the site" if idle else ""
    return f"Until you sign out, close your browser{ends}"


def _session_cookie_expires():
    idle = settings.ADMIN_IDLE_MINUTES
    return (
        "When you close your browser"
        + (f", after {personal_data.duration(idle * 60)} without using the site" if idle else "")
        + ", or when you sign out"
    )


def _failed_sign_in_how_long():
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds()) if settings.AXES_COOLOFF_TIME else 0
    after = f", or at the first sign-in attempt more than {personal_data.duration(cooloff)} after the last failed try"
    return f"Deleted when that account next signs in{after if cooloff else ''}"


personal_data.register(
    personal_data.Record(
        key="staff-accounts",
        what="Staff accounts: name, email address, a scrambled form of the password, the second-factor "
        "device, and who changed what",
        why="So that staff can edit the site, and so every change can be traced",
        how_long=personal_data.days_setting(
            "STAFF_ACCOUNT_RETENTION_DAYS", then="after the person stops editing the site, then deleted"
        ),
        receivers="Only administrators of the site. The record of who made each change is kept with the "
        "history of the page changed",
        source="django.contrib.auth; django-otp; django-simple-history",
        fields=("auth.User.email", "auth.User.username", "auth.User.first_name", "auth.User.last_name"),
        setting="STAFF_ACCOUNT_RETENTION_DAYS",
        order=50,
    )
)
personal_data.register(
    personal_data.Record(
        key="staff-sign-ins",
        what="Staff sign-ins (django-axes): the IP address, the browser's name and the username, with the time, "
        "of each successful sign-in",
        why="So that a misused account can be traced",
        how_long=personal_data.days_setting(
            "STAFF_ACCOUNT_RETENTION_DAYS", then="after the person stops editing the site, then deleted"
        ),
        receivers="Only administrators of the site",
        source="django-axes (AccessLog); psm_site/settings.py AXES_*",
        fields=(
            "axes.AccessLog.ip_address",
            "axes.AccessLog.user_agent",
            "axes.AccessLog.username",
            "axes.AccessFailureLog.ip_address",
            "axes.AccessFailureLog.user_agent",
            "axes.AccessFailureLog.username",
        ),
        setting="STAFF_ACCOUNT_RETENTION_DAYS",
        order=51,
    )
)
personal_data.register(
    personal_data.Record(
        key="failed-sign-ins",
        what="Failed sign-ins to the staff area (django-axes): the IP address, the browser's name and the "
        "username tried",
        why=lambda: f"To lock out anyone who gets the password wrong {settings.AXES_FAILURE_LIMIT} times",
        how_long=_failed_sign_in_how_long,
        receivers="Only administrators of the site",
        source="django-axes (AccessAttempt); psm_site/settings.py AXES_*",
        fields=("axes.AccessAttempt.ip_address", "axes.AccessAttempt.user_agent", "axes.AccessAttempt.username"),
        order=52,
    )
)
personal_data.register(
    personal_data.Record(
        key="staff-sessions",
        what="A signed-in staff member's session: which account is signed in and when it was last used",
        why="To keep you signed in, and to sign you out when you stop using the site",
        how_long=_session_how_long,
        receivers="Only this site's servers",
        source="django.contrib.sessions; psm_site/signin.py; psm_site/middleware.py StaffSessionMiddleware",
        order=53,
    )
)
personal_data.register_cookie(
    personal_data.Cookie(
        name=lambda: settings.SESSION_COOKIE_NAME,
        purpose="Keeps you signed in",
        expires=_session_cookie_expires,
        audience="staff",
        source="psm_site/signin.py",
        order=10,
    )
)
personal_data.register_cookie(
    personal_data.Cookie(
        name=lambda: CookieStorage.cookie_name,
        purpose="Shows you confirmation messages after you save",
        expires=lambda: "When you close your browser",
        audience="staff",
        source="django.contrib.messages (the admin)",
        order=11,
    )
)
