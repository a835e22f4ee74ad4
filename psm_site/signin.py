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
