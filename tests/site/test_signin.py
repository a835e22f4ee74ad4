"""Staff sign-in: lockout after wrong passwords, a second factor, sessions that end."""

import logging
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def login_url():
    return reverse("admin:login")


def _sign_in(client, username, password, login_url):
    return client.post(login_url, {"username": username, "password": password, "next": reverse("admin:index")})


def test_the_31st_wrong_password_is_refused_even_with_the_right_one(editor, login_url, caplog):
    client = Client(REMOTE_ADDR="192.0.2.10")
    with caplog.at_level(logging.WARNING, logger="axes"):
        for n in range(30):
            _sign_in(Client(REMOTE_ADDR=f"192.0.2.{100 + n}"), "editor", f"wrong-{n}", login_url)
    response = _sign_in(client, "editor", PASSWORD, login_url)
    assert response.status_code == 429
    assert "Sign-in locked" in response.text and "ask a superuser to unlock it" in response.text
    assert "_auth_user_id" not in client.session
    assert any("login failure" in r.getMessage() for r in caplog.records)  # every failure is logged


def test_one_address_is_locked_after_failures_across_accounts(editor, publisher, login_url, settings):
    client = Client(REMOTE_ADDR="198.51.100.9")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"guess-{n}", "wrong", login_url)
    assert _sign_in(client, "publisher", PASSWORD, login_url).status_code == 429
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.10"), "publisher", PASSWORD, login_url).status_code == 302


def test_a_superuser_unlocks_an_account(editor, publisher, login_url, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), "editor", "wrong", login_url)
    assert _sign_in(Client(), "editor", PASSWORD, login_url).status_code == 429

    other_staff = Client()
    other_staff.force_login(publisher)
    assert other_staff.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403

    root = Client()
    root.force_login(User.objects.create_superuser("root", "root@example.com", "root-password-long"))
    changelist = root.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and "editor" in changelist.text
    ids = list(AccessAttempt.objects.filter(username="editor").values_list("pk", flat=True))
    response = root.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert _sign_in(Client(), "editor", PASSWORD, login_url).status_code == 302


# --- Two-factor ----------------------------------------------------------------------------------


@pytest.fixture
def two_factor(settings):
    settings.ADMIN_TWO_FACTOR = True
    return settings


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_password_alone_opens_nothing_and_first_sign_in_enrols(two_factor, editor, login_url):
    client = Client()
    response = _sign_in(client, "editor", PASSWORD, login_url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:two-factor"))
    assert client.get(reverse("admin:index")).status_code == 302  # not yet
    assert client.get(reverse("admin:mutuals_mutual_changelist")).status_code == 302

    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("admin:two-factor-setup"))
    assert "Set up two-factor sign-in" in page.text and 'src="data:image/svg+xml' in page.text
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    secret = re.search(r"<code>([A-Z2-7=]+)</code>", page.text).group(1)
    assert secret.rstrip("=")

    wrong = client.post(reverse("admin:two-factor-setup"), {"code": "000000", "next": "/"})
    assert "That code is not right" in wrong.text
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows guessing down
    device.throttle_reset()

    done = client.post(reverse("admin:two-factor-setup"), {"code": _code(device), "next": reverse("admin:index")})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.text)
    assert "Your backup codes" in done.text and len(codes) == 10
    assert client.get(reverse("admin:index")).status_code == 200


def test_later_sign_ins_ask_for_a_code_and_backup_codes_work_once(two_factor, editor, login_url):
    client = Client()
    _sign_in(client, "editor", PASSWORD, login_url)
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    from psm_site.web.signin import _new_backup_codes

    backup = _new_backup_codes(editor)[0]

    response = client.get(reverse("admin:index"), follow=True)
    assert "Enter your code" in response.text
    response = client.post(reverse("admin:two-factor"), {"code": backup, "next": reverse("admin:index")})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200

    again = Client()
    _sign_in(again, "editor", PASSWORD, login_url)
    assert "not right" in again.post(reverse("admin:two-factor"), {"code": backup}).text  # used up
    device.refresh_from_db()
    device.throttle_reset()  # the wrong codes above started django-otp's back-off
    assert again.post(reverse("admin:two-factor"), {"code": _code(device)}).status_code == 302
    assert again.get(reverse("admin:index")).status_code == 200


def test_two_factor_pages_send_strangers_to_sign_in(two_factor):
    client = Client()
    for name in ["admin:two-factor", "admin:two-factor-setup"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_two_factor_is_off_in_tests_and_development_unless_turned_on(settings, editor_client):
    assert settings.ADMIN_TWO_FACTOR is False
    assert editor_client.get(reverse("admin:index")).status_code == 200


# --- Sessions ------------------------------------------------------------------------------------


def test_staff_sessions_end_at_browser_close(editor, login_url):
    client = Client()
    response = _sign_in(client, "editor", PASSWORD, login_url)
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_staff_sessions_end_after_the_idle_time(editor, login_url, settings):
    settings.ADMIN_IDLE_MINUTES = 30
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as clock:
        client = Client()
        _sign_in(client, "editor", PASSWORD, login_url)
        assert client.get(reverse("admin:index")).status_code == 200
        clock.shift(29 * 60)
        assert client.get(reverse("admin:index")).status_code == 200  # activity moves the clock on
        clock.shift(29 * 60)
        assert client.get(reverse("admin:index")).status_code == 200
        clock.shift(31 * 60)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
