"""Email alerts on the running production stack, end to end, with a local SMTP server.

    EMAIL_HOST=127.0.0.1 EMAIL_PORT=8125 ALERTS_CLOCK_SECONDS=10 make prod
    EMAIL_PORT=8125 .venv/bin/python deploy/alerts_check.py [http://127.0.0.1:8080]

It listens for mail on EMAIL_PORT and subscribes an address to 'Support and funding' through
nginx: the form, the confirmation email, the link in it. Then it adds round 4 of the Mutuals
Interim Support Fund, published at once ('announced' comes from that save), opening OPENS_IN
seconds later and closing 7 days after its reminder moment, REMINDER_IN seconds from now. 'Round
4 is now open' and 'closes in 7 days' must then come from the clock alone: the alerts clock and
the task worker of `make prod`, with nobody saving anything. Last, the one-click unsubscribe
(RFC 8058, the List-Unsubscribe header's address) through nginx.

Every email received is written to $PROD_DIR/emails/ (.eml as received, .txt readable). What the
check added (the round, its alerts, the subscriber) is removed at the end. Reads the same
environment as make prod (DATABASE_URL).
"""

import http.cookies
import logging
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, timedelta
from email import message_from_bytes, policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psm_site.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "alerts-check-does-not-serve")

import django  # noqa: E402

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.utils import timezone  # noqa: E402

from alerts.models import Alert, Subscriber  # noqa: E402
from psm_site.publishing.actions import publish  # noqa: E402
from support import uktime  # noqa: E402
from support.models import Fund, FundRound  # noqa: E402

BASE = (sys.argv[1] if len(sys.argv) > 1 else f"http://127.0.0.1:{os.environ.get('PROD_PORT', '8080')}").rstrip("/")
SMTP_PORT = int(os.environ.get("EMAIL_PORT", "8125"))
ADDRESS = "alerts-check@example.org"
OPENS_IN, REMINDER_IN = 30, 45  # seconds from now
WAIT = int(os.environ.get("ALERTS_CHECK_WAIT", "300"))  # the longest wait for one email, in seconds
KEEP = Path(os.environ.get("PROD_DIR", ".prod")) / "emails"


def check(label, condition, detail=""):
    print(f"alerts: {'ok  ' if condition else 'FAIL'} {label} {detail}".rstrip(), flush=True)
    if not condition:
        raise SystemExit(1)


class Inbox:
    """What the SMTP server received, in order."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message.received_bytes = envelope.original_content  # kept as sent: as_bytes() would fold it anew
        self.messages.append(message)
        return "250 OK"

    def wait_for(self, label, words, seconds=WAIT):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for message in self.messages:
                if words in message["Subject"] and message["To"] == ADDRESS:
                    self.keep(message, label)
                    return message
            time.sleep(0.5)
        check(f"email '{words}' received", False, f"none within {seconds} s")

    def keep(self, message, label):
        KEEP.mkdir(parents=True, exist_ok=True)
        (KEEP / f"{label}.eml").write_bytes(message.received_bytes)
        headers = "".join(f"{name}: {value}\n" for name, value in message.items())
        text = message.get_body(("plain",)).get_content()
        (KEEP / f"{label}.txt").write_text(f"{headers}\n{text}")
        check(f"received '{message['Subject'].strip()}'", True, f"({label}.eml)")


class Browser:
    """urllib with the cookies a browser would keep (the stack marks them Secure; nginx here is plain HTTP)."""

    def __init__(self):
        self.cookies = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(BASE + path, data=body)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def link(message, route):
    """The path of the first link in the email's text to /email-alerts/<route>/."""
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"https?://[^/\s]+(/email-alerts/{route}/\S+)", text)
    check(f"{route} link in the email", found is not None)
    return found.group(1)


def subscribe(browser, inbox):
    status, page = browser.request("/email-alerts/subscribe/?topic=funding&frequency=immediately")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    check("subscribe form", status == 200 and token is not None, f"({status})")
    form = {"csrfmiddlewaretoken": token.group(1), "topic": "funding", "frequency": "immediately", "address": ADDRESS}
    status, page = browser.request("/email-alerts/subscribe/", form)
    check("subscribe: check your email", status == 200 and ADDRESS in page, f"({status})")
    confirmation = inbox.wait_for("1-confirmation", "Confirm", seconds=60)
    status, page = browser.request(link(confirmation, "confirm"))
    check("confirmation link", status == 200, f"({status})")


def add_round():
    """Round 4: announced now, opening in OPENS_IN seconds, its 7-day reminder due in REMINDER_IN."""
    now = timezone.now().replace(microsecond=0)
    reminder = now + timedelta(seconds=REMINDER_IN)
    fund = Fund.objects.get(slug="mutuals-interim-support-fund")
    fund_round = FundRound.objects.create(
        fund=fund,
        number=4,
        opens_at=now + timedelta(seconds=OPENS_IN),
        closes_at=(uktime.uk_local(reminder) + timedelta(days=7)).astimezone(UTC),
        notes="Added by deploy/alerts_check.py and removed when it ends.",
    )
    publish(fund_round)
    return fund_round


def unsubscribe(message):
    header = (message["List-Unsubscribe"] or "").strip()
    check("List-Unsubscribe-Post", message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
    found = re.fullmatch(r"<https?://[^/]+(/\S+)>", header)
    check("List-Unsubscribe address", found is not None, header)
    # What a mail provider does when the reader presses 'Unsubscribe': one POST, no cookie, no form.
    status, _ = Browser().request(found.group(1), {"List-Unsubscribe": "One-Click"})
    check("one-click unsubscribe", status == 200, f"({status})")
    check("address deleted", not Subscriber.objects.filter(address=ADDRESS).exists())


def main():
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line-by-line SMTP log
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    server.start()
    fund_round = None
    try:
        Subscriber.objects.filter(address=ADDRESS).delete()  # left by an interrupted run
        FundRound.objects.filter(fund__slug="mutuals-interim-support-fund", number=4).delete()
        subscribe(Browser(), inbox)
        fund_round = add_round()
        inbox.wait_for("2-round-announced", "round 4 announced", seconds=60)
        started = time.monotonic()
        opened = inbox.wait_for("3-round-open", "round 4 is now open")
        late = timezone.now() - fund_round.opens_at
        check("opening alert came from the clock", True, f"({late.total_seconds():.0f} s after opening)")
        inbox.wait_for("4-round-closing", "round 4 closes in 7 days", seconds=WAIT - (time.monotonic() - started))
        unsubscribe(opened)
    finally:
        if fund_round is not None:
            Alert.objects.filter(event__regex=rf"^[a-z-]+:{fund_round.pk}(:|$)").delete()
            fund_round.delete()
        Subscriber.objects.filter(address=ADDRESS).delete()
        server.stop()
    print(f"alerts: emails kept in {KEEP}")


if __name__ == "__main__":
    main()
